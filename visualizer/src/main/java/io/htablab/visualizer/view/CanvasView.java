package io.htablab.visualizer.view;

import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.WorldModel;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.shape.ArcType;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;
import javafx.geometry.VPos;
import javafx.util.Duration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A view drawn on a canvas from the model only. It supports zoom (Ctrl+wheel), pan (drag, wheel), tooltips
 * from hit boxes, and tweened motion: an element keeps its previous place for the first part of a step
 * (the highlight), then eases to its new place.
 */
public abstract class CanvasView extends Region {
    protected final Canvas canvas = new Canvas(10, 10);
    protected Palette palette = Palette.LIGHT;
    protected WorldModel world;
    /** The map this view shows (the focused one), by id; {@link WorldModel#NONE} for none. */
    protected int mapId = WorldModel.NONE;
    protected double progress = 1;
    /** Changes whenever the shown state may have changed (for caches). */
    protected long stamp;
    /** Set by a subclass that moved the view while drawing (auto-follow): draw once more. */
    protected boolean redrawAgain;
    protected double zoom = 1;
    protected double panX;
    protected double panY;
    private double dragX;
    private double dragY;
    private Map<Long, double[]> from = new HashMap<>();
    private Map<Long, double[]> drawn = new HashMap<>();
    /** Where each element sits in the current state (content coordinates), for flights between views. */
    private Map<Long, double[]> targets = new HashMap<>();
    private final java.util.Set<Long> incoming = new java.util.HashSet<>();

    /** Element {@code id} arrives by a flight in this step: it stays hidden here until the flight lands. */
    public void setIncoming(long id) {
        incoming.add(id);
        redraw();
    }
    private final List<Hit> hits = new ArrayList<>();
    private final Tooltip tooltip = new Tooltip();
    /** Width and height of the drawn content at zoom 1 (for pan limits). */
    protected double contentWidth;
    protected double contentHeight;

    private record Hit(double x, double y, double w, double h, String text) {
    }

    protected CanvasView(String id, String help) {
        setId(id);
        getChildren().add(canvas);
        getStyleClass().add("canvas-view");
        setMinSize(120, 80);
        tooltip.setShowDelay(Duration.millis(250));
        tooltip.setWrapText(true);
        tooltip.setMaxWidth(460);
        Tooltip.install(this, tooltip);
        tooltip.setText(help);
        String baseHelp = help;
        setOnMouseMoved(e -> {
            String t = hitText((e.getX() + panX) / zoom, (e.getY() + panY) / zoom);
            tooltip.setText(t == null ? baseHelp : t);
        });
        setFocusTraversable(true);
        setOnMousePressed(e -> {
            requestFocus(); // so Space and the arrows drive playback, not a text field
            dragX = e.getX();
            dragY = e.getY();
        });
        setOnMouseDragged(e -> {
            panBy(dragX - e.getX(), dragY - e.getY());
            dragX = e.getX();
            dragY = e.getY();
        });
        setOnScroll(e -> {
            if (e.isControlDown()) {
                double f = e.getDeltaY() > 0 ? 1.15 : 1 / 1.15;
                zoomAt(f, e.getX(), e.getY());
            } else {
                panBy(-e.getDeltaX(), -e.getDeltaY());
            }
            e.consume();
        });
    }

    public void setPalette(Palette p) {
        palette = p;
        redraw();
    }

    public double zoom() {
        return zoom;
    }

    public void setZoom(double z) {
        zoom = Math.max(0.05, Math.min(8, z));
        redraw();
    }

    public void zoomAt(double factor, double x, double y) {
        double nz = Math.max(0.05, Math.min(8, zoom * factor));
        panX = (panX + x) * nz / zoom - x;
        panY = (panY + y) * nz / zoom - y;
        zoom = nz;
        clampPan();
        redraw();
    }

    public void panBy(double dx, double dy) {
        panX += dx;
        panY += dy;
        clampPan();
        redraw();
    }

    public void resetView() {
        panX = 0;
        panY = 0;
        redraw();
    }

    private void clampPan() {
        panX = Math.max(0, Math.min(panX, Math.max(0, contentWidth * zoom - getWidth() + 40)));
        panY = Math.max(0, Math.min(panY, Math.max(0, contentHeight * zoom - getHeight() + 40)));
    }

    /**
     * An element's identity in a view's motion and flight tables: element indices repeat across maps, so the map id
     * is part of it. Negative {@code elem} values name other things of the map (a nulls marker).
     */
    public static long elemId(int mapId, int elem) {
        return ((long) mapId << 32) | (elem & 0xffffffffL);
    }

