package io.htablab.visualizer.app;

import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.OpRecord;
import io.htablab.visualizer.model.Timeline;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(stage);
        window.openSample(Samples.DEFAULT);
        stage.show();
    }

    private <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(20, TimeUnit.SECONDS);
    }

    private void fxRun(Runnable r) throws Exception {
        fx(() -> {
            r.run();
            return null;
        });
    }

    static Path shots() throws Exception {
        Path p = Path.of(System.getProperty("htablab.screenshots", "target/screenshots"));
        Files.createDirectories(p);
        return p;
    }

    @Test
    void mainWindowOpensOnTheDefaultSample(FxRobot robot) throws Exception {
        assertThat(robot.lookup("#bucketsView").tryQuery()).isPresent();
        assertThat(robot.lookup("#jhashView").tryQuery()).isPresent();
        assertThat(robot.lookup("#console").tryQuery()).isPresent();
        assertThat(robot.lookup("#scrubber").tryQuery()).isPresent();
        Timeline t = window.playback().timeline();
        assertThat(t.ops()).isNotEmpty();
        // opened after the create: the map exists, no key inserted yet
        MapModel h = fx(() -> t.state().map("h"));
        assertThat(h).isNotNull();
        assertThat(h.count()).isZero();
        assertThat(window.shownMap()).isEqualTo("h");
        String caption = robot.lookup("#caption").queryAs(Label.class).getText();
        assertThat(caption).contains("Collisions");
    }

    @Test
    void operationTypedInTheConsoleAnimatesAndChangesTheViews(FxRobot robot) throws Exception {
        fxRun(() -> {
            window.playback().speedProperty().unbind();
            window.playback().speedProperty().set(60);
            window.newSession(2);
        });
        robot.clickOn("#console").write("create v type=hash key=4 value=4 max=8 flags=zero_seed").type(KeyCode.ENTER);
        List<Integer> seen = new ArrayList<>();
        fxRun(() -> window.playback().positionProperty().addListener((o, a, b) -> seen.add(b.intValue())));
        robot.clickOn("#console").write("update v u32:9 u32:90").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> window.playback().timeline().atEnd()
                && !window.playback().playingProperty().get()));
        MapModel v = fx(() -> window.playback().timeline().state().map("v"));
        assertThat(v.count()).isEqualTo(1);
        assertThat(v.chain(5)).hasSize(1); // spec: key 9 lands in bucket 5 of 8 with zero_seed
        // it played event by event, not by a jump
        assertThat(seen.size()).isGreaterThan(5);
        assertThat(window.playback().totalFrames()).isGreaterThan(10);
        assertThat(robot.lookup("#consoleOutput").queryListView().getItems()).contains("› update v u32:9 u32:90",
                "ok");
    }

    @Test
    void badStatementShowsAnInlineError(FxRobot robot) {
        robot.clickOn("#console").write("update h u32:1").type(KeyCode.ENTER);
        List<?> items = robot.lookup("#consoleOutput").queryListView().getItems();
        assertThat(items.stream().map(String::valueOf).filter(s -> s.startsWith("  ↳")).toList()).isNotEmpty();
    }

    @Test
    void steppingBackRestoresTheEarlierState(FxRobot robot) throws Exception {
        Timeline t = window.playback().timeline();
        fxRun(() -> window.playback().seek(t.size()));
        String end = fx(() -> t.state().fingerprint());
        int endCount = fx(() -> t.state().map("h").count());
        robot.clickOn("#bucketsView"); // focus out of the console: the keys drive playback
        robot.press(KeyCode.SHIFT).type(KeyCode.LEFT).release(KeyCode.SHIFT); // back one operation
        int p = fx(t::position);
        assertThat(p).isLessThan(t.size());
        assertThat(t.isOpEnd(p) || t.ops().stream().anyMatch(o -> o.firstEvent() == p)).isTrue();
        assertThat(fx(() -> t.state().fingerprint())).isEqualTo(t.refold(p).fingerprint());
        robot.type(KeyCode.LEFT);
        assertThat(fx(t::position)).isEqualTo(p - 1);
        fxRun(() -> window.playback().seek(t.ops().get(3).endEvent()));
        assertThat(fx(() -> t.state().map("h").count())).isEqualTo(1);
        fxRun(() -> window.playback().seek(t.size()));
        assertThat(fx(() -> t.state().fingerprint())).isEqualTo(end);
        assertThat(endCount).isEqualTo(2);
    }

    @Test
    void everySampleLoads(FxRobot robot) throws Exception {
        for (String s : Samples.list()) {
            fxRun(() -> window.openSample(s));
            Timeline t = window.playback().timeline();
            assertThat(t.size()).as(s).isGreaterThan(0);
            assertThat(fx(() -> window.scene().getWindow().getScene() != null)).isTrue();
            fxRun(() -> window.playback().seek(t.size()));
        }
        fxRun(() -> window.openSample("06-lru-common.hts"));
        assertThat(fx(() -> window.playback().timeline().foldTo(window.playback().timeline().size()).map("l")
                .lru())).isNotNull();
    }

    @Test
    void exportWritesAPngAndATrace(FxRobot robot) throws Exception {
        Path png = Files.createTempFile("htablab", ".png");
        Path trace = Files.createTempFile("htablab", ".jsonl");
        fxRun(() -> {
            window.playback().seek(window.playback().timeline().size());
            window.exportPng(png);
            window.exportTrace(trace);
        });
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isGreaterThan(400);
        List<String> lines = Files.readAllLines(trace);
        assertThat(lines).hasSize(window.playback().timeline().size());
        assertThat(lines.get(0)).contains("\"event\":\"MapCreated\"");
        assertThat(lines).anyMatch(l -> l.contains("\"event\":\"ElemLinked\"") && l.contains("\"key\":\"09000000\""));
    }

    @Test
    void setupDialogCreatesAMap(FxRobot robot) throws Exception {
        robot.clickOn("Map").clickOn("New map…");
        javafx.scene.control.TextField name = robot.lookup("#setupName").queryAs(javafx.scene.control.TextField.class);
        robot.doubleClickOn(name).write("lab");
        robot.clickOn("#setupType").clickOn("lru_percpu_hash");
        Path shot = shots().resolve("13-setup-dialog.png");
        fxRun(() -> {
            try {
                Exporter.png(name.getScene().getRoot(), shot);
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        });
        robot.clickOn(robot.lookup(".dialog-pane .button").match((javafx.scene.control.Button b) ->
                "OK".equals(b.getText())).queryButton());
        MapModel m = fx(() -> window.session().timeline().present().map("lab"));
        assertThat(m).isNotNull();
        assertThat(m.type()).isEqualTo(io.htablab.hashtab.htab.MapType.LRU_PERCPU_HASH);
        assertThat(m.geometry().hashrnd()).isZero(); // "zero" seed is the default choice
        assertThat(ImageIO.read(shot.toFile()).getWidth()).isGreaterThan(200);
    }

    @Test
    void clickingAStatementInTheConsoleJumpsToIt(FxRobot robot) throws Exception {
        Timeline t = window.playback().timeline();
        var list = robot.lookup("#consoleOutput").queryListView();
        int line = fx(() -> list.getItems().indexOf("› delete h u32:12"));
        assertThat(line).isPositive();
        fxRun(() -> {
            list.scrollTo(line);
            list.getSelectionModel().select(line);
        });
        fxRun(() -> list.getOnMouseClicked().handle(null));
        OpRecord op = fx(t::currentOp);
        assertThat(op.source()).isEqualTo("delete h u32:12");
        assertThat(fx(t::position)).isEqualTo(op.firstEvent() + 1);
    }

    @Test
    void savedSessionReplaysToTheSameState(FxRobot robot) throws Exception {
        Path file = Files.createTempFile("session", ".hts");
        fxRun(() -> {
            window.runFromConsole("update h u32:3 u32:33");
            window.runFromConsole("delete h u32:9");
            window.saveSession(file);
        });
        String saved = Files.readString(file);
        assertThat(saved).contains("update h u32:3 u32:33", "delete h u32:9", "create h type=hash");
        String before = fx(() -> window.session().timeline().present().map("h").fingerprint());
        fxRun(() -> window.openFile(file));
        String after = fx(() -> window.session().timeline().present().map("h").fingerprint());
        // same chains, values, freelists and count (the op context is also the same last operation)
        assertThat(after).isEqualTo(before);
    }

    @Test
    void nullsRaceRestartsTheReader(FxRobot robot) throws Exception {
        fxRun(() -> {
            window.playback().speedProperty().unbind();
            window.playback().speedProperty().set(200);
        });
        robot.clickOn("#raceTab");
        robot.clickOn("#raceSetup");
        robot.clickOn("#raceBegin");
        robot.clickOn("#raceStep");
        robot.clickOn("#raceDelete");
        robot.clickOn("#raceReuse");
        robot.clickOn("#raceStep");
        robot.clickOn("#raceStep");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> window.playback().timeline().atEnd()));
        MapModel m = fx(() -> window.playback().timeline().state().map("race"));
        assertThat(m.reader().restarts()).isEqualTo(1);
        assertThat(m.reader().lastForeignMarker()).isEqualTo(3);
        robot.clickOn("#raceStep");
        robot.clickOn("#raceStep");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> window.playback().timeline().atEnd()));
        m = fx(() -> window.playback().timeline().state().map("race"));
        assertThat(m.reader().found()).isTrue();
    }

    @Test
    void guidedModePausesAfterEachOperation(FxRobot robot) throws Exception {
        Timeline t = window.playback().timeline();
        fxRun(() -> {
            window.playback().speedProperty().unbind();
            window.playback().speedProperty().set(120);
            window.playback().guidedProperty().set(true);
            window.playback().seek(t.ops().get(3).firstEvent());
            window.playback().play();
        });
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> !window.playback().playingProperty().get()));
        int p = fx(t::position);
        assertThat(t.isOpEnd(p)).isTrue();
        assertThat(p).isEqualTo(t.ops().get(3).endEvent());
    }

    @Test
    void mapFromCDeclarationsGetsAStructForm(FxRobot robot) throws Exception {
        String c = "struct flow { __u32 pid; __u16 port; };\n"
                + "struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __uint(map_flags, 0);\n"
                + "  __type(key, struct flow); __type(value, __u64); } flows SEC(\".maps\");\n";
        fxRun(() -> {
            window.newSession(2);
            window.createFromC("flows", c, true);
        });
        robot.clickOn("#opsTab");
        robot.doubleClickOn("#key-pid").write("7");
        robot.doubleClickOn("#key-port").write("80");
        robot.doubleClickOn("#value").write("99");
        robot.clickOn("#op-update");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> window.session().timeline()
                .foldTo(window.session().timeline().size()).map("flows").count() == 1));
        MapModel m = fx(() -> window.session().timeline().foldTo(window.session().timeline().size()).map("flows"));
        assertThat(m.geometry().keySize()).isEqualTo(8); // 4 + 2 + 2 bytes of tail padding
        int e = -1;
        for (int b = 0; b < m.nBuckets(); b++) {
            if (m.chain(b).length > 0) {
                e = m.chain(b)[0];
            }
        }
        assertThat(m.elemKey(e)).containsExactly(7, 0, 0, 0, 80, 0, 0, 0);
        assertThat(m.elemValueSlot(e, 0)).containsExactly(99, 0, 0, 0, 0, 0, 0, 0);
    }

}
