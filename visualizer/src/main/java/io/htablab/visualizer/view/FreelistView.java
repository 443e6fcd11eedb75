package io.htablab.visualizer.view;

import io.htablab.visualizer.model.ElemLocation;
import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.OpContext;
import javafx.scene.canvas.GraphicsContext;

/**
 * Per-CPU freelists (head first) and extra elements of a preallocated map. Elements keep their identity
 * colour, so one can follow an element from a bucket to a freelist and back into another bucket.
 */
public final class FreelistView extends CanvasView {
    static final double W = 54;
    static final double H = 34;
    static final int MAX_SHOWN = 60;

    public FreelistView() {
        super("freelistView", "Per-CPU freelists: a new key pops the head of the current CPU's list (other CPUs' "
                + "lists only when it is empty); a delete pushes onto the CURRENT CPU's list. HASH maps keep one "
                + "extra element per CPU for replacing updates.");
    }

    @Override
    protected boolean animates() {
        MapModel m = map();
        return m != null && m.exists() && (m.op().last() instanceof io.htablab.hashtab.htab.event.FreelistEvent
                || m.op().last() instanceof io.htablab.hashtab.htab.event.BucketEvent.ElemUnlinked);
    }

    @Override
    protected void draw(GraphicsContext g, MapModel m) {
        OpContext op = m.op();
        int cur = world.cpu();
        if (!m.isPrealloc()) {
            text(g, mapPrefix(m) + "Not preallocated: elements are allocated on demand; " + m.count() + " live of max "
                    + m.geometry().maxEntries() + ".", 12, 18, palette.text(), 13, true);
            contentWidth = 500;
            contentHeight = 40;
            return;
        }
        if (m.isLru()) {
            text(g, "LRU maps have no per-CPU freelist: see the LRU view.", 12, 18, palette.muted(), 13, false);
            contentWidth = 500;
            contentHeight = 40;
            return;
        }
        text(g, mapPrefix(m) + "Per-CPU freelists (head first) · " + m.geometry().numEntries() + " preallocated elements", 12, 16,
                palette.text(), 14, true);
        double y = 36;
        boolean hasExtras = m.type() == io.htablab.hashtab.htab.MapType.HASH;
        double maxX = 500;
        for (int c = 0; c < m.possibleCpus(); c++) {
            boolean current = c == cur;
            if (current) {
                g.setFill(palette.cpu().deriveColor(0, 1, 1, 0.15));
                g.fillRoundRect(4, y - 4, 3000, H + 8 + 14, 10, 10);
            }
            text(g, "CPU " + c, 12, y + H / 2, current ? palette.cpu() : palette.text(), 13, true);
            text(g, current ? "current" : m.freelistSize(c) + " free", 12, y + H / 2 + 16, current ? palette.cpu()
                    : palette.muted(), 10, current);
            double x = 80;
            if (hasExtras) {
                int ex = m.extra(c);
                text(g, "extra", x, y - 2 + 3, palette.muted(), 10, false);
                if (ex >= 0) {
                    double[] p = place(elemId(m.id(), ex), x, y + 6);
                    elem(g, m, op, ex, p[0], p[1]);
                } else {
                    box(g, x, y + 6, W, H, palette.background(), palette.line(), 1);
                }
                x += W + 26;
            }
            int[] list = m.freelist(c);
            text(g, "freelist", x, y + 1, palette.muted(), 10, false);
            double lx = x;
            for (int i = 0; i < list.length && i < MAX_SHOWN; i++) {
                double[] p = place(elemId(m.id(), list[i]), lx, y + 6);
                elem(g, m, op, list[i], p[0], p[1]);
                if (i > 0) {
                    arrow(g, lx - 12, y + 6 + H / 2, lx - 2, y + 6 + H / 2, palette.line(), 1);
                }
                lx += W + 14;
            }
            if (list.length > MAX_SHOWN) {
                text(g, "… " + (list.length - MAX_SHOWN) + " more", lx, y + 6 + H / 2, palette.muted(), 11, false);
                lx += 80;
            }
            if (list.length == 0) {
                text(g, "(empty)", lx, y + 6 + H / 2, palette.muted(), 11, false);
            }
            hit(80, y, lx, H + 10, "CPU " + c + "'s freelist: " + list.length + " elements" + (hasExtras
                    ? "; extra e" + m.extra(c) : ""));
            maxX = Math.max(maxX, lx + 40);
            y += H + 26;
        }
        // elements taken but not linked yet
        StringBuilder inFlight = new StringBuilder();
        double x = 80;
        for (int e = 0; e < m.elemSlots() && e < 100_000; e++) {
            if (m.elemLocation(e) == ElemLocation.IN_FLIGHT) {
                double[] p = place(elemId(m.id(), e), x, y + 8);
                elem(g, m, op, e, p[0], p[1]);
                x += W + 14;
                inFlight.append(" e").append(e);
            }
        }
        if (!inFlight.isEmpty()) {
            text(g, "in hand", 12, y + 8 + H / 2, palette.lock(), 12, true);
            y += H + 20;
        }
        contentWidth = maxX;
        contentHeight = y + 10;
    }

    private void elem(GraphicsContext g, MapModel m, OpContext op, int e, double x, double y) {
        g.setGlobalAlpha(appear(elemId(m.id(), e)));
        try {
            drawElem(g, m, op, e, x, y);
        } finally {
            g.setGlobalAlpha(1);
        }
    }

    private void drawElem(GraphicsContext g, MapModel m, OpContext op, int e, double x, double y) {
        boolean hot = op.freelistElem() == e || op.unlinked() == e;
        box(g, x, y, W, H, palette.elem(e), hot ? palette.highlight() : palette.elemEdge(e), hot ? 3.5 * pulse()
                : 1.2);
        centered(g, "e" + e, x + W / 2, y + H / 2, palette.text(), font(12, true));
        hit(x, y, W, H, "Element e" + e + " · " + m.elemLocation(e) + (m.elemKey(e) != null ? "\nlast key "
                + m.keyText(m.elemKey(e)) : "") + "\nvalue bytes stay in the element when it is freed (reuse shows "
                + "through per-CPU padding).");
    }
}
