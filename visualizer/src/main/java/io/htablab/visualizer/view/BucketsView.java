package io.htablab.visualizer.view;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.visualizer.model.ElemLocation;
import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.OpContext;
import io.htablab.visualizer.model.ReaderState;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

/**
 * The bucket array: one row per bucket, its chain of elements head first, and the nulls marker ending each
 * chain labelled with the bucket number it encodes. Large maps switch to a dense occupancy grid.
 */
public final class BucketsView extends CanvasView {
    public static final int DENSE_THRESHOLD = 256;
    static final double ROW = 60;
    static final double TOP = 44;
    static final double NODE_W = 124;
    static final double NODE_H = 46;
    static final double GAP = 30;
    static final double CHAIN_X = 110;

    private int[] lengthCache;
    private long lengthCacheKey = -1;
    private long followed = -1;

    private final javafx.scene.shape.Circle ring = new javafx.scene.shape.Circle(8);
    private double ringX;
    private double ringY;

    /** Height of the dense view's fixed header; the ring never goes over it. */
    private static final double HEADER = 58;

    /** Whether the ring is shown (it is never made invisible, see {@link #showRing}). */
    private boolean ringShown;

    /**
     * Shows or hides the ring by its colour. The node stays visible and still: a node hidden with
     * setVisible(false) right after a change stays dirty in the renderer, which then repaints the whole window
     * every frame (measured: 172 nodes, 30-70 ms per frame instead of 10 nodes, 1-5 ms).
     */
    private void showRing(boolean on) {
        ringShown = on;
        ring.setStroke(on ? palette.highlight().darker() : Color.TRANSPARENT);
    }

    /**
     * Moves the pulsing ring. It must stay wholly inside the view: a node that reaches past the view (the split
     * pane clips it) also makes every frame a full-window repaint, so a ring that does not fit is hidden, and
     * a hidden ring is not moved.
     */
    private void placeRing() {
        if (!ringShown) {
            return;
        }
        double r = 6 + 10 * (1 - progress);
        double reach = 16 + ring.getStrokeWidth();
        if (ringX - reach < 0 || ringY - reach < HEADER || ringX + reach > getWidth() || ringY + reach > getHeight()) {
            showRing(false);
            return;
        }
        ring.setCenterX(ringX);
        ring.setCenterY(ringY);
        ring.setRadius(r);
    }

    @Override
    protected boolean animates() {
        MapModel m = map();
        if (m != null && m.exists() && m.nBuckets() > DENSE_THRESHOLD) {
            placeRing();
            return false;
        }
        return true;
    }

    private String denseKey;

    /** Dense mode: the grid only changes with the chains, the view and the theme; the ring moves by itself. */
    @Override
    protected boolean unchanged() {
        MapModel m = map();
        if (m == null || !m.exists() || m.nBuckets() <= DENSE_THRESHOLD) {
            denseKey = null;
            return false;
        }
        OpContext op = m.op();
        String key = System.identityHashCode(m) + "/" + m.structureVersion() + "/" + panX + "/" + panY + "/" + zoom
                + "/" + canvas.getWidth() + "x" + canvas.getHeight() + "/" + palette.dark() + "/"
                + (op.hash() == null ? -1 : op.hash().bucket());
        if (key.equals(denseKey)) {
            placeRing();
            return true;
        }
        denseKey = key;
        return false;
    }

    @Override
    public double[] boxSize(long id) {
        return new double[] {NODE_W, NODE_H};
    }

    public BucketsView() {
        super("bucketsView", "Bucket array: each bucket heads a chain (hlist_nulls). New elements go to the head; "
                + "the chain ends in a nulls marker that names its bucket. A lookup walks the chain comparing the "
                + "stored hash, then the key. Drag to pan, Ctrl+wheel to zoom.");
        ring.setFill(null);
        ring.setStrokeWidth(3);
        ring.setMouseTransparent(true);
        ring.setManaged(false);
        ring.setCenterX(40); // inside the view's least size, see placeRing
        ring.setCenterY(HEADER + 22);
        showRing(false);
        getChildren().add(ring);
    }

    /** Whether every listed map is drawn, one section under the other (false: the focused map only). */
    private boolean stacked = true;

