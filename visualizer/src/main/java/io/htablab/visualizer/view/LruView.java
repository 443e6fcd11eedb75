package io.htablab.visualizer.view;

import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.lru.BpfLruListType;
import io.htablab.visualizer.model.ElemLocation;
import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.LruModel;
import io.htablab.visualizer.model.MapModel;
import javafx.scene.canvas.GraphicsContext;

/**
 * The BPF LRU: global (or per-CPU) ACTIVE, INACTIVE and FREE lists head first, the INACTIVE rotation cursor,
 * ref bits, and for the common LRU each CPU's LOCAL_FREE and PENDING lists and next_steal.
 */
public final class LruView extends CanvasView {
    static final double W = 58;
    static final double H = 36;
    static final int MAX_SHOWN = 40;

    public LruView() {
        super("lruView", "BPF LRU: new nodes start INACTIVE (common LRU: after a stay on the CPU's PENDING list). "
                + "A program lookup sets the ref bit (*); rotation moves referenced nodes to ACTIVE; shrinking "
                + "evicts unreferenced nodes from the INACTIVE tail. The cursor ▲ marks where rotation resumes.");
    }

    @Override
    protected boolean animates() {
        MapModel m = map();
        return m != null && m.exists() && m.op().last() instanceof LruEvent;
    }

    @Override
    protected void draw(GraphicsContext g, MapModel m) {
        LruModel l = m.lru();
        if (l == null) {
            text(g, m.isLru() ? "LRU not populated yet." : "Not an LRU map: see the freelist view.", 12, 18,
                    palette.muted(), 13, false);
            contentWidth = 400;
            contentHeight = 40;
            return;
        }
        text(g, mapPrefix(m) + (l.isPercpu() ? "Per-CPU LRU (no_common_lru)" : "Common LRU") + " · " + l.nrElems() + " nodes · "
                + (l.isPercpu() ? "shrink target " : "target_free ") + l.targetFree() + " · nr_scans "
                + l.nrScans(), 12, 16, palette.text(), 14, true);
        if (l.lastStep() != null) {
            text(g, "last step: " + l.lastStep(), 12, 34, palette.muted(), 12, false);
        }
        double y = 56;
        double maxX = 600;
        int cur = world.cpu();
        int lists = l.isPercpu() ? l.possibleCpus() : 1;
        for (int c = 0; c < lists; c++) {
            int lruCpu = l.isPercpu() ? c : LruEvent.GLOBAL;
            if (l.isPercpu()) {
                text(g, "CPU " + c + "'s LRU list", 12, y, c == cur ? palette.cpu() : palette.text(), 13, true);
                y += 16;
            }
            for (BpfLruListType t : new BpfLruListType[] {BpfLruListType.ACTIVE, BpfLruListType.INACTIVE,
                    BpfLruListType.FREE}) {
                maxX = Math.max(maxX, row(g, m, l, t, lruCpu, y, t == BpfLruListType.INACTIVE
                        ? l.rotationCursor(lruCpu) : Integer.MIN_VALUE));
                y += H + 26;
            }
        }
        if (!l.isPercpu()) {
            for (int c = 0; c < l.possibleCpus(); c++) {
                boolean current = c == cur;
                text(g, "CPU " + c + (current ? " (current)" : "") + " · next_steal " + l.nextSteal(c), 12, y,
                        current ? palette.cpu() : palette.text(), 13, true);
                y += 16;
                maxX = Math.max(maxX, row(g, m, l, BpfLruListType.LOCAL_FREE, c, y, Integer.MIN_VALUE));
                y += H + 22;
                maxX = Math.max(maxX, row(g, m, l, BpfLruListType.LOCAL_PENDING, c, y, Integer.MIN_VALUE));
                y += H + 26;
            }
        }
        contentWidth = maxX;
        contentHeight = y;
    }

    private double row(GraphicsContext g, MapModel m, LruModel l, BpfLruListType t, int cpu, double y, int cursor) {
        int[] nodes = l.list(t, cpu);
        String name = switch (t) {
            case ACTIVE -> "ACTIVE";
            case INACTIVE -> "INACTIVE";
            case FREE -> "FREE";
            case LOCAL_FREE -> "local free";
            case LOCAL_PENDING -> "pending";
        };
        text(g, name, 12, y + H / 2, palette.text(), 12, true);
        text(g, nodes.length + "", 12, y + H / 2 + 14, palette.muted(), 10, false);
        double x = 100;
        if (cursor == LruEvent.SENTINEL) {
            cursorMark(g, x - 14, y);
        }
        for (int i = 0; i < nodes.length && i < MAX_SHOWN; i++) {
            int n = nodes[i];
            double[] p = place(elemId(m.id(), n), x, y);
            boolean moved = l.lastMoved() == n;
            boolean scanned = l.lastScanned() == n;
            boolean linked = m.elemLocation(n) == ElemLocation.BUCKET;
            boolean evicted = m.op().evicted().contains(n);
            var edge = evicted ? palette.restart() : moved ? palette.highlight() : scanned ? palette.walk()
                    : palette.elemEdge(n);
            box(g, p[0], p[1], W, H, palette.elem(n), edge, moved || scanned || evicted ? 3.2 : 1.2);
            text(g, "n" + n + (l.ref(n) ? " *" : ""), p[0] + 6, p[1] + 11, l.ref(n) ? palette.restart()
                    : palette.text(), 11, true);
            text(g, linked ? "k " + (m.types() != null && m.types().hasKey() ? BucketsView.fit(m.keyText(m.elemKey(n)), 8)
                    : Hex.brief(m.elemKey(n))) : "—", p[0] + 6, p[1] + 26, palette.muted(), 10, false);
            hit(p[0], p[1], W, H, "node n" + n + " (element e" + n + ") · " + t + " · ref " + (l.ref(n) ? 1 : 0)
                    + (linked ? "\nkey " + m.keyText(m.elemKey(n)) : "\nnot linked in the table")
                    + (l.nodeCpu(n) >= 0 ? "\ncpu " + l.nodeCpu(n) : ""));
            if (n == cursor) {
                cursorMark(g, p[0] + W / 2 - 6, y);
            }
            x += W + 10;
        }
        if (nodes.length > MAX_SHOWN) {
            text(g, "… " + (nodes.length - MAX_SHOWN) + " more", x, y + H / 2, palette.muted(), 11, false);
            x += 80;
        }
        hit(10, y, 86, H, name + " list: head on the left.");
        return x + 20;
    }

    private void cursorMark(GraphicsContext g, double x, double y) {
        g.setFill(palette.lock());
        g.fillPolygon(new double[] {x, x + 12, x + 6}, new double[] {y + H + 14, y + H + 14, y + H + 4}, 3);
        text(g, "rot", x - 2, y + H + 20, palette.lock(), 9, true);
    }
}