    /** New state; {@code newStep} starts a motion from where things were drawn last. */
    public void show(WorldModel w, int focusedMap, boolean newStep, double t) {
        progress = t;
        stamp++;
        world = w;
        mapId = focusedMap;
        if (newStep) {
            from = drawn;
            drawn = new HashMap<>();
            targets = new HashMap<>();
            incoming.clear();
        }
        redraw();
    }

    /** Progress of the current step, 0..1 (1 when paused). */
    public void setProgress(double t) {
        progress = t;
        if (animates()) {
            redraw();
        }
    }

    /**
     * Whether the current step changes this view between frames (motion, pulse, reveal). Views answer
     * false when the step is not about them, so an animation frame redraws only what moves.
     */
    protected boolean animates() {
        return true;
    }

    protected MapModel map() {
        return world == null || mapId == WorldModel.NONE ? null : world.map(mapId);
    }

    /**
     * Views that draw the whole world (several maps, the CPUs) answer true and implement {@link #drawWorld};
     * the others draw the focused map only.
     */
    protected boolean drawsWorld() {
        return false;
    }

    protected void drawWorld(GraphicsContext g) {
    }

    @Override
    protected void layoutChildren() {
        double w = Math.max(1, getWidth());
        double h = Math.max(1, getHeight());
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            redraw();
        }
    }

    /** Whether this view and all its parents are visible (a view in an unselected tab is not). */
    public boolean showing() {
        if (getScene() == null) {
            return false;
        }
        for (javafx.scene.Node n = this; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private boolean dirty;

    private static final Map<String, long[]> STATS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Mean redraw time per view id, in milliseconds, since the last call (for performance reports). */
    public static String renderStats() {
        StringBuilder sb = new StringBuilder();
        STATS.forEach((k, v) -> sb.append(String.format("%s %.2f ms x%d; ", k, v[0] / 1e6 / v[1], v[1])));
        STATS.clear();
        return sb.toString();
    }

    /** Redraws if something changed while the view was hidden (call when it becomes visible). */
    public void redrawIfDirty() {
        if (dirty) {
            redraw();
        }
    }

    /**
     * A view may answer true when what it would draw now equals what it drew last (the key it computes is
     * unchanged): the canvas is then left alone, which saves the renderer a full repaint.
     */
    protected boolean unchanged() {
        return false;
    }

    public final void redraw() {
        if (!showing()) {
            dirty = true;
            return;
        }
        if (!dirty && unchanged()) {
            return;
        }
        dirty = false;
        long t0 = System.nanoTime();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setTransform(1, 0, 0, 1, 0, 0);
        g.setFill(palette.background());
        g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
        hits.clear();
        g.save();
        g.translate(-panX, -panY);
        g.scale(zoom, zoom);
        g.setTextBaseline(VPos.CENTER);
        MapModel m = map();
        if (drawsWorld() && world != null) {
            drawWorld(g);
        } else if (m == null || !m.exists()) {
            drawEmpty(g);
        } else {
            draw(g, m);
        }
        g.restore();
        STATS.merge(getId(), new long[] {System.nanoTime() - t0, 1}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        if (redrawAgain) {
            redrawAgain = false;
            redraw();
        }
    }

    /** "map h · " when the session has several maps (so a one-map view says which one it shows), else "". */
    protected String mapPrefix(MapModel m) {
        return world != null && world.mapIds().size() > 1 ? "map " + world.displayName(m.id()) + " · " : "";
    }

    protected void drawEmpty(GraphicsContext g) {
        text(g, "No map yet: create one in the console (e.g. create h type=hash key=4 value=4 max=8 "
                + "flags=zero_seed) or open a sample.", 16, 24, palette.muted(), 13, false);
    }

    protected abstract void draw(GraphicsContext g, MapModel m);

    // ------------------------------------------------------------------ helpers

    /** Where element {@code id} is drawn now, given its place {@code (x, y)} in the current state. */
    protected double[] place(long id, double x, double y) {
        double[] f = from.get(id);
        double[] p;
        if (f == null || progress >= 1) {
            p = new double[] {x, y};
        } else {
            double e = ease(Math.max(0, Math.min(1, (progress - 0.35) / 0.65)));
            p = new double[] {f[0] + (x - f[0]) * e, f[1] + (y - f[1]) * e};
        }
        drawn.put(id, new double[] {x, y});
        targets.put(id, new double[] {x, y});
        if (progress < 1) {
            drawn.put(id, p);
        }
        return p;
    }

    /**
     * Opacity of element {@code id}: an element that was not drawn before this step fades in after the
     * highlight phase; everything else is opaque.
     */
    protected double appear(long id) {
        if (progress < 1 && incoming.contains(id)) {
            return 0; // it is flying in on the overlay
        }
        if (progress >= 1 || from.isEmpty() || from.containsKey(id)) {
            return 1;
        }
        return ease(Math.max(0, Math.min(1, (progress - 0.25) / 0.6)));
    }

    /** Width and height of element {@code id}'s box in this view. */
    public double[] boxSize(long id) {
        return new double[] {54, 34};
    }

    /** Element {@code id}'s box before this step, in scene coordinates (x, y, w, h), or null if not drawn. */
    public double[] sceneBoxBefore(long id) {
        return sceneBox(from.get(id), id);
    }

    /** Element {@code id}'s box in the current state, in scene coordinates, or null if not drawn. */
    public double[] sceneBoxNow(long id) {
        return sceneBox(targets.get(id), id);
    }

    private double[] sceneBox(double[] p, long id) {
        if (p == null || !showing()) {
            return null;
        }
        double[] size = boxSize(id);
        double sx = p[0] * zoom - panX;
        double sy = p[1] * zoom - panY;
        if (sx + size[0] * zoom < 0 || sy + size[1] * zoom < 0 || sx > getWidth() || sy > getHeight()) {
            return null; // scrolled out of sight
        }
        javafx.geometry.Point2D s = localToScene(sx, sy);
        return new double[] {s.getX(), s.getY(), size[0] * zoom, size[1] * zoom};
    }

    protected static double ease(double t) {
        return t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2;
    }

    /** A pulse 0..1 for highlights during a step (steady when paused). */
    protected double pulse() {
        return progress >= 1 ? 1 : 0.55 + 0.45 * Math.sin(progress * Math.PI);
    }

    protected void hit(double x, double y, double w, double h, String text) {
        hits.add(new Hit(x, y, w, h, text));
    }

    /** Every tooltip text drawn now, in drawing order (tests). */
    public List<String> describeAll() {
        List<String> out = new ArrayList<>();
        for (Hit h : hits) {
            out.add(h.text);
        }
        return out;
    }

    private String hitText(double x, double y) {
        for (int i = hits.size() - 1; i >= 0; i--) {
            Hit h = hits.get(i);
            if (x >= h.x && x <= h.x + h.w && y >= h.y && y <= h.y + h.h) {
                return h.text;
            }
        }
        return null;
    }

    /** Font lookups are slow; views draw thousands of labels per frame, so fonts are looked up once. */
    private static final Map<String, Font> FONTS = new HashMap<>();

    private static Font cached(String family, double size, boolean bold) {
        String k = family + (bold ? "|b|" : "|n|") + size;
        return FONTS.computeIfAbsent(k, x -> Font.font(family, bold ? FontWeight.BOLD : FontWeight.NORMAL, size));
    }

    protected static Font font(double size, boolean bold) {
        return cached("DejaVu Sans", size, bold);
    }

    protected static Font mono(double size, boolean bold) {
        return cached("DejaVu Sans Mono", size, bold);
    }

    protected void text(GraphicsContext g, String s, double x, double y, Color c, double size, boolean bold) {
        g.setFont(font(size, bold));
        g.setFill(c);
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText(s, x, y);
    }

    protected void centered(GraphicsContext g, String s, double cx, double y, Color c, javafx.scene.text.Font f) {
        g.setFont(f);
        g.setFill(c);
        g.setTextAlign(TextAlignment.CENTER);
        g.fillText(s, cx, y);
        g.setTextAlign(TextAlignment.LEFT);
    }

    protected void box(GraphicsContext g, double x, double y, double w, double h, Color fill, Color edge,
                       double edgeWidth) {
        g.setFill(fill);
        g.fillRoundRect(x, y, w, h, 10, 10);
        g.setStroke(edge);
        g.setLineWidth(edgeWidth);
        g.strokeRoundRect(x, y, w, h, 10, 10);
    }

    protected void arrow(GraphicsContext g, double x1, double y1, double x2, double y2, Color c, double width) {
        g.setStroke(c);
        g.setFill(c);
        g.setLineWidth(width);
        g.strokeLine(x1, y1, x2, y2);
        double a = Math.atan2(y2 - y1, x2 - x1);
        double s = 6 + width;
        g.fillPolygon(new double[] {x2, x2 - s * Math.cos(a - 0.45), x2 - s * Math.cos(a + 0.45)},
                new double[] {y2, y2 - s * Math.sin(a - 0.45), y2 - s * Math.sin(a + 0.45)}, 3);
    }

    /** A small padlock drawn at (x, y) (top-left), 12x14. */
    protected void padlock(GraphicsContext g, double x, double y, Color c) {
        g.setStroke(c);
        g.setLineWidth(2);
        g.strokeArc(x + 2, y, 8, 10, 0, 180, ArcType.OPEN);
        g.strokeLine(x + 2, y + 5, x + 2, y + 7);
        g.strokeLine(x + 10, y + 5, x + 10, y + 7);
        g.setFill(c);
        g.fillRoundRect(x, y + 6, 12, 8, 3, 3);
    }
}