    /** Where each map's section starts in the last drawing (content coordinates), by map id. */
    private final java.util.Map<Integer, Double> sectionTop = new java.util.HashMap<>();

    public void setStacked(boolean on) {
        if (stacked != on) {
            stacked = on;
            redraw();
        }
    }

    public boolean isStacked() {
        return stacked;
    }

    @Override
    protected boolean drawsWorld() {
        return true;
    }

    @Override
    protected void draw(GraphicsContext g, MapModel m) {
        // unused: the bucket view draws the world (drawsWorld)
    }

    @Override
    protected void drawWorld(GraphicsContext g) {
        MapModel focus = map();
        if (focus != null && focus.exists() && focus.nBuckets() > DENSE_THRESHOLD) {
            drawDense(g, focus); // a large map is shown alone, as an occupancy grid
            return;
        }
        if (ringShown) {
            showRing(false);
        }
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        for (int id : stacked ? world.mapIds() : focus == null ? java.util.List.<Integer>of()
                : java.util.List.of(mapId)) {
            MapModel m = world.map(id);
            if (m != null && m.exists()) {
                ids.add(id);
            }
        }
        if (ids.isEmpty()) {
            drawEmpty(g);
            return;
        }
        // The focused map is drawn in full; the others as a strip of bucket cells (chain length, lock holder), so
        // that every map stays in sight. First the section offsets, so that the view can follow before drawing.
        int expanded = ids.contains(mapId) ? mapId : ids.get(0);
        sectionTop.clear();
        double y = 0;
        for (int id : ids) {
            sectionTop.put(id, y);
            y += sectionHeight(world.map(id), id != expanded);
        }
        follow(focus, ids, expanded);
        double maxX = 600;
        boolean several = ids.size() > 1;
        for (int id : ids) {
            MapModel m = world.map(id);
            double top = sectionTop.get(id);
            if (m.nBuckets() > DENSE_THRESHOLD) {
                drawDenseSummary(g, m, id, top);
            } else if (id != expanded) {
                drawCompact(g, m, id, top);
            } else {
                maxX = Math.max(maxX, drawMap(g, m, id, top, several));
            }
        }
        contentWidth = maxX;
        contentHeight = y;
    }

    private static final double SECTION_GAP = 18;
    static final double CELL_W = 40;
    static final double CELL_H = 30;

    /** Bucket cells per row of a compact section (as many as the view shows, at least 16). */
    private int cellsPerRow() {
        double w = getWidth() <= 0 ? 800 : getWidth() / zoom;
        return Math.max(16, (int) ((w - 24) / (CELL_W + 4)));
    }

    private double sectionHeight(MapModel m, boolean compact) {
        if (m.nBuckets() > DENSE_THRESHOLD) {
            return 44 + SECTION_GAP;
        }
        if (compact) {
            int rows = (m.nBuckets() + cellsPerRow() - 1) / cellsPerRow();
            return 30 + rows * (CELL_H + 4) + SECTION_GAP;
        }
        return TOP + m.nBuckets() * ROW + SECTION_GAP;
    }

    private void sectionTitle(GraphicsContext g, MapModel m, int id, double y0, boolean several, boolean compact) {
        var geo = m.geometry();
        boolean active = several && id == world.activeMapId();
        if (several) {
            g.setFill(active ? palette.highlight().deriveColor(0, 1, 1, 0.45) : palette.panel());
            g.fillRoundRect(4, y0 + 2, 4000, 24, 8, 8);
        }
        double x = 12;
        if (active) {
            g.setFill(palette.highlight().darker());
            g.fillRoundRect(6, y0 + 5, 62, 18, 8, 8);
            text(g, "▶ acting", 12, y0 + 14, palette.background(), 11, true);
            x = 76;
        }
        String title = (several ? world.displayName(id) : "Bucket array of " + world.displayName(id)) + " · "
                + geo.type().scenarioName() + " (map id " + id + ") · " + m.nBuckets() + " buckets, hash & "
                + (m.nBuckets() - 1) + " · seed " + Hex.u32(geo.hashrnd()) + " · " + m.count() + " of "
                + geo.maxEntries() + " entries" + (m.types() != null ? " · typed" : "")
                + (compact ? "   (each cell a bucket: its chain length)" : "");
        text(g, title, x, y0 + 15, palette.text(), compact ? 13 : 14, true);
        hit(4, y0 + 2, 900, 24, "Map " + world.displayName(id) + " (id " + id + "): " + geo.type().scenarioName()
                + ", key " + geo.keySize() + " bytes, value " + geo.valueSize() + " bytes, max_entries "
                + geo.maxEntries() + (m.types() != null ? "\nkey type " + spelling(m.types().key()) + ", value type "
                + spelling(m.types().value()) + " (" + m.types().source() + ")" : "")
                + (several ? "\nEvery map of the session is drawn here: the one the current event belongs to in full, "
                + "the others as a row of buckets (locks stay visible). Choose a map in the selector to see only "
                + "it." : ""));
    }

