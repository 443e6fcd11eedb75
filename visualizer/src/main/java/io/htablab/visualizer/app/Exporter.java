package io.htablab.visualizer.app;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.Timeline;
import io.htablab.visualizer.model.TimelineEntry;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.image.WritableImage;

import javax.imageio.ImageIO;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** PNG of a view and the event trace as JSON Lines. */
public final class Exporter {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(byte[].class, new StdSerializer<>(byte[].class) {
                @Override
                public void serialize(byte[] v, JsonGenerator g, SerializerProvider p) throws IOException {
                    g.writeString(Hex.of(v)); // bytes in memory order, as the scenario format writes them
                }
            }));

    private Exporter() {
    }

    /** Snapshot of {@code node} (FX thread) written as PNG. */
    public static void png(Node node, Path file) throws IOException {
        WritableImage img = node.snapshot(null, null);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", file.toFile());
    }

    /**
     * One JSON object per event: {@code {"i":..,"op":..,"map":NAME,"actor":..,"event":"NodeVisited","mapId":..,
     * ...fields}}; byte arrays as hex.
     */
    public static void jsonLines(Timeline t, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < t.size(); i++) {
                w.write(line(i, t.entry(i), t.present()));
                w.newLine();
            }
        }
    }

    static String line(int i, TimelineEntry e, io.htablab.visualizer.model.WorldModel names) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("i", i);
        o.put("op", e.op());
        o.put("map", names.displayName(e.mapId()));
        o.put("actor", e.actor().name());
        Class<?> c = e.event().getClass();
        o.put("family", c.getEnclosingClass() == null ? "" : c.getEnclosingClass().getSimpleName());
        o.put("event", c.getSimpleName());
        o.setAll((ObjectNode) JSON.valueToTree(e.event()));
        return JSON.writeValueAsString(o);
    }
}
