package io.htablab.visualizer.view;

import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.OpContext;
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
        text(g, "Elements " + m.count() + " / max_entries " + geo.maxEntries(), 12, 16, palette.text(), 14, true);
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
}