    /** A map that is not acting now: one cell per bucket with its chain length, lock holder and failed locks. */
    private void drawCompact(GraphicsContext g, MapModel m, int id, double y0) {
        sectionTitle(g, m, id, y0, true, true);
        OpContext op = m.op();
        int opBucket = op.running() && op.hash() != null ? op.hash().bucket() : -1;
        int perRow = cellsPerRow();
        for (int b = 0; b < m.nBuckets(); b++) {
            double x = 12 + (b % perRow) * (CELL_W + 4);
            double y = y0 + 30 + (b / perRow) * (CELL_H + 4);
            int len = m.chainLength(b);
            Integer lockCpu = m.locks().get(b);
            var failure = m.lockFailures().get(b);
            Color fill = b == opBucket ? palette.highlight().deriveColor(0, 1, 1, 0.6)
                    : len == 0 ? palette.panel() : palette.walk().deriveColor(0, 1, 1, Math.min(0.65, 0.18 + 0.16 * len));
            Color edge = lockCpu != null ? palette.cpuColor(lockCpu) : failure != null ? palette.restart()
                    : palette.line();
            box(g, x, y, CELL_W, CELL_H, fill, edge, lockCpu != null || failure != null ? 3 : 1);
            text(g, "b" + b, x + 4, y + 9, palette.muted(), 9, false);
            text(g, Integer.toString(len), x + (lockCpu != null ? 8 : 14), y + 21, palette.text(), 12, true);
            if (lockCpu != null) {
                padlock(g, x + CELL_W - 15, y + 12, palette.cpuColor(lockCpu));
            }
            StringBuilder tip = new StringBuilder("Bucket " + b + " of " + world.displayName(id) + ": " + len
                    + (len == 1 ? " element" : " elements"));
            int[] chain = m.chain(b);
            for (int i = 0; i < chain.length && i < 6; i++) {
                tip.append(i == 0 ? " (keys " : ", ").append(BucketsView.fit(m.keyText(m.elemKey(chain[i])), 40));
            }
            if (chain.length > 0) {
                tip.append(chain.length > 6 ? ", …)" : ")");
            }
            if (lockCpu != null) {
                tip.append("\nBucket ").append(b).append(" of ").append(world.displayName(id))
                        .append(" is locked by CPU ").append(lockCpu).append('.');
            }
            if (failure != null) {
                tip.append('\n').append(failureText(failure, b));
                g.setFill(palette.restart());
                g.fillOval(x + CELL_W - 9, y - 3, 10, 10);
            }
            hit(x, y, CELL_W, CELL_H, tip.toString());
        }
    }

    /** Keeps the focused map's operation bucket in view, once per step. */
    private void follow(MapModel focus, java.util.List<Integer> ids, int expanded) {
        if (focus == null || !ids.contains(mapId) || mapId != expanded || followed == stamp) {
            return;
        }
        OpContext op = focus.op();
        int opBucket = op.hash() == null ? -1 : op.hash().bucket();
        followed = stamp;
        double h = getHeight();
        double top = sectionTop.get(mapId);
        double total = 0;
        for (double t : sectionTop.values()) {
            total = Math.max(total, t);
        }
        int lastId = ids.get(ids.size() - 1);
        total += sectionHeight(world.map(lastId), lastId != expanded);
        double want = opBucket >= 0 ? top + TOP + opBucket * ROW : top;
        double by = want * zoom;
        double span = (opBucket >= 0 ? ROW : TOP + ROW) * zoom;
        if (h > 0 && (by < panY || by + span > panY + h)) {
            double maxPan = Math.max(0, total * zoom - h + 20);
            panY = Math.max(0, Math.min(maxPan, opBucket >= 0 ? by - h / 3 : by - 8));
            redrawAgain = true;
        }
    }

