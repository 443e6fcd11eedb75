package io.htablab.visualizer.view;

import io.htablab.visualizer.model.CpuState;
import io.htablab.visualizer.model.MapModel;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One lane per CPU: the operations running on it (a nested one after the one it interrupted), the bucket locks it
 * holds in the order it took them, of any map, and a failed acquisition. The colour of a CPU is the colour of its
 * lock badges in the bucket view.
 */
public final class CpuLaneView extends CanvasView {
    static final double ROW = 24;
    static final int MAX_ROWS = 8;

    public CpuLaneView() {
        super("cpuLaneView", "CPU lanes: what each CPU is running and which bucket locks it holds, in the order it "
                + "took them (of any map). Writers lock the bucket they change; lookups take no lock. A lock that "
                + "cannot be taken (EDEADLK: the CPU already holds it, or a cycle; ETIMEDOUT) is shown in red.");
        setMinHeight(34);
        setPrefHeight(10 + 2 * ROW);
    }

    @Override
    protected boolean drawsWorld() {
        return true;
    }

    @Override
    protected boolean animates() {
        return false;
    }

    @Override
    protected void draw(GraphicsContext g, MapModel m) {
        // unused: the lanes draw the world
    }

    private String lastKey;

    @Override
    protected boolean unchanged() {
        StringBuilder key = new StringBuilder(String.valueOf(System.identityHashCode(world)));
        if (world != null) {
            key.append('/').append(world.cpu()).append('/').append(world.mapIds());
            for (int c = 0; c < world.cpuCount(); c++) {
                key.append('/').append(world.cpuState(c));
            }
        }
        key.append('/').append(canvas.getWidth()).append('x').append(canvas.getHeight())
                .append('/').append(palette.dark()).append('/').append(zoom);
        String k = key.toString();
        if (k.equals(lastKey)) {
            return true;
        }
        lastKey = k;
        return false;
    }

    /** The CPUs given a lane: all up to {@link #MAX_ROWS}, else the busy ones and the current one. */
    private List<Integer> shownCpus() {
        List<Integer> out = new ArrayList<>();
        int n = world.cpuCount();
        for (int c = 0; c < n; c++) {
            if (n <= MAX_ROWS || !world.cpuState(c).idle() || c == world.cpu()) {
                if (out.size() < MAX_ROWS) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** The height that shows every lane (the window sizes the view with it). */
    public double wantedHeight() {
        return world == null ? 34 : 10 + Math.max(1, Math.min(MAX_ROWS, world.cpuCount())) * ROW;
    }

    @Override
    protected void drawWorld(GraphicsContext g) {
        double want = wantedHeight();
        if (Math.abs(getPrefHeight() - want) > 0.5) {
            setPrefHeight(want);
        }
        if (world.cpuCount() == 0) {
            text(g, "CPUs · no map yet", 10, 16, palette.muted(), 12, false);
            return;
        }
        List<Integer> cpus = shownCpus();
        double y = 6;
        double maxX = 300;
        for (int c : cpus) {
            maxX = Math.max(maxX, lane(g, c, world.cpuState(c), y));
            y += ROW;
        }
        int hidden = world.cpuCount() - cpus.size();
        if (hidden > 0) {
            text(g, "+ " + hidden + " idle CPUs", maxX + 10, 6 + ROW / 2 - 2, palette.muted(), 11, false);
        }
        contentWidth = maxX + 120;
        contentHeight = y;
    }

    private double lane(GraphicsContext g, int c, CpuState s, double y) {
        boolean current = c == world.cpu();
        Color col = palette.cpuColor(c);
        double cy = y + ROW / 2 - 2;
        g.setFill(current ? col : palette.panel());
        g.fillRoundRect(8, y, 74, ROW - 4, 8, 8);
        g.setStroke(col);
        g.setLineWidth(1.5);
        g.strokeRoundRect(8, y, 74, ROW - 4, 8, 8);
        text(g, "CPU " + c, 16, cy, current ? palette.background() : col, 12, true);
        hit(8, y, 74, ROW - 4, "CPU " + c + (current ? ": the CPU the latest operation ran on" : "")
                + (s.idle() ? "; idle (no operation, no lock)" : ""));
        double x = 92;
        if (s.idle()) {
            text(g, "idle", x, cy, palette.muted(), 11, false);
            return x + 40;
        }
        for (int i = 0; i < s.frames().size(); i++) {
            CpuState.Frame f = s.frames().get(i);
            String label = (i == 0 ? "▶ " : "▸ nested ") + f.op().name().toLowerCase(Locale.ROOT) + " "
                    + world.displayName(f.mapId());
            double w = 12 + label.length() * 6.9;
            g.setFill(palette.panel());
            g.fillRoundRect(x, y + 1, w, ROW - 6, 8, 8);
            g.setStroke(palette.line());
            g.setLineWidth(1);
            g.strokeRoundRect(x, y + 1, w, ROW - 6, 8, 8);
            text(g, label, x + 6, cy, palette.text(), 11, i == s.frames().size() - 1);
            MapModel m = world.map(f.mapId());
            hit(x, y + 1, w, ROW - 6, (i == 0 ? "Running on CPU " + c + ": " : "Nested in the operation before it "
                    + "(a program fired on the same CPU): ") + f.op().name().toLowerCase(Locale.ROOT) + " on map "
                    + world.displayName(f.mapId()) + (f.key() == null || m == null ? "" : ", key "
                    + m.keyText(f.key())));
            x += w + 6;
        }
        for (int i = 0; i < s.holds().size(); i++) {
            CpuState.LockHold h = s.holds().get(i);
            String label = world.displayName(h.mapId()) + " b" + h.bucket();
            double w = 30 + label.length() * 7;
            g.setFill(col.deriveColor(0, 1, 1, palette.dark() ? 0.35 : 0.18));
            g.fillRoundRect(x, y + 1, w, ROW - 6, 8, 8);
            g.setStroke(col);
            g.setLineWidth(2);
            g.strokeRoundRect(x, y + 1, w, ROW - 6, 8, 8);
            padlock(g, x + 5, y + 3, col);
            text(g, label, x + 22, cy, palette.text(), 11, true);
            hit(x, y + 1, w, ROW - 6, "CPU " + c + " holds the lock of bucket " + h.bucket() + " of map "
                    + world.displayName(h.mapId()) + (s.holds().size() > 1 ? " (lock " + (i + 1) + " of "
                    + s.holds().size() + " it holds, in the order taken)" : ""));
            x += w + 6;
        }
        CpuState.LockFailure f = s.failure();
        if (f != null) {
            String label = "✗ " + world.displayName(f.mapId()) + " b" + f.bucket() + ": " + f.errno()
                    + (f.holderCpu() >= 0 ? " (held by CPU " + f.holderCpu() + ")" : "");
            double w = 12 + label.length() * 6.9;
            g.setFill(palette.restart());
            g.fillRoundRect(x, y + 1, w, ROW - 6, 8, 8);
            text(g, label, x + 6, cy, palette.background(), 11, true);
            hit(x, y + 1, w, ROW - 6, "CPU " + c + " could not take the lock of bucket " + f.bucket() + " of map "
                    + world.displayName(f.mapId()) + ": " + f.errno() + (f.holderCpu() == c ? " — this CPU holds "
                    + "it already (re-entry: a program fired while the lock was held)" : f.holderCpu() >= 0
                    ? " — CPU " + f.holderCpu() + " holds it" : "") + ". The operation fails and changes nothing."
                    + (f.reason() == null ? "" : "\n" + f.reason()));
            x += w + 6;
        }
        return x;
    }
}
