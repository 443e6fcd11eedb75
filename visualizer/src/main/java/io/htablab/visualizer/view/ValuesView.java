package io.htablab.visualizer.view;

import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.OpContext;
import io.htablab.visualizer.model.fields.MapTypes;
import javafx.scene.canvas.GraphicsContext;

/**
 * Values of the live elements, per-CPU slots side by side; element count against max_entries and the
 * kernel's memlock figure.
 */
public final class ValuesView extends CanvasView {
    static final int MAX_ROWS = 300;

    public ValuesView() {
        super("valuesView", "Values: a PERCPU map keeps one value slot per possible CPU (each rounded up to 8 "
                + "bytes). User space reads and writes all slots; a BPF program sees only its CPU's slot.");
    }

    @Override
    protected boolean animates() {
        MapModel m = map();
        return m != null && m.exists() && (m.op().last() instanceof io.htablab.hashtab.htab.event.MapEvent.ValueCopied
                || m.op().last() instanceof io.htablab.hashtab.htab.event.BucketEvent.ElemLinked);
    }

    private String lastKey;

    @Override
    protected boolean unchanged() {
        MapModel m = map();
        if (m == null || !m.exists()) {
            lastKey = null;
            return false;
        }
        OpContext op = m.op();
        boolean hot = progress < 1 && animates();
        String key = System.identityHashCode(m) + "/" + m.structureVersion() + "/" + m.valueVersion() + "/"
                + m.count() + "/" + op.written() + "/" + op.linked() + "/" + world.cpu() + "/" + panX + "/" + panY
                + "/" + zoom + "/" + canvas.getWidth() + "x" + canvas.getHeight() + "/" + palette.dark();
        if (!hot && key.equals(lastKey)) {
            return true;
        }
        lastKey = hot ? null : key;
        return false;
    }

    @Override
    protected void draw(GraphicsContext g, MapModel m) {
        var geo = m.geometry();
        int p = m.possibleCpus();
        int cur = world.cpu();
        OpContext op = m.op();
        // count bar
        text(g, mapPrefix(m) + "Elements " + m.count() + " / max_entries " + geo.maxEntries(), 12, 16, palette.text(), 14, true);
        double barW = 360;
        double frac = geo.maxEntries() == 0 ? 0 : Math.min(1, m.count() / (double) geo.maxEntries());
        box(g, 12, 28, barW, 14, palette.panel(), palette.line(), 1);
        g.setFill(frac >= 1 ? palette.restart() : palette.match());
        g.fillRoundRect(12, 28, Math.max(2, barW * frac), 14, 10, 10);
        hit(12, 28, barW, 14, "Live elements (the kernel's element count) against max_entries.");
        text(g, "memlock " + String.format("%,d", m.memlock()) + " bytes · " + geo.type().scenarioName() + " key "
                + geo.keySize() + " value " + geo.valueSize() + " · elem_size " + geo.elemSize(), 12, 58,
                palette.muted(), 12, false);
        hit(12, 50, 500, 16, "memlock: the figure the kernel reports in the map's fdinfo (buckets, elements, "
                + "per-CPU areas) at the current count.");
        var types = m.types();
        if (types != null) {
            text(g, "key " + (types.hasKey() ? types.key().spelling() : geo.keySize() + " bytes") + " · value "
                    + (types.hasValue() ? types.value().spelling() : geo.valueSize() + " bytes") + " · decoded field "
                    + "by field (" + types.source() + ")", 12, 74, palette.muted(), 12, false);
            drawTyped(g, m, types, p, cur, op);
            return;
        }
        double y = 84;
        double colW = Math.max(110, Math.min(200, geo.valueSize() * 2 * 8 + 24));
        int cols = m.isPercpu() ? p : 1;
        g.setFont(font(12, true));
        g.setFill(palette.muted());
        g.fillText("elem", 12, y);
        g.fillText("key", 90, y);
        for (int c = 0; c < cols; c++) {
            double x = 200 + c * colW;
            if (m.isPercpu() && c == cur) {
                g.setFill(palette.cpu().deriveColor(0, 1, 1, 0.15));
                g.fillRect(x - 6, y - 10, colW - 4, 3000);
            }
            g.setFill(m.isPercpu() && c == cur ? palette.cpu() : palette.muted());
            g.setFont(font(12, true));
            g.fillText(m.isPercpu() ? "CPU " + c + (c == cur ? " (current)" : "") : "value", x, y);
        }
        y += 20;
        int rows = 0;
        // only rows inside the viewport are drawn: large maps stay cheap
        double firstVisible = panY / zoom - 40;
        double lastVisible = (panY + getHeight()) / zoom + 40;
        for (int b = 0; b < m.nBuckets() && rows < MAX_ROWS && y <= lastVisible; b++) {
            for (int e : m.chain(b)) {
                if (rows++ >= MAX_ROWS) {
                    break;
                }
                if (y < firstVisible || y > lastVisible) {
                    y += 22;
                    continue;
                }
                boolean hot = op.written() == e || op.linked() == e;
                if (hot) {
                    g.setFill(palette.highlight().deriveColor(0, 1, 1, 0.35 * pulse()));
                    g.fillRect(8, y - 10, 200 + cols * colW, 20);
                }
                g.setFill(palette.elem(e));
                String id = "e" + e;
                g.fillRoundRect(10, y - 9, 14 + 8.6 * id.length(), 18, 8, 8);
                text(g, id, 16, y, palette.text(), 12, true);
                g.setFont(mono(12, false));
                g.setFill(palette.text());
                g.fillText(Hex.brief(m.elemKey(e)), 90, y);
                for (int c = 0; c < cols; c++) {
                    byte[] v = m.elemValueSlot(e, c);
                    g.setFill(palette.text());
                    g.setFont(mono(12, false));
                    g.fillText(v == null ? "-" : Hex.of(v), 200 + c * colW, y);
                }
                hit(8, y - 10, 200 + cols * colW, 20, "e" + e + " key " + Hex.of(m.elemKey(e)) + "\nraw value area "
                        + Hex.of(m.elemValue(e)));
                y += 22;
            }
        }
        if (rows == 0) {
            text(g, "(no elements)", 12, y, palette.muted(), 12, false);
        }
        contentWidth = 220 + cols * colW;
        contentHeight = 84 + 20 + Math.min(MAX_ROWS, m.count()) * 22 + 10;
    }

