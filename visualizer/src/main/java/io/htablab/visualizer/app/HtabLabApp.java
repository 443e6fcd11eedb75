package io.htablab.visualizer.app;

import javafx.animation.PauseTransition;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;
import javafx.util.Duration;

import java.nio.file.Path;
import java.util.List;

/**
 * htab-lab's visualizer. Options: {@code --scenario FILE} opens a scenario, {@code --sample NAME} a built-in
 * sample, {@code --dark} the dark theme, {@code --end} shows the final state instead of the start,
 * {@code --play} starts playing. System properties: {@code htablab.exitAfterMs=N} exits after N ms (for
 * screenshots), {@code htablab.screenshot=FILE} writes a PNG of the window just before that exit.
 */
public final class HtabLabApp extends Application {

    public static void main(String[] args) {
        launch(HtabLabApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        List<String> args = getParameters().getRaw();
        MainWindow w = new MainWindow(stage);
        String scenario = option(args, "--scenario");
        String sample = option(args, "--sample");
        if (args.contains("--dark")) {
            w.setDark(true);
        }
        if (scenario != null) {
            w.openFile(Path.of(scenario));
        } else {
            w.openSample(sample != null ? sample : Samples.DEFAULT);
        }
        String large = option(args, "--large");
        if (large != null) {
            int n = Integer.parseInt(large);
            w.largeMapForTest(n);
            for (int i = 0; i < 200; i++) {
                w.runFromConsole("lookup big u32:" + (i * 1597 % n));
            }
            w.playback().seek(0);
            w.playback().speedProperty().unbind();
            String speed = System.getProperty("htablab.speed", String.valueOf(PlaybackController.DEFAULT_SPEED));
            w.playback().speedProperty().set(Double.parseDouble(speed));
        }
        if (args.contains("--end")) {
            w.playback().seek(w.playback().timeline().size());
        }
        if (args.contains("--play")) {
            w.playback().play();
        }
        stage.show();
        long exitAfter = Long.getLong("htablab.exitAfterMs", 0);
        if (exitAfter > 0) {
            PauseTransition p = new PauseTransition(Duration.millis(exitAfter));
            p.setOnFinished(e -> {
                String shot = System.getProperty("htablab.screenshot");
                if (shot != null) {
                    try {
                        Exporter.png(stage.getScene().getRoot(), Path.of(shot));
                    } catch (Exception ex) {
                        System.err.println("screenshot failed: " + ex);
                    }
                }
                System.out.printf("frames/s %.1f (last second %.1f); view redraw mean %.2f ms, max %.2f ms; "
                        + "per second %s%n", w.playback().meanFps(), w.playback().fpsProperty().get(),
                        w.playback().meanRenderMillis(), w.playback().maxRenderMillis(), w.playback().fpsHistory());
                Platform.exit();
            });
            p.play();
        }
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i >= 0 && i + 1 < args.size()) {
            return args.get(i + 1);
        }
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return a.substring(name.length() + 1);
            }
        }
        return null;
    }
}
