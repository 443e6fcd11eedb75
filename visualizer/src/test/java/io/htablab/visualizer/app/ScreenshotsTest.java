package io.htablab.visualizer.app;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.visualizer.model.OpRecord;
import io.htablab.visualizer.model.Timeline;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Renders the window in the states a teacher would show and writes them to target/screenshots. */
@ExtendWith(ApplicationExtension.class)
class ScreenshotsTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(stage);
        window.openSample(Samples.DEFAULT);
        stage.show();
    }

    private <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }

    private void fxRun(Runnable r) throws Exception {
        fx(() -> {
            r.run();
            return null;
        });
    }

    private Path shot(String name) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Path f = MainWindowTest.shots().resolve(name + ".png");
        fxRun(() -> {
            try {
                Exporter.png(window.scene().getRoot(), f);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        BufferedImage img = ImageIO.read(f.toFile());
        assertThat(img.getWidth()).isGreaterThan(800);
        return f;
    }

    /** Position right after the first event of {@code type} inside the op whose source starts with {@code src}. */
    private int after(String src, Class<?> type, int nth) {
        Timeline t = window.playback().timeline();
        for (OpRecord op : t.ops()) {
            if (op.source().startsWith(src)) {
                int seen = 0;
                for (int i = op.firstEvent(); i < op.endEvent(); i++) {
                    if (type.isInstance(t.entry(i).event()) && seen++ == nth) {
                        return i + 1;
                    }
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + src);
    }

    @Test
    void renderScreenshots(FxRobot robot) throws Exception {
        // 1. a lookup walking bucket 5's chain (collision sample)
        fxRun(() -> window.playback().seek(after("lookup h u32:11", BucketEvent.NodeVisited.class, 1)));
        shot("01-chain-walk");
        // 2. the jhash of an insertion
        fxRun(() -> window.playback().seek(after("update h u32:12", BucketEvent.ElemLinked.class, 0)));
        shot("02-insert-jhash");
        // 3. freelist reuse across CPUs
        fxRun(() -> {
            window.openSample("04-freelist-reuse.hts");
            window.playback().seek(after("delete h u32:3", io.htablab.hashtab.htab.event.FreelistEvent.Push.class,
                    0));
            window.sideTabs().getSelectionModel().select(0);
        });
        shot("03-freelists");
        // 4. LRU eviction
        fxRun(() -> {
            window.openSample("06-lru-common.hts");
            window.playback().seek(after("update l u32:5", io.htablab.hashtab.htab.event.LruEvent.EvictAttempted.class,
                    0));
            window.sideTabs().getSelectionModel().select(1);
        });
        shot("04-lru-evict");
        // 5. per-CPU values
        fxRun(() -> {
            window.openSample("05-percpu-values.hts");
            window.playback().seek(window.playback().timeline().size());
            window.sideTabs().getSelectionModel().select(2);
        });
        shot("05-percpu-values");
        // 6. the nulls race, at the restart, in the dark theme
        fxRun(() -> window.setDark(true));
        robot.clickOn("#raceTab");
        robot.clickOn("#raceSetup");
        robot.clickOn("#raceBegin");
        robot.clickOn("#raceStep");
        robot.clickOn("#raceDelete");
        robot.clickOn("#raceReuse");
        robot.clickOn("#raceStep");
        robot.clickOn("#raceStep");
        fxRun(() -> {
            window.playback().pause();
            window.playback().seek(window.playback().timeline().size());
        });
        shot("06-nulls-race-dark");
        fxRun(() -> window.setDark(false));
        // 7. events tab
        fxRun(() -> {
            window.openSample("03-full-map-e2big.hts");
            window.playback().seek(after("update full u32:5 u64:5", io.htablab.hashtab.htab.event.MapEvent.OpFinished.class, 0));
            window.sideTabs().getSelectionModel().select(3);
        });
        shot("07-e2big-events");
    }

    @Test
    void moreScreenshots(FxRobot robot) throws Exception {
        fxRun(() -> {
            window.openSample("07-lru-no-common.hts");
            window.playback().seek(after("update l u32:6", io.htablab.hashtab.htab.event.LruEvent.EvictAttempted.class,
                    0));
            window.sideTabs().getSelectionModel().select(1);
        });
        shot("10-lru-percpu");
        fxRun(() -> {
            window.load("cpus 2\ncreate s type=hash key=13 value=8 max=16 flags=zero_seed\n"
                    + "update s 0102030405060708090a0b0c0d u64:1\n", "long key");
            window.playback().seek(after("update s", BucketEvent.HashComputed.class, 0));
            window.sideTabs().getSelectionModel().select(2);
        });
        shot("11-jhash-13-byte-key");
        fxRun(() -> {
            window.setFontScale(1.4);
            window.openSample("01-hashing-and-seed.hts");
            window.playback().seek(window.playback().timeline().size());
        });
        shot("12-classroom-zoom");
        fxRun(() -> window.setFontScale(1));
        fxRun(() -> {
            window.openSample("06-lru-common.hts");
            window.playback().seek(after("update l u32:3", io.htablab.hashtab.htab.event.LruEvent.NodeMoved.class, 0));
            window.sideTabs().getSelectionModel().select(1);
        });
        shot("14-lru-harvest");
        fxRun(() -> {
            window.openSample("08-batch-cursors.hts");
            window.playback().seek(after("lookup_and_delete_batch", BucketEvent.ElemUnlinked.class, 2));
            window.sideTabs().getSelectionModel().select(0);
        });
        shot("15-batch-delete");
    }

    @Test
    void anElementFliesFromTheFreelistToItsBucket(FxRobot robot) throws Exception {
        fxRun(() -> {
            window.openSample("04-freelist-reuse.hts");
            window.sideTabs().getSelectionModel().select(0);
            window.playback().speedProperty().unbind();
            window.playback().speedProperty().set(0.4);
            window.playback().seek(after("update h u32:2", BucketEvent.ElemLinked.class, 0) - 1);
            window.playback().stepForward();
        });
        Thread.sleep(1700); // 2.5 s per step: the flight is under way
        double p = fx(() -> window.playback().progressProperty().get());
        Path f = shot("16-flight-freelist-to-bucket");
        assertThat(p).isBetween(0.2, 0.99);
        assertThat(fx(() -> robot.lookup("#flightOverlay").tryQuery().isPresent())).isTrue();
        assertThat(f).exists();
    }

    @Test
    void largeMapStaysResponsiveAndCountsFrames(FxRobot robot) throws Exception {
        fxRun(() -> window.largeMapForTest(65_536));
        shot("08-large-map-65536");
        // play lookups on the 65,536-entry map and count animation frames
        fxRun(() -> {
            window.playback().speedProperty().unbind();
            window.playback().speedProperty().set(8);
            for (int i = 0; i < 40; i++) {
                window.runFromConsole("lookup big u32:" + (i * 1597));
            }
            window.playback().seek(0);
            window.playback().play();
        });
        fxRun(() -> window.playback().resetRenderStats());
        io.htablab.visualizer.view.CanvasView.renderStats();
        long f0 = fx(() -> window.playback().totalFrames());
        long t0 = System.nanoTime();
        Thread.sleep(4000);
        long f1 = fx(() -> window.playback().totalFrames());
        double fps = (f1 - f0) / ((System.nanoTime() - t0) / 1e9);
        double mean = fx(() -> window.playback().meanRenderMillis());
        double max = fx(() -> window.playback().maxRenderMillis());
        String report = String.format("65,536 entries, playing: %.1f frames/s (AnimationTimer pulses, headless "
                + "Monocle, software pipeline); view redraw per update mean %.2f ms, max %.2f ms%n", fps, mean, max);
        System.out.print(report);
        System.out.println("per view: " + io.htablab.visualizer.view.CanvasView.renderStats());
        Files.writeString(MainWindowTest.shots().resolve("fps-65536.txt"), report);
        shot("09-large-map-playing");
        // the views' own work must fit in a 60 fps frame budget on average
        assertThat(mean).isLessThan(16.7);
        assertThat(fps).isGreaterThan(1);
    }
}