    static final double LINE = 17;

    /**
     * Keys and values by field: each element is a block with one line per member (label and value), the key's
     * members on the left, the value's (per CPU for per-CPU maps) to the right; padding and special fields are
     * marked.
     */
    private void drawTyped(GraphicsContext g, MapModel m, MapTypes types, int p, int cur, OpContext op) {
        int cols = m.isPercpu() ? p : 1;
        double y = 100;
        double firstVisible = panY / zoom - 200;
        double lastVisible = (panY + getHeight()) / zoom + 40;
        // column widths from the lines of the rows in view (monospace: 7.3 px a character at 12 px)
        java.util.List<Row> rows = new java.util.ArrayList<>();
        int n = 0;
        outer:
        for (int b = 0; b < m.nBuckets(); b++) {
            for (int e : m.chain(b)) {
                if (n++ >= MAX_ROWS) {
                    break outer;
                }
                rows.add(new Row(e, lines(types.hasKey() ? types.decodeKey(m.elemKey(e)) : null, m.elemKey(e)),
                        valueLines(m, types, e, cols)));
            }
        }
        int keyChars = 8;
        int valueChars = 10;
        for (Row r : rows) {
            keyChars = Math.max(keyChars, width(r.key()));
            for (java.util.List<MapTypes.Line> v : r.values()) {
                valueChars = Math.max(valueChars, width(v));
            }
        }
        double keyW = Math.min(420, 28 + keyChars * 7.3);
        double colW = Math.min(460, 28 + valueChars * 7.3);
        double keyX = 70;
        double valX = keyX + keyW;
        g.setFont(font(12, true));
        g.setFill(palette.muted());
        g.fillText("elem", 12, y);
        g.fillText("key", keyX, y);
        for (int c = 0; c < cols; c++) {
            double x = valX + c * colW;
            if (m.isPercpu() && c == cur) {
                g.setFill(palette.cpu().deriveColor(0, 1, 1, 0.15));
                g.fillRect(x - 6, y - 10, colW - 4, 100_000);
            }
            g.setFill(m.isPercpu() && c == cur ? palette.cpu() : palette.muted());
            g.fillText(m.isPercpu() ? "CPU " + c + (c == cur ? " (current)" : "") : "value", x, y);
        }
        y += 20;
        for (Row r : rows) {
            int height = Math.max(r.key().size(), 1);
            for (java.util.List<MapTypes.Line> v : r.values()) {
                height = Math.max(height, v.size());
            }
            double blockH = height * LINE + 6;
            if (y + blockH >= firstVisible && y <= lastVisible) {
                int e = r.elem();
                boolean hot = op.written() == e || op.linked() == e;
                g.setFill(hot ? palette.highlight().deriveColor(0, 1, 1, 0.35 * pulse()) : palette.panel());
                g.fillRoundRect(6, y - 11, valX + cols * colW, blockH, 8, 8);
                g.setFill(palette.elem(e));
                String id = "e" + e;
                g.fillRoundRect(10, y - 9, 14 + 8.6 * id.length(), 18, 8, 8);
                text(g, id, 16, y, palette.text(), 12, true);
                drawLines(g, r.key(), keyX, y);
                for (int c = 0; c < cols; c++) {
                    drawLines(g, r.values().get(c), valX + c * colW, y);
                }
                hit(6, y - 11, valX + cols * colW, blockH, "Element e" + e + "\n" + ElemText.key(m, e) + "\n"
                        + ElemText.value(m, e));
            }
            y += blockH + 4;
        }
        if (rows.isEmpty()) {
            text(g, "(no elements)", 12, y, palette.muted(), 12, false);
        }
        contentWidth = valX + cols * colW + 20;
        contentHeight = y + 10;
    }

