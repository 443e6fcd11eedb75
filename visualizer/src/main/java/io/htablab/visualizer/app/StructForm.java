package io.htablab.visualizer.app;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.EnumType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.visualizer.model.fields.FieldCodec;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;

import java.util.ArrayList;
import java.util.List;

/**
 * A form with one input per member of a C type, nested structs, unions and arrays included (offsets and bit
 * positions from the C front end's layout), special fields shown but not editable, padding shown as padding. It
 * produces the key or value as a designated initializer ({@code {.pid=7, .in.a=2}}); the statement it goes into
 * is encoded by the same code as everything typed in the console, so a form and a typed line give the same bytes.
 */
public final class StructForm extends GridPane {
    /** Arrays of structs longer than this are entered as one initializer text. */
    static final int MAX_EXPANDED = 8;

    private enum Kind { SCALAR, STRING, INITIALIZER }

    private record Input(String path, Kind kind, TextField field) {
    }

    private final String idPrefix;
    private final boolean scalarRoot;
    private final List<Input> inputs = new ArrayList<>();
    private int row;

    /**
     * @param title    "key" or "value"
     * @param idPrefix node id prefix for the inputs ({@code key-pid}, {@code value-in-a}; a scalar root is
     *                 {@code idPrefix} itself)
     */
    public StructForm(String title, String idPrefix, CType type) {
        this.idPrefix = idPrefix;
        setHgap(8);
        setVgap(4);
        setPadding(new Insets(4, 0, 4, 0));
        add(new Label(title + ": " + type.spelling() + " (" + type.size() + " bytes)"), 0, row++, 3, 1);
        CType t = type.resolve();
        scalarRoot = !(t instanceof RecordType) && !(t instanceof CType.ArrayType);
        addRows(type, "", 0, 0, type.spelling());
    }

    private void addRows(CType declared, String path, long offset, int depth, String label) {
        CType t = declared.resolve();
        FieldKind special = FieldCodec.specialKind(declared);
        if (special != null) {
            Label l = new Label("‹" + special.cName() + "›  kernel-managed (reads as zeros)");
            l.setTooltip(new Tooltip("A special field: the kernel manages it (locks, timers, ...). User-space "
                    + "writes never change it and reads return zeros in its place, so it takes no input here."));
            l.getStyleClass().add("muted");
            add(indent(label, depth), 0, row);
            add(l, 1, row, 2, 1);
            row++;
            return;
        }
        if (t instanceof RecordType r && r.layout() != null) {
            boolean root = path.isEmpty();
            if (!root) {
                add(indent(label + "  (" + declared.spelling() + (r.isUnion() ? ": fill one member" : "")
                        + ") @" + offset, depth), 0, row++, 3, 1);
            }
            addMembers(r, path, offset, root ? depth : depth + 1);
            return;
        }
        if (t instanceof CType.ArrayType a && a.length() > 0) {
            CType elem = a.element();
            long es = elem.size();
            if (elem.resolve() instanceof CType.IntType i && i.size0() == 1 && i.spelling().contains("char")
                    && !elem.spelling().startsWith("__")) {
                input(path, Kind.STRING, declared.spelling() + " @" + offset, depth, label,
                        "text (up to " + a.length() + " bytes, NUL-padded), or {1, 2, …}");
                return;
            }
            if (elem.resolve() instanceof RecordType && a.length() <= MAX_EXPANDED) {
                add(indent(label + "  (" + declared.spelling() + ")", depth), 0, row++, 3, 1);
                for (long k = 0; k < a.length(); k++) {
                    addRows(elem, path + "[" + k + "]", offset + k * es, depth + 1, "[" + k + "]");
                }
                return;
            }
            input(path, Kind.INITIALIZER, declared.spelling() + " @" + offset, depth, label,
                    "elements separated by commas: 1, 2, 3 (or a full initializer {…})");
            return;
        }
        String tip = t instanceof EnumType e ? "a number or one of " + String.join(", ", e.constants().keySet())
                : t instanceof CType.IntType i && i.spelling().equals("_Bool") ? "0, 1, true or false"
                : t instanceof CType.FloatType ? "a decimal number" : "a number (decimal or 0x…), or 'c'";
        input(path, Kind.SCALAR, declared.spelling() + " @" + offset, depth, label, tip);
    }

