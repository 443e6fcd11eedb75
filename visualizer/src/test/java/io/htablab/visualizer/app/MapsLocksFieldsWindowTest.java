package io.htablab.visualizer.app;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.SyntheticStream;
import io.htablab.visualizer.model.Timeline;
import io.htablab.visualizer.model.TimelineEntry;
import io.htablab.visualizer.model.WorldModel;
import io.htablab.visualizer.view.BucketsView;
import io.htablab.visualizer.view.CpuLaneView;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Several maps, bucket-lock holders per CPU, keys and values by field: the window, headless. */
@ExtendWith(ApplicationExtension.class)
class MapsLocksFieldsWindowTest {
    private MainWindow window;

    static final String TWO_MAPS = """
            # Two maps at once: a hash map of flows and an LRU of recent keys.
            cpus 2
            create h type=hash key=4 value=4 max=8 flags=zero_seed
            create l type=lru_hash key=4 value=4 max=4 flags=zero_seed
            update h u32:9 u32:90
            cpu 1
            update l u32:5 u32:50      # CPU 1 writes the LRU
            update h u32:11 u32:110    # and then the hash map: bucket 5 again
            prog_lookup l u32:5
            """;

    static final String FLOWS_C = """
            struct flow { __u32 pid; __u16 port; char comm[6]; __u8 proto:3, dir:5; struct { __u8 lo, hi; } range; };
            struct val { struct bpf_spin_lock lock; __u64 packets; __s16 delta[2]; struct bpf_timer t; };
            struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8);
              __type(key, struct flow); __type(value, struct val); } flows SEC(".maps");
            """;

    @Start
    void start(Stage stage) {
        window = new MainWindow(stage);
        window.load(TWO_MAPS, "two maps");
        stage.show();
    }