    /** Whether map {@code m}'s section shows its operation's highlights: the map acting now, or mid-operation. */
    private boolean showsOp(MapModel m, int id) {
        return id == world.activeMapId() || m.op().running() || !stacked;
    }

    /** One map's bucket array at {@code y0}; returns the right edge drawn. */
    private double drawMap(GraphicsContext g, MapModel m, int id, double y0, boolean several) {
        boolean live = showsOp(m, id);
        OpContext op = live ? m.op() : OpContext.IDLE;
        ReaderState reader = m.reader();
        HtabEvent last = op.last();
        sectionTitle(g, m, id, y0, several, false);
        double maxX = 600;
        int opBucket = op.hash() == null ? -1 : op.hash().bucket();
        for (int b = 0; b < m.nBuckets(); b++) {
            double y = y0 + TOP + b * ROW;
            boolean target = b == opBucket && op.op() != null;
            if (target) {
                g.setFill(palette.highlight().deriveColor(0, 1, 1, 0.28 * pulse()));
                g.fillRoundRect(4, y - 6, 4000, ROW - 2, 12, 12);
            }
            if (reader.active() && reader.bucket() == b) {
                g.setFill(palette.reader().deriveColor(0, 1, 1, 0.14));
                g.fillRoundRect(4, y - 6, 4000, ROW - 2, 12, 12);
            }
            drawBucketHead(g, m, id, b, y);
            int[] chain = m.chain(b);
            double x = CHAIN_X;
            double prevX = 82;
            for (int i = 0; i < chain.length; i++) {
                int e = chain[i];
                long key = elemId(id, e);
                double[] p = place(key, x, y);
                g.setGlobalAlpha(appear(key));
                drawElem(g, m, op, e, p[0], p[1], b);
                g.setGlobalAlpha(1);
                arrow(g, prevX + 2, y + NODE_H / 2, p[0] - 2, p[1] + NODE_H / 2, palette.line(), 1.4);
                prevX = p[0] + NODE_W;
                x += NODE_W + GAP;
            }
            int marker = m.chainEndMarker(b);
            double[] p = place(elemId(id, -1_000_000 - b), x, y);
            arrow(g, prevX + 2, y + NODE_H / 2, p[0] - 2, y + NODE_H / 2, palette.line(), 1.4);
            drawNulls(g, op, reader, b, marker, p[0], y);
            maxX = Math.max(maxX, x + 80);
        }
        drawReader(g, m, reader, y0);
        drawUnlinkGhost(g, m, op, last, y0);
        return maxX;
    }

    private static String spelling(io.htablab.hashtab.cfront.CType t) {
        return t == null ? "(bytes)" : t.spelling();
    }

    /**
     * The bucket's head box. A locked bucket shows the CPU holding its lock in that CPU's colour (the CPU lane
     * lists what each CPU holds); a failed acquisition of a running operation is marked in red beside it.
     */
    private void drawBucketHead(GraphicsContext g, MapModel m, int id, int b, double y) {
        Integer lockCpu = m.locks().get(b);
        var failure = m.lockFailures().get(b);
        Color edge = lockCpu != null ? palette.cpuColor(lockCpu) : palette.line();
        box(g, 12, y, 70, NODE_H, palette.panel(), edge, lockCpu != null ? 3 : 1.2);
        text(g, "b" + b, 22, y + 16, palette.text(), 15, true);
        if (lockCpu != null) {
            padlock(g, 62, y + 5, palette.cpuColor(lockCpu));
            g.setFill(palette.cpuColor(lockCpu));
            g.fillRoundRect(16, y + 26, 60, 15, 6, 6);
            text(g, "CPU " + lockCpu, 21, y + 34, palette.background(), 11, true);
            hit(12, y, 70, NODE_H, "Bucket " + b + " of " + world.displayName(id) + " is locked by CPU " + lockCpu
                    + " (writers lock the bucket; lookups do not). The CPU lane above shows every lock a CPU holds.");
        } else {
            text(g, "head", 22, y + 34, palette.muted(), 11, false);
            hit(12, y, 70, NODE_H, "Bucket " + b + ": the head pointer of its chain (unlocked).");
        }
        if (failure != null) {
            double fx = 12;
            double fy = y - 5;
            g.setFill(palette.restart());
            g.fillRoundRect(fx + 40, fy - 6, 78, 14, 6, 6);
            text(g, "✗ CPU " + failure.cpu() + " " + failure.errno(), fx + 44, fy + 1, palette.background(), 10, true);
            hit(fx + 40, fy - 6, 78, 14, failureText(failure, b));
        }
    }

