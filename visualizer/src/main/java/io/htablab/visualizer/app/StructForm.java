package io.htablab.visualizer.app;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.visualizer.model.Hex;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;

import java.util.ArrayList;
import java.util.List;

/**
 * A form with one field per member of a C struct (from the C front end's layout), producing the key or
 * value bytes in memory order: little-endian integers at their offsets, padding bytes zero.
 */
public final class StructForm extends GridPane {

    private record Field(String name, long offset, long size, CType type, TextField input) {
    }

    private final long size;
    private final List<Field> fields = new ArrayList<>();

    public StructForm(String title, CType type) {
        setHgap(8);
        setVgap(4);
        setPadding(new Insets(4, 0, 4, 0));
        CType t = type.resolve();
        size = type.size();
        add(new Label(title + ": " + type.spelling() + " (" + size + " bytes)"), 0, 0, 3, 1);
        int row = 1;
        if (t instanceof RecordType r && r.layout() != null) {
            for (Layout.Member m : r.layout().members()) {
                if (m.isBitField() || m.name() == null || m.name().isEmpty()) {
                    continue; // bit-fields and anonymous members are entered as raw bytes of a neighbour
                }
                row = addField(m.name(), m.offset(), m.size(), m.type(), row);
            }
            for (Layout.Hole h : r.layout().holes()) {
                Label pad = new Label("padding at " + h.offset() + ", " + h.size() + " bytes: zero");
                pad.getStyleClass().add("muted");
                add(pad, 0, row++, 3, 1);
            }
        } else {
            addField("value", 0, size, type, row);
        }
    }

    private int addField(String name, long offset, long fieldSize, CType type, int row) {
        TextField input = new TextField("0");
        input.setPrefColumnCount(14);
        input.setId("field-" + name);
        boolean integer = type.resolve() instanceof CType.IntType || type.resolve() instanceof io.htablab.hashtab.cfront.EnumType;
        input.setTooltip(new Tooltip(integer ? "a number (decimal or 0x…), stored little-endian"
                : "hex bytes in memory order (" + fieldSize + " bytes), or \"text\" for char arrays"));
        if (!integer) {
            input.setText("");
        }
        add(new Label(name), 0, row);
        add(input, 1, row);
        add(new Label(type.spelling() + " @" + offset), 2, row);
        fields.add(new Field(name, offset, fieldSize, type, input));
        return row + 1;
    }

    /** The bytes as the scenario syntax's raw hex, or throws IllegalArgumentException naming the bad field. */
    public String hex() {
        byte[] out = new byte[(int) Math.max(0, size)];
        for (Field f : fields) {
            String text = f.input().getText().strip();
            if (text.isEmpty()) {
                continue;
            }
            boolean integer = f.type().resolve() instanceof CType.IntType
                    || f.type().resolve() instanceof io.htablab.hashtab.cfront.EnumType;
            if (integer) {
                long v;
                try {
                    v = text.startsWith("0x") || text.startsWith("0X") ? Long.parseUnsignedLong(text.substring(2), 16)
                            : Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(f.name() + ": not a number: " + text);
                }
                for (int i = 0; i < f.size(); i++) {
                    out[(int) f.offset() + i] = (byte) (v >>> (8 * i));
                }
            } else if (text.startsWith("\"") && text.endsWith("\"") && text.length() >= 2) {
                byte[] s = text.substring(1, text.length() - 1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (s.length > f.size()) {
                    throw new IllegalArgumentException(f.name() + ": text longer than " + f.size() + " bytes");
                }
                System.arraycopy(s, 0, out, (int) f.offset(), s.length);
            } else {
                String h = text.startsWith("0x") ? text.substring(2) : text;
                if (h.length() % 2 != 0 || h.length() / 2 > f.size() || !h.matches("[0-9a-fA-F]*")) {
                    throw new IllegalArgumentException(f.name() + ": expected up to " + f.size() + " hex bytes");
                }
                for (int i = 0; i < h.length() / 2; i++) {
                    out[(int) f.offset() + i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
                }
            }
        }
        return Hex.of(out);
    }
}
