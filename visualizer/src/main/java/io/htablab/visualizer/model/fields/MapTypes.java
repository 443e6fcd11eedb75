package io.htablab.visualizer.model.fields;

import io.htablab.hashtab.cfront.CType;
import io.htablab.visualizer.model.Hex;

import java.util.ArrayList;
import java.util.List;

/**
 * The C types of a map's key and value, when they are known (a map created from C declarations, or with
 * {@code btf_key=}/{@code btf_value=}): the views then show keys and values field by field. Either type may be null
 * (a map declared with {@code __uint(key_size, 4)}).
 *
 * @param key           the key's type, or null
 * @param value         the value's type, or null
 * @param source        where the types came from, for tooltips ("C declarations", "btf_key/btf_value")
 * @param keyWritable   whether the scenario parser encodes a key written field by field for this map (the map has
 *                      a BTF key type); false when the types are known to the views only
 * @param valueWritable the same for values
 */
public record MapTypes(CType key, CType value, String source, boolean keyWritable, boolean valueWritable) {

    /** Types the views know but the scenario does not (keys and values are written as bytes). */
    public MapTypes(CType key, CType value, String source) {
        this(key, value, source, false, false);
    }

    /** One line of a decoded key or value, for lists and tooltips. */
    public record Line(String label, String text, Field field) {
    }

    /** These types, without the ones whose size differs from the map's (they would misread the bytes). */
    public MapTypes fitting(int keySize, int valueSize) {
        CType k = key != null && key.size() == keySize ? key : null;
        CType v = value != null && value.size() == valueSize ? value : null;
        return k == null && v == null ? null : new MapTypes(k, v, source, keyWritable && k != null,
                valueWritable && v != null);
    }

    public boolean hasKey() {
        return key != null;
    }

    public boolean hasValue() {
        return value != null;
    }

    /** The key decoded by field, or null when the key type is unknown or the bytes are missing. */
    public Field decodeKey(byte[] bytes) {
        return key == null || bytes == null ? null : FieldCodec.decode(key, bytes);
    }

    public Field decodeValue(byte[] bytes) {
        return value == null || bytes == null ? null : FieldCodec.decode(value, bytes);
    }

    /** The key as a C initializer ({@code {.pid=7, .port=80}}), or hex when its type is unknown. */
    public String keyText(byte[] bytes) {
        Field f = decodeKey(bytes);
        return f == null ? Hex.of(bytes) : f.text();
    }

    public String valueText(byte[] bytes) {
        Field f = decodeValue(bytes);
        return f == null ? Hex.of(bytes) : f.text();
    }

    /**
     * The decoded parts as lines: one per scalar member (dotted path as label), arrays of scalars and strings on
     * one line, padding and special fields marked. A scalar root gives one line with an empty label.
     */
    public static List<Line> lines(Field root) {
        List<Line> out = new ArrayList<>();
        if (root != null) {
            addLines(root, out);
        }
        return out;
    }

    private static void addLines(Field f, List<Line> out) {
        boolean expand = f.kind() == Field.Kind.STRUCT || f.kind() == Field.Kind.UNION
                || (f.kind() == Field.Kind.ARRAY && f.children().stream().anyMatch(Field::isAggregate));
        if (expand) {
            for (Field c : f.children()) {
                addLines(c, out);
            }
            return;
        }
        String label = f.isPadding() ? f.type() : f.path();
        String text = f.isPadding() ? spaced(f.text()) : f.text();
        out.add(new Line(label, text, f));
    }

    /** Hex digits in pairs: "0000" → "00 00". */
    private static String spaced(String hex) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < hex.length(); i += 2) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(hex, i, i + 2);
        }
        return sb.toString();
    }

    /**
     * A short one-line text for small boxes: a record's members without its special fields and padding
     * ({@code .packets=9, .delta={-1, 2}}), any other value as {@link Field#text()}.
     */
    public static String compact(Field f) {
        if (f == null) {
            return "-";
        }
        if (f.kind() != Field.Kind.STRUCT && f.kind() != Field.Kind.UNION) {
            return f.text();
        }
        StringBuilder sb = new StringBuilder();
        for (Field c : f.children()) {
            if (c.isPadding() || c.isSpecial() || c.name() == null) {
                continue;
            }
            sb.append(sb.length() > 0 ? ", " : "").append('.').append(c.name()).append('=').append(c.text());
            if (f.kind() == Field.Kind.UNION) {
                break;
            }
        }
        return sb.length() == 0 ? f.text() : sb.toString();
    }

    /** A multi-line description (tooltips): each line {@code label = text   type @offset}. */
    public static String describe(Field root) {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines(root)) {
            Field f = l.field();
            if (sb.length() > 0) {
                sb.append('\n');
            }
            String where = f.isBitField() ? "bit " + f.bitOffset() + (f.bitWidth() > 1 ? ".." + (f.bitOffset()
                    + f.bitWidth() - 1) : "") : "@" + f.offset() + (f.size() > 1 ? ".." + (f.offset() + f.size() - 1) : "");
            if (f.isPadding()) {
                sb.append("  ").append(l.label()).append(" ").append(where).append(": ").append(l.text());
            } else if (f.isSpecial()) {
                sb.append("  ").append(l.label().isEmpty() ? "(value)" : l.label()).append(" = ").append(l.text())
                        .append("   special field (kernel-managed; user space reads zeros) ").append(where);
            } else {
                sb.append("  ").append(l.label().isEmpty() ? "(value)" : l.label()).append(" = ").append(l.text())
                        .append("   ").append(f.type()).append(' ').append(where);
            }
        }
        return sb.toString();
    }
}