    private <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(30, TimeUnit.SECONDS);
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
        return f;
    }

    /** The position right after the {@code nth} event of {@code type} inside the op whose source starts so. */
    private int after(String src, Class<? extends HtabEvent> type, int nth) {
        Timeline t = window.playback().timeline();
        for (var op : t.ops()) {
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

    private static boolean anyContains(List<String> texts, String part) {
        return texts.stream().anyMatch(t -> t.contains(part));
    }

    @Test
    void everyMapIsDrawnAndTheOneMapViewsFollowTheActingMap(FxRobot robot) throws Exception {
        fxRun(() -> window.playback().seek(after("update l u32:5", BucketEvent.ElemLinked.class, 0)));
        BucketsView buckets = window.bucketsView();
        assertThat(fx(window::shownMap)).isEqualTo("l");
        assertThat(fx(buckets::isStacked)).isTrue();
        List<String> drawn = fx(buckets::describeAll);
        assertThat(anyContains(drawn, "Map h (id 1)")).isTrue();
        assertThat(anyContains(drawn, "Map l (id 2)")).isTrue();
        shot("17-two-maps-stacked");
        // an event of the other map moves the one-map views there
        fxRun(() -> window.playback().seek(after("update h u32:11", BucketEvent.ElemLinked.class, 0)));
        assertThat(fx(window::shownMap)).isEqualTo("h");
        // stepping back shows the earlier map again (the focus is a function of the position)
        fxRun(() -> window.playback().seek(after("update l u32:5", BucketEvent.ElemLinked.class, 0)));
        assertThat(fx(window::shownMap)).isEqualTo("l");
        // choosing a map shows it alone, whatever acts
        robot.clickOn("#mapChoice");
        robot.clickOn(robot.lookup(".list-cell").match((Labeled c) -> "h".equals(c.getText())).queryLabeled());
        assertThat(fx(window::pinnedMap)).isEqualTo("h");
        assertThat(fx(buckets::isStacked)).isFalse();
        fxRun(() -> window.playback().seek(after("update l u32:5", BucketEvent.ElemLinked.class, 0)));
        assertThat(fx(window::shownMap)).isEqualTo("h");
        drawn = fx(buckets::describeAll);
        assertThat(anyContains(drawn, "Map h (id 1)")).isTrue();
        assertThat(anyContains(drawn, "Map l (id 2)")).isFalse();
        @SuppressWarnings("unchecked")
        ComboBox<String> choice = robot.lookup("#mapChoice").queryAs(ComboBox.class);
        assertThat(choice.getItems()).containsExactly(MainWindow.FOLLOW, "h", "l");
        fxRun(() -> choice.setValue(MainWindow.FOLLOW));
        assertThat(fx(window::pinnedMap)).isNull();
        assertThat(fx(buckets::isStacked)).isTrue();
    }

    @Test
    void aLockedBucketShowsItsCpuAndTheLaneShowsWhatEachCpuHolds(FxRobot robot) throws Exception {
        fxRun(() -> window.playback().seek(after("update h u32:11", BucketEvent.BucketLocked.class, 0)));
        List<String> buckets = fx(() -> window.bucketsView().describeAll());
        assertThat(anyContains(buckets, "Bucket 5 of h is locked by CPU 1")).isTrue();
        List<String> lanes = fx(() -> window.cpuLaneView().describeAll());
        assertThat(anyContains(lanes, "CPU 1 holds the lock of bucket 5 of map h")).isTrue();
        assertThat(anyContains(lanes, "Running on CPU 1: update on map h, key 0b000000")).isTrue();
        assertThat(anyContains(lanes, "CPU 0; idle")).isTrue();
        shot("18-bucket-lock-cpu-lane");
        // unlocked again at the end of the update
        fxRun(() -> window.playback().seek(after("update h u32:11", BucketEvent.BucketUnlocked.class, 0)));
        assertThat(anyContains(fx(() -> window.bucketsView().describeAll()), "is locked by")).isFalse();
        assertThat(anyContains(fx(() -> window.cpuLaneView().describeAll()), "holds the lock")).isFalse();
    }

    /**
     * Two locks of two maps on one CPU and a failed acquisition (a nested program re-entering a held bucket) come
     * from the engine only with nested programs and lock-failure injection; the views draw them from the model,
     * fed here with a hand-made stream of exactly those events.
     */
    @Test
    void nestedLocksAndAFailedAcquisitionAreDrawn(FxRobot robot) throws Exception {
        Stage[] stage = new Stage[1];
        BucketsView buckets = fx(BucketsView::new);
        CpuLaneView lanes = fx(CpuLaneView::new);
        fxRun(() -> {
            SyntheticStream h = new SyntheticStream(2, 8);
            SyntheticStream m = new SyntheticStream(2, 8, 2, "m", h);
            h.insert(0, 1, 10);
            h.insert(0, 3, 30, () -> m.insert(0, 6, 60));
            Timeline t = h.timeline();
            int inner = -1;
            for (int i = 0; i < t.size(); i++) {
                TimelineEntry e = t.entry(i);
                if (e.event() instanceof BucketEvent.BucketLocked && e.mapId() == 2) {
                    inner = i + 1;
                }
            }
            WorldModel w = t.foldTo(inner);
            w.lockFailed(1, 3, 0, Errno.EDEADLK, null); // the nested program touches h's bucket 3 again
            VBox box = new VBox(lanes, buckets);
            VBox.setVgrow(buckets, Priority.ALWAYS);
            stage[0] = new Stage();
            stage[0].setScene(new Scene(box, 1100, 900));
            stage[0].show();
            lanes.show(w, 2, true, 1);
            buckets.show(w, 2, true, 1);
        });
        WaitForAsyncUtils.waitForFxEvents();
        fxRun(() -> {
            lanes.redraw();
            buckets.redraw();
        });
        List<String> lane = fx(lanes::describeAll);
        assertThat(anyContains(lane, "CPU 0 holds the lock of bucket 3 of map h (lock 1 of 2")).isTrue();
        assertThat(anyContains(lane, "CPU 0 holds the lock of bucket 6 of map m (lock 2 of 2")).isTrue();
        assertThat(anyContains(lane, "Nested in the operation before it")).isTrue();
        assertThat(anyContains(lane, "could not take the lock of bucket 3 of map h: EDEADLK — this CPU holds it"))
                .isTrue();
        List<String> drawn = fx(buckets::describeAll);
        assertThat(anyContains(drawn, "Bucket 3 of h is locked by CPU 0")).isTrue();
        assertThat(anyContains(drawn, "Bucket 6 of m is locked by CPU 0")).isTrue();
        assertThat(anyContains(drawn, "CPU 0 failed to take bucket 3's lock: EDEADLK (held by CPU 0: the same CPU"))
                .isTrue();
        Path f = MainWindowTest.shots().resolve("19-nested-locks-synthetic.png");
        fxRun(() -> {
            try {
                Exporter.png(stage[0].getScene().getRoot(), f);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            stage[0].close();
        });
    }

    private void typeInto(FxRobot robot, String id, String text) throws Exception {
        fxRun(() -> {
            javafx.scene.Node n = robot.lookup(id).query();
            n.requestFocus();
            javafx.scene.control.ScrollPane sp = (javafx.scene.control.ScrollPane) robot.lookup("#opsScroll").query();
            double y = n.localToScene(0, 0).getY() - sp.getContent().localToScene(0, 0).getY();
            double h = sp.getContent().getBoundsInLocal().getHeight() - sp.getViewportBounds().getHeight();
            sp.setVvalue(h <= 0 ? 0 : Math.min(1, Math.max(0, (y - 40) / h)));
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.write(text);
        assertThat(fx(() -> ((TextField) robot.lookup(id).query()).getText())).as(id).isEqualTo(text);
    }

    @Test
    void valuesAreShownAndEnteredFieldByField(FxRobot robot) throws Exception {
        fxRun(() -> {
            window.newSession(2);
            window.createFromC("flows", FLOWS_C, true);
        });
        robot.clickOn("#opsTab");
        // the form is taller than its tab: each input is focused (and scrolled to) before the robot types into it
        typeInto(robot, "#key-pid", "7");
        typeInto(robot, "#key-port", "80");
        typeInto(robot, "#key-comm", "bash");
        typeInto(robot, "#key-proto", "5");
        typeInto(robot, "#key-dir", "31");
        typeInto(robot, "#key-range-lo", "1");
        typeInto(robot, "#key-range-hi", "2");
        typeInto(robot, "#value-packets", "9");
        typeInto(robot, "#value-delta", "-1, 2");
        assertThat(robot.lookup("#value-lock").tryQuery()).isEmpty(); // special fields take no input
        fxRun(() -> robot.lookup("#op-update").queryButton().fire());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> window.session().timeline().present()
                .map("flows").count() == 1));
        // the console's field syntax gives the same bytes: the key the form wrote is found
        fxRun(() -> window.runFromConsole("lookup flows {.pid=7, .port=80, .comm=\"bash\", .proto=5, .dir=31, .range={.lo=1, .hi=2}}"));
        ListView<?> out = robot.lookup("#consoleOutput").queryListView();
        List<String> lines = fx(() -> out.getItems().stream().map(String::valueOf).toList());
        assertThat(lines).contains("value 00000000000000000900000000000000ffff02000000000000000000000000000000000000"
                + "000000");
        fxRun(() -> {
            window.playback().seek(window.playback().timeline().size());
            window.sideTabs().getSelectionModel().select(2);
        });
        WaitForAsyncUtils.waitForFxEvents();
        List<String> values = fx(() -> window.valuesView().describeAll());
        assertThat(anyContains(values, "key {.pid=7, .port=80, .comm=\"bash\", .proto=5, .dir=31, .range={.lo=1, .hi=2}}")).isTrue();
        assertThat(anyContains(values, ".packets = 9   __u64 @8..15")).isTrue();
        assertThat(anyContains(values, ".delta = {-1, 2}   __s16[2] @16..19")).isTrue();
        assertThat(anyContains(values, ".lock = ‹bpf_spin_lock›   special field")).isTrue();
        assertThat(anyContains(values, ".t = ‹bpf_timer›   special field")).isTrue();
        assertThat(anyContains(values, "tail padding @15: 00")).isTrue();
        assertThat(anyContains(values, ".range.hi = 2   __u8 @14")).isTrue();
        assertThat(anyContains(fx(() -> window.bucketsView().describeAll()), "key {.pid=7, .port=80")).isTrue();
        shot("20-values-by-field");
        // the event log writes keys and values by field too
        fxRun(() -> {
            window.playback().seek(after("update flows", BucketEvent.ElemLinked.class, 0));
            window.sideTabs().getSelectionModel().select(3);
        });
        WaitForAsyncUtils.waitForFxEvents();
        List<String> log = fx(() -> robot.lookup("#eventLog .list-cell").queryAll().stream()
                .map(n -> String.valueOf(((Labeled) n).getText())).toList());
        assertThat(anyContains(log, "link e")).isTrue();
        assertThat(log.stream().anyMatch(l -> l.contains("link e") && l.contains("(key {.pid=7, .port=80, "
                + ".comm=\"bash\", .proto=5, .dir=31, .range={.lo=1, .hi=2}})"))).isTrue();
        assertThat(anyContains(log, "= {.lock=‹bpf_spin_lock›, .packets=9, .delta={-1, 2}, .t=‹bpf_timer›}")).isTrue();
        shot("22-event-log-by-field");
    }

    @Test
    void aScenarioMapCreatedWithBtfTypesIsShownByField(FxRobot robot) throws Exception {
        fxRun(() -> {
            window.openSample("10-spin-lock-f-lock.hts");
            window.playback().seek(after("update c u32:12 {.hits=3}", BucketEvent.ElemLinked.class, 0));
            window.sideTabs().getSelectionModel().select(2);
        });
        WaitForAsyncUtils.waitForFxEvents();
        MapModel c = fx(() -> window.playback().timeline().state().map("c"));
        assertThat(c.types()).isNotNull();
        assertThat(c.types().value().spelling()).isEqualTo("struct counter");
        List<String> values = fx(() -> window.valuesView().describeAll());
        assertThat(anyContains(values, ".tag = \"nine\"   char[8]")).isTrue();
        assertThat(anyContains(values, ".owner = 7   __u32")).isTrue();
        assertThat(anyContains(values, ".lock = ‹bpf_spin_lock›   special field")).isTrue();
        assertThat(anyContains(values, ".t = ‹bpf_timer›   special field")).isTrue();
        shot("23-sample-spin-lock-values");
        // the F_LOCK update takes the element's spin lock: the log says so
        fxRun(() -> {
            window.playback().seek(after("update c u32:12 {.hits=30} lock",
                    io.htablab.hashtab.htab.event.FieldEvent.SpinLockAcquired.class, 0));
            window.sideTabs().getSelectionModel().select(3);
        });
        WaitForAsyncUtils.waitForFxEvents();
        List<String> log = fx(() -> robot.lookup("#eventLog .list-cell").queryAll().stream()
                .map(n -> String.valueOf(((Labeled) n).getText())).toList());
        assertThat(anyContains(log, "takes e")).isTrue();
    }

    /** C the scenario's ctype line cannot take (a macro): the map is created without BTF, shown by field all the same. */
    @Test
    void cTheScenarioCannotTakeIsStillShownByField(FxRobot robot) throws Exception {
        String c = "#define LEN 4\nstruct k { __u32 id; char tag[LEN]; };\n"
                + "struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, struct k);\n"
                + "  __type(value, __u64); } m SEC(\".maps\");\n";
        fxRun(() -> {
            window.newSession(2);
            window.createFromC("m", c, true);
            window.runFromConsole("update m 0100000041424300 u64:5");
        });
        ListView<?> out = robot.lookup("#consoleOutput").queryListView();
        List<String> lines = fx(() -> out.getItems().stream().map(String::valueOf).toList());
        assertThat(anyContains(lines, "not given to the scenario (a ctype line holds no preprocessor lines): #define LEN 4"))
                .isTrue();
        assertThat(anyContains(lines, "created without BTF")).isTrue();
        assertThat(fx(() -> window.session().recorded())).contains("create m type=hash key=8 value=8 max=4 flags=zero_seed");
        MapModel m = fx(() -> window.session().timeline().present().map("m"));
        assertThat(m.count()).isEqualTo(1);
        int e = -1;
        for (int b = 0; b < m.nBuckets(); b++) {
            if (m.chain(b).length > 0) {
                e = m.chain(b)[0];
            }
        }
        assertThat(m.keyText(m.elemKey(e))).isEqualTo("{.id=1, .tag=\"ABC\"}");
        assertThat(m.types().keyWritable()).isFalse();
        // the form offers bytes, not members the scenario could not encode
        robot.clickOn("#opsTab");
        assertThat(robot.lookup("#opKey").tryQuery()).isPresent();
        assertThat(robot.lookup("#keyForm").tryQuery()).isEmpty();
    }

    private String consoleText(TextField console) throws Exception {
        return fx(console::getText);
    }

    @Test
    void theConsoleCompletesMemberNamesInsideBraces(FxRobot robot) throws Exception {
        fxRun(() -> {
            window.newSession(2);
            window.createFromC("flows", FLOWS_C, true);
        });
        TextField console = robot.lookup("#console").queryAs(TextField.class);
        robot.clickOn(console).write("update flows {.co").type(KeyCode.TAB);
        assertThat(consoleText(console)).isEqualTo("update flows {.comm=");
        robot.write("\"sh\", .range={").type(KeyCode.TAB);
        assertThat(consoleText(console)).isEqualTo("update flows {.comm=\"sh\", .range={.");
        ListView<?> out = robot.lookup("#consoleOutput").queryListView();
        String offered = fx(() -> String.valueOf(out.getItems().get(out.getItems().size() - 1)));
        assertThat(offered).contains(".range={.lo=").contains(".range={.hi=");
        shot("21-console-member-completion");
        robot.write("hi=3}} {.pa").type(KeyCode.TAB);
        assertThat(consoleText(console)).endsWith("{.packets=");
        robot.write("4}").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> window.session().timeline().present()
                .map("flows").count() == 1));
        MapModel m = fx(() -> window.session().timeline().present().map("flows"));
        int e = -1;
        for (int b = 0; b < m.nBuckets(); b++) {
            if (m.chain(b).length > 0) {
                e = m.chain(b)[0];
            }
        }
        assertThat(m.keyText(m.elemKey(e))).isEqualTo("{.pid=0, .port=0, .comm=\"sh\", .proto=0, .dir=0, "
                + ".range={.lo=0, .hi=3}}");
        // what was typed is what the session records, with the ctype and the BTF create before it
        assertThat(fx(() -> window.session().recorded())).contains("update flows {.comm=\"sh\", .range={.hi=3}} "
                + "{.packets=4}").anyMatch(l -> l.startsWith("ctype struct flow {"))
                .anyMatch(l -> l.startsWith("create flows type=hash") && l.contains("btf_key=struct:flow")
                        && l.contains("btf_value=struct:val"));
    }
}