    private static String failureText(io.htablab.visualizer.model.CpuState.LockFailure failure, int b) {
        return "CPU " + failure.cpu() + " failed to take bucket " + b + "'s lock: " + failure.errno()
                + (failure.holderCpu() >= 0 ? " (held by CPU " + failure.holderCpu()
                + (failure.holderCpu() == failure.cpu() ? ": the same CPU, re-entry" : "") + ")" : "")
                + ". The operation returns the error and changes nothing."
                + (failure.reason() == null ? "" : "\n" + failure.reason());
    }

    /** A large map that is not the focused one: one line (its grid shows when it is chosen or acting). */
    private void drawDenseSummary(GraphicsContext g, MapModel m, int id, double y0) {
        g.setFill(palette.panel());
        g.fillRoundRect(4, y0 + 2, 4000, 40, 8, 8);
        text(g, world.displayName(id) + " (" + m.type().scenarioName() + ", map id " + id + ") · " + m.nBuckets()
                + " buckets · " + m.count() + " of " + m.geometry().maxEntries() + " entries", 12, y0 + 14,
                palette.text(), 13, true);
        text(g, "too large to draw here: it shows as an occupancy grid when it acts or is chosen in the map "
                + "selector", 12, y0 + 32, palette.muted(), 11, false);
    }

    private void drawElem(GraphicsContext g, MapModel m, OpContext op, int e, double x, double y, int bucket) {
        boolean visited = false;
        boolean matched = false;
        boolean hashMatch = false;
        for (OpContext.Visit v : op.visits()) {
            if (v.elem() == e) {
                visited = true;
                matched |= v.keyMatch();
                hashMatch |= v.hashMatch();
            }
        }
        boolean current = op.walkPosition() == e && op.last() instanceof BucketEvent.NodeVisited;
        boolean linked = op.linked() == e;
        Color edge = palette.elemEdge(e);
        double width = 1.4;
        if (visited) {
            edge = matched ? palette.match() : palette.walk();
            width = current ? 4 : 2.5;
        }
        if (linked) {
            edge = palette.match();
            width = 3.5 * pulse();
        }
        if (current) {
            g.setFill(palette.walk().deriveColor(0, 1, 1, 0.25 * pulse()));
            g.fillRoundRect(x - 6, y - 6, NODE_W + 12, NODE_H + 12, 16, 16);
        }
        box(g, x, y, NODE_W, NODE_H, palette.elem(e), edge, width);
        text(g, "e" + e, x + 8, y + 13, palette.text(), 12, true);
        g.setFont(mono(11, false));
        g.setFill(palette.muted());
        g.fillText(Hex.u32(m.elemHash(e)).substring(2), x + NODE_W - 62, y + 13);
        var types = m.types();
        String keyText = types != null && types.hasKey() ? fit(types.keyText(m.elemKey(e)), 15)
                : Hex.brief(m.elemKey(e));
        text(g, "key " + keyText, x + 8, y + 29, palette.text(), 12, false);
        String v;
        if (m.isPercpu()) {
            v = "val ×" + m.possibleCpus() + " CPUs";
        } else if (types != null && types.hasValue()) {
            v = "val " + fit(io.htablab.visualizer.model.fields.MapTypes.compact(types.decodeValue(
                    m.elemValueSlot(e, 0))), 16);
        } else {
            v = "val " + Hex.brief(m.elemValueSlot(e, 0));
        }
        text(g, v, x + 8, y + 42 - 3, palette.muted(), 11, false);
        if (visited && !matched) {
            text(g, hashMatch ? "hash =, key ≠" : "hash ≠", x + 4, y - 7, palette.walk(), 10, true);
        } else if (matched) {
            text(g, "found", x + 4, y - 7, palette.match(), 10, true);
        }
        hit(x, y, NODE_W, NODE_H, "Element e" + e + " (identity = its slot in the element store)\n"
                + ElemText.key(m, e) + "\nstored hash " + Hex.u32(m.elemHash(e)) + " → bucket "
                + (m.elemHash(e) & (m.nBuckets() - 1)) + "\n" + ElemText.value(m, e) + "\nin bucket " + bucket);
    }

