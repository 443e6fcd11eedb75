package io.htablab.visualizer.app;

import io.htablab.visualizer.model.Timeline;
import javafx.animation.AnimationTimer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Drives a {@link Timeline} in time: each step plays for {@code 1/speed} seconds (highlight, then motion),
 * then the next event is applied while playing. Exposes read-only JavaFX properties for the UI; all calls on
 * the FX thread.
 */
public final class PlaybackController {
    /** Events per second by default: slow enough to read every step. */
    public static final double DEFAULT_SPEED = 1.5;

    private final Timeline timeline;
    private final ReadOnlyIntegerWrapper position = new ReadOnlyIntegerWrapper(this, "position");
    private final ReadOnlyIntegerWrapper size = new ReadOnlyIntegerWrapper(this, "size");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 1);
    private final ReadOnlyDoubleWrapper fps = new ReadOnlyDoubleWrapper(this, "fps");
    private final BooleanProperty playing = new SimpleBooleanProperty(this, "playing");
    private final DoubleProperty speed = new SimpleDoubleProperty(this, "speed", DEFAULT_SPEED);
    /** Positions before this one are played through without guided pauses (catching up with new input). */
    private int followUntil;
    private final BooleanProperty guided = new SimpleBooleanProperty(this, "guided");
    private final List<Consumer<Boolean>> listeners = new ArrayList<>();
    private long lastNanos;
    private long fpsWindowStart;
    private int fpsFrames;
    private long totalFrames;
    private long firstFrameNanos;
    private final List<Double> fpsHistory = new ArrayList<>();
    private long lastFrameNanos;
    private long renderNanos;
    private long renderCalls;
    private long maxRenderNanos;
    private final AnimationTimer timer;

    public PlaybackController(Timeline timeline) {
        this.timeline = timeline;
        timeline.addListener(() -> {
            position.set(timeline.position());
            size.set(timeline.size());
        });
        timer = new AnimationTimer() {
            @Override
            public void handle(long now) {
                frame(now);
            }
        };
        timer.start();
    }

    /** -Dhtablab.traceFrames=true prints one line per frame (time since the last, event, views redrawn). */
    private static final boolean TRACE = Boolean.getBoolean("htablab.traceFrames");

    private void frame(long now) {
        if (TRACE) {
            var last = timeline.lastApplied();
            System.out.printf("FRAME %d dt=%.1f pos=%d p=%.2f ev=%s redraws: %s%n", totalFrames,
                    lastNanos == 0 ? 0 : (now - lastNanos) / 1e6, timeline.position(), progress.get(),
                    last == null ? "-" : last.event().getClass().getSimpleName(),
                    io.htablab.visualizer.view.CanvasView.renderStats());
        }
        if (firstFrameNanos == 0) {
            firstFrameNanos = now;
        }
        lastFrameNanos = now;
        totalFrames++;
        fpsFrames++;
        if (fpsWindowStart == 0) {
            fpsWindowStart = now;
        } else if (now - fpsWindowStart >= 1_000_000_000L) {
            fps.set(fpsFrames * 1e9 / (now - fpsWindowStart));
            fpsHistory.add(Math.round(fps.get() * 10) / 10.0);
            fpsFrames = 0;
            fpsWindowStart = now;
        }
        double dt = lastNanos == 0 ? 0 : (now - lastNanos) / 1e9;
        lastNanos = now;
        if (progress.get() < 1) {
            progress.set(Math.min(1, progress.get() + dt * speed.get()));
            fire(false);
        } else if (playing.get()) {
            if (timeline.atEnd()) {
                playing.set(false);
            } else {
                timeline.stepForward();
                progress.set(0);
                if (guided.get() && timeline.position() >= followUntil && timeline.isOpEnd(timeline.position())) {
                    playing.set(false); // guided mode: stop after each operation so it can be discussed
                }
                fire(true);
            }
        }
    }

    /** Views listen here: {@code true} when a new event was applied, {@code false} for an animation frame. */
    public void addListener(Consumer<Boolean> l) {
        listeners.add(l);
    }

    private void fire(boolean newStep) {
        long t0 = System.nanoTime();
        for (Consumer<Boolean> l : listeners) {
            l.accept(newStep);
        }
        long spent = System.nanoTime() - t0;
        renderNanos += spent;
        renderCalls++;
        maxRenderNanos = Math.max(maxRenderNanos, spent);
    }

    /** Mean time the views took to redraw per update since the last reset, in milliseconds. */
    public double meanRenderMillis() {
        return renderCalls == 0 ? 0 : renderNanos / 1e6 / renderCalls;
    }

    public double maxRenderMillis() {
        return maxRenderNanos / 1e6;
    }

    public void resetRenderStats() {
        renderNanos = 0;
        renderCalls = 0;
        maxRenderNanos = 0;
    }

    public void play() {
        if (timeline.atEnd()) {
            return;
        }
        playing.set(true);
    }

    /** Plays through everything recorded so far (after the user ran a statement), then stops. */
    public void follow() {
        followUntil = timeline.size();
        play();
    }

    public void pause() {
        playing.set(false);
    }

    public void togglePlay() {
        if (playing.get()) {
            pause();
        } else {
            play();
        }
    }

    private void moved(boolean animate) {
        progress.set(animate ? 0 : 1);
        fire(true);
    }

    public void stepForward() {
        pause();
        if (!timeline.atEnd()) {
            timeline.stepForward();
            moved(true);
        }
    }

    public void stepBack() {
        pause();
        if (timeline.position() > 0) {
            timeline.stepBack();
            moved(true);
        }
    }

    public void stepOpForward() {
        pause();
        timeline.stepOpForward();
        moved(true);
    }

    public void stepOpBack() {
        pause();
        timeline.stepOpBack();
        moved(true);
    }

    /** Jump without animation (scrubber, home/end). */
    public void seek(int p) {
        timeline.seek(p);
        moved(false);
    }

    public ReadOnlyIntegerProperty positionProperty() {
        return position.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty sizeProperty() {
        return size.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** Animation frames per second, measured over the last second. */
    public ReadOnlyDoubleProperty fpsProperty() {
        return fps.getReadOnlyProperty();
    }

    /** Frames per second of each second so far (for reports). */
    public List<Double> fpsHistory() {
        return List.copyOf(fpsHistory);
    }

    /** Frames per second averaged over the controller's whole life. */
    public double meanFps() {
        return lastFrameNanos == firstFrameNanos ? 0 : (totalFrames - 1) * 1e9 / (lastFrameNanos - firstFrameNanos);
    }

    public long totalFrames() {
        return totalFrames;
    }

    public BooleanProperty playingProperty() {
        return playing;
    }

    /** Events per second. */
    public DoubleProperty speedProperty() {
        return speed;
    }

    /** Guided mode: playing pauses at the end of every operation. */
    public BooleanProperty guidedProperty() {
        return guided;
    }

    public Timeline timeline() {
        return timeline;
    }

    public void dispose() {
        timer.stop();
    }
}