    private record Row(int elem, java.util.List<MapTypes.Line> key,
                       java.util.List<java.util.List<MapTypes.Line>> values) {
    }

    private static java.util.List<MapTypes.Line> lines(io.htablab.visualizer.model.fields.Field f, byte[] raw) {
        if (f == null) {
            return java.util.List.of(new MapTypes.Line("", Hex.of(raw), null));
        }
        return MapTypes.lines(f);
    }

    private static java.util.List<java.util.List<MapTypes.Line>> valueLines(MapModel m, MapTypes types, int e,
                                                                              int cols) {
        java.util.List<java.util.List<MapTypes.Line>> out = new java.util.ArrayList<>();
        for (int c = 0; c < cols; c++) {
            byte[] v = m.elemValueSlot(e, c);
            if (v == null) {
                out.add(java.util.List.of(new MapTypes.Line("", "-", null)));
            } else {
                out.add(lines(types.hasValue() ? types.decodeValue(v) : null, v));
            }
        }
        return out;
    }

    /** Characters a block of lines needs: labels are aligned, so the longest label plus the longest value. */
    private static int width(java.util.List<MapTypes.Line> lines) {
        int label = 0;
        int text = 0;
        for (MapTypes.Line l : lines) {
            label = Math.max(label, l.label().length());
            text = Math.max(text, Math.min(40, l.text().length()));
        }
        return label + (label == 0 ? 0 : 2) + text;
    }

    private void drawLines(GraphicsContext g, java.util.List<MapTypes.Line> lines, double x, double y) {
        int labelChars = 0;
        for (MapTypes.Line l : lines) {
            labelChars = Math.max(labelChars, l.label().length());
        }
        double valueX = x + (labelChars == 0 ? 0 : labelChars * 7.3 + 12);
        for (MapTypes.Line l : lines) {
            var f = l.field();
            boolean muted = f != null && (f.isPadding() || f.isSpecial());
            g.setFont(mono(12, false));
            g.setFill(palette.muted());
            g.fillText(l.label(), x, y);
            g.setFill(f != null && f.isSpecial() ? palette.lock() : muted ? palette.muted() : palette.text());
            String t = l.text().length() > 40 ? l.text().substring(0, 39) + "…" : l.text();
            g.fillText(t, valueX, y);
            y += LINE;
        }
    }
}
