package io.htablab.lsp;

import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code htab.openInVisualizer} command: writes a {@code .hts} scenario that creates the map and starts
 * the visualizer on it ({@code java -jar <jar> --scenario FILE}), or says where the scenario is when no
 * visualizer jar is found.
 */
public final class VisualizerLauncher {

    public static final String COMMAND = "htab.openInVisualizer";

    /** What happened, for the client to show. */
    public record Outcome(boolean started, Path scenario, String message) {
    }

    /** Starts a process; replaced in tests. */
    public interface ProcessStarter {
        void start(List<String> command) throws IOException;
    }

    static final ProcessStarter DEFAULT_STARTER = command -> new ProcessBuilder(command)
            // The server's stdin/stdout carry the protocol: the child must not inherit them.
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
            .getOutputStream().close();

    private VisualizerLauncher() {
    }

    /** The scenario lines creating {@code m}, or null when it is not a checkable hash map. */
    public static String scenario(MapFacts m, String sourceUri) {
        HtabAttr attr = m.attr();
        if (attr == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# map ").append(m.name()).append(" from ").append(sourceUri).append('\n');
        sb.append("cpus ").append(m.possibleCpus()).append('\n');
        sb.append("create ").append(m.name()).append(" type=").append(attr.type().scenarioName())
                .append(" key=").append(attr.keySize()).append(" value=").append(attr.valueSize())
                .append(" max=").append(attr.maxEntries());
        List<String> flags = new ArrayList<>();
        for (MapFlag f : MapFlag.values()) {
            if (f.isSetIn(attr.mapFlags())) {
                flags.add(f.scenarioName());
            }
        }
        if (!flags.isEmpty()) {
            sb.append(" flags=").append(String.join(",", flags));
        }
        if (attr.has(MapFlag.NUMA_NODE)) {
            sb.append(" numa=").append(attr.numaNode());
        }
        sb.append('\n').append("info ").append(m.name()).append('\n');
        return sb.toString();
    }

    public static Outcome open(MapFacts m, String sourceUri, LspSettings settings, ProcessStarter starter) {
        if (m == null) {
            return new Outcome(false, null, "no such map in this document");
        }
        String scenario = scenario(m, sourceUri);
        if (scenario == null) {
            return new Outcome(false, null, "map " + m.name() + " is not one of the four hash map types (or its"
                    + " sizes are unknown): the visualizer models hash, lru_hash, percpu_hash and lru_percpu_hash");
        }
        Path file;
        try {
            file = Files.createTempFile("htab-" + m.name() + "-", ".hts");
            Files.writeString(file, scenario);
        } catch (IOException e) {
            return new Outcome(false, null, "could not write the scenario: " + e.getMessage());
        }
        Path jar = findJar(settings);
        if (jar == null) {
            return new Outcome(false, file, "scenario written to " + file + "; the visualizer jar was not found"
                    + " (set htab.visualizerJar, or build visualizer/target/htab-lab.jar)");
        }
        List<String> command = List.of(javaExecutable(), "-jar", jar.toString(), "--scenario", file.toString());
        try {
            starter.start(command);
        } catch (IOException | RuntimeException e) {
            return new Outcome(false, file, "scenario written to " + file + "; starting the visualizer failed: "
                    + e.getMessage());
        }
        return new Outcome(true, file, "visualizer started on " + file);
    }

    /** The configured jar, else visualizer/target/htab-lab.jar beside the lsp module this jar was built in. */
    static Path findJar(LspSettings settings) {
        if (settings.visualizerJar() != null && !settings.visualizerJar().isBlank()) {
            Path p = Path.of(settings.visualizerJar());
            return Files.isRegularFile(p) ? p : null;
        }
        try {
            Path self = Path.of(VisualizerLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(self) ? self : self.getParent();
            // lsp/target/hashtab-lsp.jar (or lsp/target/classes): try ../visualizer and ../../visualizer.
            for (Path base = dir; base != null && base.getNameCount() > 0; base = base.getParent()) {
                Path candidate = base.resolve("../visualizer/target/htab-lab.jar").normalize();
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
                if (dir.getNameCount() - base.getNameCount() >= 3) {
                    break;
                }
            }
        } catch (Exception e) {
            // no code source (unusual class loader): nothing found
        }
        return null;
    }

    private static String javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }
}