    /** {@code s} cut to {@code n} characters with an ellipsis. */
    static String fit(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private void drawNulls(GraphicsContext g, OpContext op, ReaderState reader, int b, int marker, double x,
                           double y) {
        boolean reached = op.nulls() != null && op.nulls().marker() == b && op.last() instanceof BucketEvent.NullsReached;
        boolean foreign = marker != b;
        Color edge = foreign ? palette.restart() : palette.line();
        if (reader.active() && reader.at() == ~b && b != reader.bucket()) {
            // the race reader was carried here and ended on this foreign marker
            reached = true;
            g.setFill(palette.restart().deriveColor(0, 1, 1, 0.25 * pulse()));
            g.fillOval(x - 8, y - 2, 68, 50);
            text(g, "reader ended here: " + b + " ≠ " + reader.bucket() + " → restart", x + 58, y + 23,
                    palette.restart(), 12, true);
            edge = palette.restart();
        }
        double w = reached ? 3.5 : 1.2;
        if (reached && op.nulls() != null && op.nulls().marker() == b && !(reader.active() && reader.at() == ~b)) {
            edge = op.nulls().restart() ? palette.restart() : palette.match();
            w = 3.5;
        }
        g.setFill(palette.panel());
        g.fillOval(x, y + 6, 52, 34);
        g.setStroke(edge);
        g.setLineWidth(w);
        g.setLineDashes(4, 3);
        g.strokeOval(x, y + 6, 52, 34);
        g.setLineDashes(null);
        centered(g, "nulls " + marker, x + 26, y + 23, foreign ? palette.restart() : palette.muted(), font(11, true));
        hit(x, y + 6, 52, 34, "Nulls marker " + marker + ": the chain's end, encoding the bucket number (" + marker
                + " << 1 | 1). A lockless reader that ends on a marker naming another bucket knows it was carried "
                + "into a foreign chain and restarts.");
    }

    /** The race reader: a purple flag on the link it will follow next. */
    private void drawReader(GraphicsContext g, MapModel m, ReaderState r, double y0) {
        if (!r.active() || r.next() == ReaderState.NOT_STARTED) {
            return;
        }
        double x;
        double y;
        int link = r.next();
        if (link >= 0) {
            if (m.elemLocation(link) != ElemLocation.BUCKET) {
                return;
            }
            int b = m.elemWhere(link);
            int[] chain = m.chain(b);
            int i = 0;
            while (i < chain.length && chain[i] != link) {
                i++;
            }
            x = CHAIN_X + i * (NODE_W + GAP);
            y = y0 + TOP + b * ROW;
        } else {
            int marker = ~link;
            if (marker < 0 || marker >= m.nBuckets()) {
                return;
            }
            x = CHAIN_X + m.chainLength(marker) * (NODE_W + GAP);
            y = y0 + TOP + marker * ROW;
        }
        g.setStroke(palette.reader());
        g.setLineWidth(3);
        g.strokeRoundRect(x - 4, y - 4, (link >= 0 ? NODE_W : 52) + 8, NODE_H + 8, 14, 14);
        g.setFill(palette.reader());
        g.fillRect(x + (link >= 0 ? NODE_W : 52) - 54, y - 16, 58, 14);
        text(g, r.done() ? (r.found() ? "reader ✓" : "reader ∅") : "reader →", x + (link >= 0 ? NODE_W : 52) - 52,
                y - 9, Color.WHITE, 10, true);
    }

    private void drawUnlinkGhost(GraphicsContext g, MapModel m, OpContext op, HtabEvent last, double y0) {
        if (!(last instanceof BucketEvent.ElemUnlinked u) || progress >= 1) {
            return;
        }
        double y = y0 + TOP + u.bucket() * ROW;
        g.setGlobalAlpha(Math.max(0, 1 - progress));
        box(g, CHAIN_X, y - 8, NODE_W, NODE_H, palette.elem(u.elem()), palette.restart(), 3);
        text(g, "e" + u.elem() + " unlinked", CHAIN_X + 8, y + 14, palette.restart(), 12, true);
        g.setGlobalAlpha(1);
    }

    // ------------------------------------------------------------------ dense mode

    private int[] lengths(MapModel m) {
        if (lengthCacheKey != stamp) {
            int[] l = new int[m.nBuckets()];
            for (int b = 0; b < l.length; b++) {
                l[b] = m.chainLength(b);
            }
            lengthCache = l;
            lengthCacheKey = stamp;
        }
        return lengthCache;
    }

    private javafx.scene.image.WritableImage grid;
    private String gridKey;
    private int[] gridPixels = new int[0];

    private javafx.scene.image.WritableImage visibleGrid(int[] len, int cols, int n, double cell, double top,
                                                         Color[] shade) {
        int w = (int) Math.max(1, Math.ceil(canvas.getWidth()));
        int h = (int) Math.max(1, Math.ceil(canvas.getHeight()));
        String key = lengthCacheKey + "/" + panX + "/" + panY + "/" + zoom + "/" + w + "x" + h + "/" + palette.dark();
        if (grid != null && key.equals(gridKey)) {
            return grid;
        }
        int[] argb = new int[shade.length];
        for (int i = 0; i < shade.length; i++) {
            argb[i] = toArgb(shade[i]);
        }
        if (gridPixels.length != w * h) {
            gridPixels = new int[w * h];
        }
        int[] px = gridPixels;
        boolean gaps = zoom * cell >= 3;
        double gapFrac = (cell - 1) / cell;
        // column index and gap flag per screen column, computed once
        int[] colOf = new int[w];
        for (int x = 0; x < w; x++) {
            double cx = ((panX + x) / zoom - 12) / cell;
            colOf[x] = cx < 0 || cx >= cols || (gaps && cx - Math.floor(cx) >= gapFrac) ? -1 : (int) cx;
        }
        for (int y = 0; y < h; y++) {
            double cy = ((panY + y) / zoom - top) / cell;
            int r = (int) Math.floor(cy);
            boolean rowGap = cy < 0 || (gaps && cy - r >= gapFrac);
            int base = y * w;
            for (int x = 0; x < w; x++) {
                int c = colOf[x];
                int b = r * cols + c;
                px[base + x] = rowGap || c < 0 || b >= n ? 0 : argb[Math.min(4, len[b])];
            }
        }
        if (grid == null || grid.getWidth() != w || grid.getHeight() != h) {
            grid = new javafx.scene.image.WritableImage(w, h);
        }
        grid.getPixelWriter().setPixels(0, 0, w, h, javafx.scene.image.PixelFormat.getIntArgbInstance(), px, 0, w);
        gridKey = key;
        return grid;
    }

    private static int toArgb(Color c) {
        return 0xFF000000 | (int) Math.round(c.getRed() * 255) << 16 | (int) Math.round(c.getGreen() * 255) << 8
                | (int) Math.round(c.getBlue() * 255);
    }

    /** Invalidate cached occupancy (the model of the same identity changed). */
    public void invalidate() {
        lengthCacheKey = -1;
    }

    private void drawDense(GraphicsContext g, MapModel m) {
        int n = m.nBuckets();
        int[] len = lengths(m);
        int cols = 256;
        double cell = 6;
        int[] hist = new int[5];
        for (int l : len) {
            hist[Math.min(4, l)]++;
        }
        var geo = m.geometry();
        Color[] shade = {palette.panel(), Color.web("#9ecae1"), Color.web("#4292c6"), Color.web("#08519c"),
                palette.restart()};
        double top = 62;
        int rows = (n + cols - 1) / cols;
        contentWidth = 24 + cols * cell;
        contentHeight = top + rows * cell + 20;
        OpContext follow = m.op();
        if (follow.hash() != null && followed != stamp) {
            // bring the operation's bucket into view once per step
            followed = stamp;
            double by = (top + (follow.hash().bucket() / cols) * cell) * zoom;
            if (by < panY + 60 * zoom || by > panY + getHeight() - 20) {
                panY = Math.max(0, by - getHeight() / 2);
                redrawAgain = true;
            }
            // and sideways: a row of 256 cells is wider than the view in the default window
            double bx = (12 + (follow.hash().bucket() % cols) * cell) * zoom;
            if (bx < panX + 20 || bx > panX + getWidth() - 20) {
                panX = Math.max(0, Math.min(bx - getWidth() / 2, contentWidth * zoom - getWidth() + 40));
                redrawAgain = true;
            }
        }
        // draw only the visible cells: a million buckets stay cheap
        double viewTop = panY / zoom - top;
        double viewBottom = (panY + getHeight()) / zoom - top;
        int r0 = Math.max(0, (int) Math.floor(viewTop / cell));
        int r1 = Math.min(rows - 1, (int) Math.ceil(viewBottom / cell));
        int c0 = Math.max(0, (int) Math.floor((panX / zoom - 12) / cell));
        int c1 = Math.min(cols - 1, (int) Math.ceil(((panX + getWidth()) / zoom - 12) / cell));
        // the visible cells are rendered into a screen-sized image once per step (or pan/zoom) and blitted 1:1:
        // scaling an image or thousands of rectangles is slow in the software pipeline, a blit is not
        if (r1 >= r0 && c1 >= c0) {
            javafx.scene.image.WritableImage img = visibleGrid(len, cols, n, cell, top, shade);
            g.save();
            g.setTransform(1, 0, 0, 1, 0, 0);
            g.drawImage(img, 0, 0);
            g.restore();
        }
        OpContext op = m.op();
        showRing(op.hash() != null);
        if (op.hash() != null) {
            int b = op.hash().bucket();
            double x = 12 + (b % cols) * cell;
            double y = top + (b / cols) * cell;
            // the pulsing ring is a small scene node over the canvas: animation frames move only it
            ringX = (x + cell / 2) * zoom - panX;
            ringY = (y + cell / 2) * zoom - panY;
            placeRing();
            // the label goes left of the ring when the ring is near the right edge
            boolean left = (x + 120) * zoom - panX > getWidth();
            double lx = left ? x - 100 : x + 14;
            g.setFill(palette.background().deriveColor(0, 1, 1, 0.85));
            g.fillRoundRect(lx, y - 10, 90, 20, 8, 8);
            text(g, "b" + b + " (" + len[b] + ")", lx + 4, y, palette.text(), 12, true);
        }
        hit(12, top, cols * cell, rows * cell, "One cell per bucket, coloured by chain length.");
        // the header stays in place while the grid pans under it
        g.save();
        g.setTransform(1, 0, 0, 1, 0, 0);
        g.setFill(palette.background().deriveColor(0, 1, 1, 0.92));
        g.fillRect(0, 0, canvas.getWidth(), HEADER);
        text(g, "Bucket occupancy · " + n + " buckets · " + m.count() + " of " + geo.maxEntries()
                + " entries · seed " + Hex.u32(geo.hashrnd()), 12, 14, palette.text(), 14, true);
        text(g, "chain length 0: " + hist[0] + "   1: " + hist[1] + "   2: " + hist[2] + "   3: " + hist[3]
                + "   4+: " + hist[4] + "    (one cell per bucket, " + cols + " per row; drag to pan, Ctrl+wheel "
                + "zooms)", 12, 32, palette.muted(), 12, false);
        for (int i = 0; i < 5; i++) {
            g.setFill(shade[i]);
            g.fillRect(12 + i * 70, 44, 14, 10);
            text(g, i == 4 ? "4+" : Integer.toString(i), 30 + i * 70, 49, palette.muted(), 11, false);
        }
        g.restore();
    }
}
