package io.htablab.visualizer.app;

import io.htablab.visualizer.view.Palette;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;
import javafx.geometry.VPos;

import java.util.ArrayList;
import java.util.List;

/**
 * A transparent layer over the views on which an element flies from one view to another (a freelist to a
 * bucket, a bucket back to a freelist), so that its identity can be followed across structures.
 */
final class FlightOverlay extends Region {
    record Flight(int elem, double[] from, double[] to) {
    }

    private final Canvas canvas = new Canvas();
    private final List<Flight> flights = new ArrayList<>();
    private Palette palette = Palette.LIGHT;
    /** Whether the canvas holds a drawn flight (so an idle step leaves it, and the views under it, alone). */
    private boolean drawn;

    FlightOverlay() {
        setMouseTransparent(true);
        setPickOnBounds(false);
        canvas.setVisible(false);
        getChildren().add(canvas);
        setId("flightOverlay");
    }

    void setPalette(Palette p) {
        palette = p;
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
    }

    void setFlights(List<Flight> f) {
        flights.clear();
        flights.addAll(f);
    }

    boolean hasFlights() {
        return !flights.isEmpty();
    }

    /** Draws the flights at step progress {@code t}: they wait during the highlight, then ease across. */
    void draw(double t) {
        // The canvas covers every view: touching it makes the renderer repaint all of them (45 ms in the
        // software pipeline), so it is cleared and hidden only after a flight and left alone otherwise.
        if (t >= 1 || flights.isEmpty()) {
            if (drawn) {
                canvas.getGraphicsContext2D().clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
                canvas.setVisible(false);
                drawn = false;
            }
            return;
        }
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
        canvas.setVisible(true);
        drawn = true;
        double e = Math.max(0, Math.min(1, (t - 0.3) / 0.6));
        e = e < 0.5 ? 4 * e * e * e : 1 - Math.pow(-2 * e + 2, 3) / 2;
        for (Flight f : flights) {
            double[] a = toLocal(f.from());
            double[] b = toLocal(f.to());
            double x = a[0] + (b[0] - a[0]) * e;
            double y = a[1] + (b[1] - a[1]) * e;
            double w = a[2] + (b[2] - a[2]) * e;
            double h = a[3] + (b[3] - a[3]) * e;
            g.setGlobalAlpha(0.92);
            g.setFill(palette.elem(f.elem()));
            g.fillRoundRect(x, y, w, h, 10, 10);
            g.setStroke(palette.highlight().darker());
            g.setLineWidth(3);
            g.strokeRoundRect(x, y, w, h, 10, 10);
            g.setGlobalAlpha(1);
            g.setFill(palette.text());
            g.setFont(Font.font("DejaVu Sans", FontWeight.BOLD, 12));
            g.setTextAlign(TextAlignment.CENTER);
            g.setTextBaseline(VPos.CENTER);
            g.fillText("e" + f.elem(), x + w / 2, y + h / 2);
        }
    }

    private double[] toLocal(double[] sceneBox) {
        javafx.geometry.Point2D p = sceneToLocal(sceneBox[0], sceneBox[1]);
        return new double[] {p.getX(), p.getY(), sceneBox[2], sceneBox[3]};
    }
}