    private void addMembers(RecordType r, String path, long base, int depth) {
        Layout l = r.layout();
        List<Object> items = new ArrayList<>(); // members and holes in offset order
        items.addAll(l.members());
        items.addAll(l.holes());
        items.sort(java.util.Comparator.comparingLong(o -> o instanceof Layout.Member m
                ? m.bitOffset() : ((Layout.Hole) o).offset() * 8));
        for (Object o : items) {
            if (o instanceof Layout.Hole h) {
                padding("padding @" + (base + h.offset()) + ", " + h.size() + (h.size() == 1 ? " byte" : " bytes")
                        + ": zero", depth);
                continue;
            }
            Layout.Member m = (Layout.Member) o;
            long off = base + m.offset();
            boolean unnamed = m.name() == null || m.name().isEmpty();
            if (unnamed && m.isBitField()) {
                padding("unnamed bit-field :" + m.bitWidth() + " @" + off + ": zero", depth);
            } else if (unnamed && m.type().resolve() instanceof RecordType anon && anon.layout() != null) {
                addMembers(anon, path, off, depth); // C reaches its members by their own names
            } else if (m.isBitField()) {
                long bit = base * 8 + m.bitOffset();
                long inByte = bit - off * 8;
                input(path + "." + m.name(), Kind.SCALAR, m.type().spelling() + " :" + m.bitWidth() + " @" + off
                        + " bits " + inByte + ".." + (inByte + m.bitWidth() - 1), depth, m.name(),
                        "a number that fits " + m.bitWidth() + " bits");
            } else if (!unnamed) {
                addRows(m.type(), path + "." + m.name(), off, depth, m.name());
            }
        }
    }

    private static Label indent(String text, int depth) {
        Label l = new Label(text);
        l.setPadding(new Insets(0, 0, 0, 14 * depth));
        return l;
    }

    private void padding(String text, int depth) {
        Label pad = indent(text, depth);
        pad.getStyleClass().add("muted");
        add(pad, 0, row++, 3, 1);
    }

    private void input(String path, Kind kind, String info, int depth, String label, String tip) {
        TextField field = new TextField();
        field.setPrefColumnCount(kind == Kind.SCALAR ? 12 : 18);
        field.setPromptText(kind == Kind.STRING ? "\"\"" : kind == Kind.SCALAR ? "0" : "{}");
        field.setId(path.isEmpty() ? idPrefix : idPrefix + "-" + path.substring(1).replaceAll("[.\\[]", "-")
                .replace("]", ""));
        field.setTooltip(new Tooltip(tip + "; empty means zero"));
        add(indent(path.isEmpty() ? "value" : label, depth), 0, row);
        add(field, 1, row);
        Label where = new Label(info);
        where.getStyleClass().add("muted");
        add(where, 2, row);
        row++;
        inputs.add(new Input(path, kind, field));
    }

    /**
     * The designated initializer of what is filled in, one designator per level and nested braces below
     * ({@code {.pid=7, .range={.lo=1}, .f={[1]={.port=9}}}}; a scalar root gives {@code {7}}, as C allows); empty
     * inputs are left out (zero).
     */
    public String text() {
        java.util.LinkedHashMap<String, Object> tree = new java.util.LinkedHashMap<>();
        for (Input in : inputs) {
            String v = in.field().getText().strip();
            if (v.isEmpty()) {
                continue;
            }
            if (in.kind() == Kind.STRING && !v.startsWith("\"") && !v.startsWith("{")) {
                v = "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            } else if (in.kind() == Kind.INITIALIZER && !v.startsWith("{")) {
                v = "{" + v + "}";
            }
            if (scalarRoot) {
                return "{" + v + "}";
            }
            if (in.path().isEmpty()) {
                return in.kind() == Kind.STRING ? "{" + v + "}" : v; // the root is an array: its own initializer
            }
            put(tree, segments(in.path()), v);
        }
        return scalarRoot ? "{0}" : render(tree);
    }

    /** ".range.lo" → [".range", ".lo"]; ".f[1].port" → [".f", "[1]", ".port"]. */
    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.[A-Za-z_][A-Za-z0-9_]*|\\[\\d+]").matcher(path);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void put(java.util.LinkedHashMap<String, Object> tree, List<String> segs, String value) {
        java.util.LinkedHashMap<String, Object> node = tree;
        for (int i = 0; i < segs.size() - 1; i++) {
            node = (java.util.LinkedHashMap<String, Object>) node.computeIfAbsent(segs.get(i),
                    k -> new java.util.LinkedHashMap<String, Object>());
        }
        node.put(segs.get(segs.size() - 1), value);
    }

    @SuppressWarnings("unchecked")
    private static String render(java.util.LinkedHashMap<String, Object> node) {
        List<String> parts = new ArrayList<>();
        node.forEach((seg, child) -> parts.add(seg + "=" + (child instanceof String leaf ? leaf
                : render((java.util.LinkedHashMap<String, Object>) child))));
        return "{" + String.join(", ", parts) + "}";
    }
}
