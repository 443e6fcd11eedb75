package io.htablab.visualizer.app;

import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.visualizer.model.EventText;
import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.OpRecord;
import io.htablab.visualizer.model.ReaderState;
import io.htablab.visualizer.model.Timeline;
import io.htablab.visualizer.model.TimelineEntry;
import io.htablab.visualizer.model.WorldModel;
import io.htablab.visualizer.model.fields.MapTypes;
import io.htablab.visualizer.view.BucketsView;
import io.htablab.visualizer.view.CanvasView;
import io.htablab.visualizer.view.CpuLaneView;
import io.htablab.visualizer.view.FreelistView;
import io.htablab.visualizer.view.JhashView;
import io.htablab.visualizer.view.LruView;
import io.htablab.visualizer.view.Palette;
import io.htablab.visualizer.view.ValuesView;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The main window: menus, playback bar, the views, the guided caption and the console. */
public final class MainWindow {
    private final Stage stage;
    private final BorderPane root = new BorderPane();
    private final Scene scene;
    private Session session;
    private PlaybackController playback;

    private final JhashView jhashView = new JhashView();
    private final BucketsView bucketsView = new BucketsView();
    private final FreelistView freelistView = new FreelistView();
    private final LruView lruView = new LruView();
    private final ValuesView valuesView = new ValuesView();
    private final CpuLaneView cpuLaneView = new CpuLaneView();
    private final List<CanvasView> views = List.of(jhashView, cpuLaneView, bucketsView, freelistView, lruView,
            valuesView);
    private final ListView<Integer> eventLog = new ListView<>();
    private final ObservableList<Integer> eventItems = FXCollections.observableArrayList();
    private final ListView<String> consoleOutput = new ListView<>();
    private final TextField console = new TextField();
    private final List<String> history = new ArrayList<>();
    private int historyIndex;
    private final Label caption = new Label();
    private final Label positionLabel = new Label();
    private final Label fpsLabel = new Label();
    private final Slider scrubber = new Slider(0, 0, 0);
    private final Slider speedSlider = new Slider(0.25, 20, PlaybackController.DEFAULT_SPEED);
    private final Button playButton = new Button("Play");
    private final ComboBox<String> mapChoice = new ComboBox<>();
    private final TabPane sideTabs = new TabPane();
    private final FlightOverlay flights = new FlightOverlay();
    private final Label raceStatus = new Label();
    private final CheckMenuItem guidedItem = new CheckMenuItem("Guided mode: pause after each operation");
    /** The map selector's first entry: the views follow the map the current event belongs to. */
    static final String FOLLOW = "all maps · follow playback";
    /** The map chosen in the selector, or null to follow playback (the bucket view then stacks every map). */
    private String pinnedMap;
    /** The map the one-map views show now (the pinned one, else the one acting), by id. */
    private int focusedMap = WorldModel.NONE;
    private boolean dark;
    private double fontScale = 1;
    private boolean scrubbing;
    private String title = "htab-lab";

    public MainWindow(Stage stage) {
        this.stage = stage;
        root.setId("root");
        root.setTop(new VBox(menuBar(), playbackBar()));
        root.setCenter(center());
        root.setBottom(bottom());
        var screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        scene = new Scene(root, Math.min(1440, screen.getWidth()), Math.min(900, screen.getHeight()));
        scene.getStylesheets().add(css("light.css"));
        installShortcuts();
        stage.setScene(scene);
        stage.setTitle(title);
        newSession(2);
        Platform.runLater(bucketsView::requestFocus);
    }

    private static String css(String name) {
        return MainWindow.class.getResource(name).toExternalForm();
    }

    // ------------------------------------------------------------------ layout

    private MenuBar menuBar() {
        Menu file = new Menu("_File");
        MenuItem open = new MenuItem("Open scenario…");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(e -> chooseAndOpen());
        MenuItem save = new MenuItem("Save session as .hts…");
        save.setAccelerator(KeyCombination.keyCombination("Shortcut+S"));
        save.setOnAction(e -> chooseAndSave());
        MenuItem png = new MenuItem("Export view as PNG…");
        png.setOnAction(e -> choosePng());
        MenuItem trace = new MenuItem("Export event trace (JSON Lines)…");
        trace.setOnAction(e -> chooseTrace());
        MenuItem quit = new MenuItem("Quit");
        quit.setOnAction(e -> Platform.exit());
        file.getItems().addAll(open, save, new javafx.scene.control.SeparatorMenuItem(), png, trace,
                new javafx.scene.control.SeparatorMenuItem(), quit);

        Menu samples = new Menu("_Samples");
        samples.setId("samplesMenu");
        for (String s : Samples.list()) {
            MenuItem item = new MenuItem(Samples.title(s));
            item.setId("sample-" + s.replace(".hts", ""));
            item.setOnAction(e -> openSample(s));
            samples.getItems().add(item);
        }

        Menu map = new Menu("_Map");
        MenuItem create = new MenuItem("New map…");
        create.setAccelerator(KeyCombination.keyCombination("Shortcut+N"));
        create.setOnAction(e -> SetupDialog.show(stage, this));
        MenuItem fill = new MenuItem("Large map: fill 65,536 keys");
        fill.setOnAction(e -> largeMap(65_536));
        MenuItem fillM = new MenuItem("Large map: fill 1,048,576 keys");
        fillM.setOnAction(e -> largeMap(1_048_576));
        map.getItems().addAll(create, fill, fillM);

        Menu view = new Menu("_View");
        CheckMenuItem darkItem = new CheckMenuItem("Dark theme");
        darkItem.setOnAction(e -> setDark(darkItem.isSelected()));
        MenuItem bigger = new MenuItem("Larger (classroom)");
        bigger.setAccelerator(KeyCombination.keyCombination("Shortcut+PLUS"));
        bigger.setOnAction(e -> setFontScale(fontScale * 1.2));
        MenuItem smaller = new MenuItem("Smaller");
        smaller.setAccelerator(KeyCombination.keyCombination("Shortcut+MINUS"));
        smaller.setOnAction(e -> setFontScale(fontScale / 1.2));
        MenuItem reset = new MenuItem("Reset zoom");
        reset.setAccelerator(KeyCombination.keyCombination("Shortcut+0"));
        reset.setOnAction(e -> setFontScale(1));
        guidedItem.setId("guidedItem");
        guidedItem.setSelected(true);
        guidedItem.setOnAction(e -> playback.guidedProperty().set(guidedItem.isSelected()));
        view.getItems().addAll(guidedItem, darkItem, bigger, smaller, reset);

        Menu help = new Menu("_Help");
        MenuItem keys = new MenuItem("Keys: Space play/pause · ←/→ step · Shift+←/→ by operation · Home/End · "
                + "Ctrl+L console · Esc leaves the console");
        help.getItems().add(keys);
        return new MenuBar(file, samples, map, view, help);
    }

    private ToolBar playbackBar() {
        Button home = button("|◀◀", "Start (Home)", "homeButton", () -> playback.seek(0));
        Button opBack = button("◀◀", "Back one operation (Shift+←)", "opBackButton", () -> playback.stepOpBack());
        Button back = button("◀", "Back one event (←)", "backButton", () -> playback.stepBack());
        playButton.setId("playButton");
        playButton.setTooltip(new Tooltip("Play / pause (Space)"));
        playButton.setOnAction(e -> playback.togglePlay());
        Button fwd = button("▶", "Forward one event (→)", "forwardButton", () -> playback.stepForward());
        Button opFwd = button("▶▶", "Forward one operation (Shift+→)", "opForwardButton",
                () -> playback.stepOpForward());
        Button end = button("▶▶|", "End (End)", "endButton", () -> playback.seek(playback.timeline().size()));
        scrubber.setId("scrubber");
        scrubber.setTooltip(new Tooltip("Timeline: drag to any event"));
        HBox.setHgrow(scrubber, Priority.ALWAYS);
        scrubber.setMaxWidth(Double.MAX_VALUE);
        scrubber.valueProperty().addListener((o, a, b) -> {
            if (!scrubbing && playback != null && b.intValue() != playback.timeline().position()) {
                playback.pause();
                playback.seek(b.intValue());
            }
        });
        speedSlider.setId("speedSlider");
        speedSlider.setPrefWidth(140);
        speedSlider.setTooltip(new Tooltip("Speed: events per second"));
        Label speedLabel = new Label();
        speedLabel.textProperty().bind(speedSlider.valueProperty().asString("%.2g ev/s"));
        speedLabel.setMinWidth(70);
        positionLabel.setId("positionLabel");
        positionLabel.setMinWidth(190);
        mapChoice.setId("mapChoice");
        mapChoice.setTooltip(new Tooltip("Which map the views show: \"follow playback\" draws every map's buckets "
                + "one under the other and shows the acting map in the other views; a map name shows that map only"));
        mapChoice.setOnAction(e -> {
            if (mapChoice.getValue() != null && !updatingChoice) {
                pinnedMap = FOLLOW.equals(mapChoice.getValue()) ? null : mapChoice.getValue();
                refresh(true);
            }
        });
        fpsLabel.setId("fpsLabel");
        fpsLabel.getStyleClass().add("muted");
        return new ToolBar(home, opBack, back, playButton, fwd, opFwd, end, new Separator(), positionLabel,
                scrubber, new Separator(), new Label("speed"), speedSlider, speedLabel, new Separator(),
                new Label("map"), mapChoice, fpsLabel);
    }

    private Button button(String text, String tip, String id, Runnable r) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> r.run());
        b.setFocusTraversable(false);
        return b;
    }

    private Node center() {
        jhashView.setPrefHeight(250);
        jhashView.setMinHeight(120);
        VBox lanesAndBuckets = new VBox(cpuLaneView, bucketsView);
        VBox.setVgrow(bucketsView, Priority.ALWAYS);
        cpuLaneView.setMinHeight(34);
        SplitPane left = new SplitPane(jhashView, lanesAndBuckets);
        left.setOrientation(Orientation.VERTICAL);
        left.setDividerPositions(0.33);

        eventLog.setId("eventLog");
        eventLog.setItems(eventItems);
        eventLog.setCellFactory(lv -> new ListCell<>() {
            @Override
            protected void updateItem(Integer i, boolean empty) {
                super.updateItem(i, empty);
                getStyleClass().removeAll("log-future", "log-op");
                if (empty || i == null || session == null || i >= session.timeline().size()) {
                    setText(null);
                    setTooltip(null);
                    return;
                }
                TimelineEntry e = session.timeline().entry(i);
                WorldModel present = session.timeline().present();
                MapModel em = present.map(e.mapId());
                String mapTag = present.mapIds().size() > 1 ? "[" + present.displayName(e.mapId()) + "] " : "";
                setText(String.format("%5d  %s%s%s", i + 1, mapTag, e.actor() == io.htablab.visualizer.model.Actor.READER
                        ? "[reader] " : "", EventText.brief(e.event(), em)));
                Tooltip tip = new Tooltip(EventText.explain(e.event(), em));
                tip.setWrapText(true);
                tip.setMaxWidth(420);
                setTooltip(tip);
                if (i >= session.timeline().position()) {
                    getStyleClass().add("log-future");
                }
            }
        });
        eventLog.setOnMouseClicked(e -> {
            Integer i = eventLog.getSelectionModel().getSelectedItem();
            if (i != null && e.getClickCount() >= 1) {
                playback.pause();
                playback.seek(i + 1);
            }
        });
        eventLog.setTooltip(new Tooltip("Every engine event; the highlighted line is the last one applied. Click "
                + "a line to jump there."));

        sideTabs.setId("sideTabs");
        sideTabs.getTabs().addAll(tab("Freelists", freelistView, "freelistTab"), tab("LRU", lruView, "lruTab"),
                tab("Values", valuesView, "valuesTab"), tab("Events", eventLog, "eventsTab"),
                tab("Nulls race", racePane(), "raceTab"), tab("Operations", opForm(), "opsTab"));
        sideTabs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> Platform.runLater(() -> {
            for (CanvasView v : views) {
                v.redrawIfDirty();
            }
            if (eventLogStale && session != null) {
                syncEventLog();
            }
        }));
        SplitPane split = new SplitPane(left, sideTabs);
        split.setDividerPositions(0.6);
        javafx.scene.layout.StackPane stack = new javafx.scene.layout.StackPane(split, flights);
        stack.setId("views");
        return stack;
    }

    private Tab tab(String name, Node content, String id) {
        Tab t = new Tab(name, content);
        t.setId(id);
        t.setClosable(false);
        return t;
    }

    private Node bottom() {
        caption.setId("caption");
        caption.setWrapText(true);
        caption.getStyleClass().add("caption");
        caption.setMaxWidth(Double.MAX_VALUE);
        caption.setMinHeight(76);
        caption.setAlignment(Pos.TOP_LEFT);
        consoleOutput.setId("consoleOutput");
        consoleOutput.setPrefHeight(130);
        consoleOutput.setCellFactory(lv -> new ListCell<>() {
            @Override
            protected void updateItem(String s, boolean empty) {
                super.updateItem(s, empty);
                getStyleClass().removeAll("console-error", "console-input", "console-comment");
                setText(empty ? null : s);
                if (!empty && s != null) {
                    if (s.startsWith("› ")) {
                        getStyleClass().add("console-input");
                    } else if (s.startsWith("error") || s.startsWith("  ↳")) {
                        getStyleClass().add("console-error");
                    } else if (s.startsWith("#")) {
                        getStyleClass().add("console-comment");
                    }
                }
            }
        });
        consoleOutput.setOnMouseClicked(e -> {
            Integer op = consoleOps.get(consoleOutput.getSelectionModel().getSelectedIndex());
            if (op != null && op < session.timeline().ops().size()) {
                playback.pause();
                OpRecord rec = session.timeline().ops().get(op);
                playback.seek(rec.firstEvent());
                if (rec.eventCount() > 0) {
                    playback.stepForward();
                }
            }
        });
        consoleOutput.setTooltip(new Tooltip("Click a statement to jump to its first step."));
        console.setId("console");
        console.setPromptText("type a .hts statement, e.g.  update h u32:7 u32:70   (Tab completes, ↑/↓ history)");
        console.setOnAction(e -> {
            String text = console.getText();
            if (!text.isBlank()) {
                history.add(text);
                historyIndex = history.size();
                console.clear();
                runFromConsole(text);
            }
        });
        console.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.UP && !history.isEmpty()) {
                historyIndex = Math.max(0, historyIndex - 1);
                console.setText(history.get(historyIndex));
                console.end();
                e.consume();
            } else if (e.getCode() == KeyCode.DOWN && !history.isEmpty()) {
                historyIndex = Math.min(history.size(), historyIndex + 1);
                console.setText(historyIndex == history.size() ? "" : history.get(historyIndex));
                console.end();
                e.consume();
            } else if (e.getCode() == KeyCode.TAB) {
                complete();
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                bucketsView.requestFocus(); // leave the console: Space and arrows drive playback again
                e.consume();
            }
        });
        Label prompt = new Label("hts›");
        prompt.getStyleClass().add("prompt");
        HBox input = new HBox(6, prompt, console);
        input.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(console, Priority.ALWAYS);
        VBox box = new VBox(4, caption, consoleOutput, input);
        box.setPadding(new Insets(4, 8, 8, 8));
        box.getStyleClass().add("bottom");
        return box;
    }

    private void complete() {
        String text = console.getText();
        List<String> options = session.complete(text);
        if (options.isEmpty()) {
            return;
        }
        String[] words = text.split(" ", -1);
        String last = words[words.length - 1];
        String prefix = text.substring(0, text.length() - last.length());
        if (options.size() == 1) {
            String o = options.get(0);
            console.setText(prefix + o + (o.endsWith("=") || o.endsWith(":") ? "" : " "));
        } else {
            String common = options.get(0);
            for (String o : options) {
                int i = 0;
                while (i < common.length() && i < o.length() && common.charAt(i) == o.charAt(i)) {
                    i++;
                }
                common = common.substring(0, i);
            }
            console.setText(prefix + common);
            consoleOutput.getItems().add("  " + String.join("  ", options));
            consoleOutput.scrollTo(consoleOutput.getItems().size() - 1);
        }
        console.end();
    }

    private final VBox opFields = new VBox(6);
    private final Label opTarget = new Label();
    private java.util.function.Supplier<String> opKey = () -> "u32:7";
    private java.util.function.Supplier<String> opValue = () -> "u32:70";
    private String opFieldsFor = "";

    private Node opForm() {
        VBox box = new VBox(8);
        box.setPadding(new Insets(12));
        Label help = new Label("Common operations on the shown map. Keys and values use the scenario syntax: "
                + "u32:7, u64:1, u32:1+u32:2 for a struct of two u32 fields, raw hex 0100000002000000; per-CPU "
                + "values: u64:1|u64:2. Maps created from C declarations (Map → New map…) get one input per "
                + "member (nested structs, arrays, bit-fields); in the console write them as {.pid=7, .port=80} "
                + "(Tab completes member names).");
        help.setWrapText(true);
        HBox ops1 = new HBox(6);
        HBox ops2 = new HBox(6);
        for (String op : List.of("update", "lookup", "delete", "lookup_and_delete")) {
            Button b = new Button(op);
            b.setMnemonicParsing(false); // the names have underscores
            b.setId("op-" + op);
            b.setOnAction(e -> runOp(op));
            ops1.getChildren().add(b);
        }
        for (String op : List.of("prog_lookup", "prog_update", "prog_delete", "next_key", "dump")) {
            Button b = new Button(op);
            b.setMnemonicParsing(false); // the names have underscores
            b.setId("op-" + op);
            b.setOnAction(e -> runOp(op));
            ops2.getChildren().add(b);
        }
        HBox cpuRow = new HBox(6, new Label("run on CPU"));
        cpuRow.setAlignment(Pos.CENTER_LEFT);
        for (int c = 0; c < 4; c++) {
            int cpu = c;
            Button b = new Button(Integer.toString(c));
            b.setOnAction(e -> runFromConsole("cpu " + cpu));
            cpuRow.getChildren().add(b);
        }
        rebuildOpFields();
        opTarget.setId("opTarget");
        opTarget.getStyleClass().add("muted");
        box.getChildren().addAll(help, opTarget, opFields, ops1, ops2, cpuRow);
        javafx.scene.control.ScrollPane sp = new javafx.scene.control.ScrollPane(box);
        sp.setId("opsScroll");
        sp.setFitToWidth(true);
        return sp;
    }

    /** Plain key/value fields, or forms by field when the shown map's C types are known. */
    private void rebuildOpFields() {
        String name = shownMap();
        MapModel model = name == null || session == null ? null : session.timeline().present().map(name);
        MapTypes types = model == null ? null : model.types();
        String want = name + "/" + (model == null ? -1 : model.id()) + "/" + (types != null);
        if (want.equals(opFieldsFor)) {
            return;
        }
        opFieldsFor = want;
        opTarget.setText(name == null ? "no map yet" : "on map " + name + (types != null ? " (" + spellings(types)
                + ")" : ""));
        opFields.getChildren().clear();
        if (types != null && types.keyWritable()) {
            StructForm k = new StructForm("key", "key", types.key());
            k.setId("keyForm");
            opFields.getChildren().add(k);
            opKey = k::text;
        } else {
            TextField key = new TextField("u32:7");
            key.setId("opKey");
            HBox row = new HBox(8, new Label("key"), key);
            row.setAlignment(Pos.CENTER_LEFT);
            opFields.getChildren().add(row);
            opKey = key::getText;
        }
        if (types != null && types.valueWritable()) {
            StructForm v = new StructForm("value", "value", types.value());
            v.setId("valueForm");
            opFields.getChildren().add(v);
            opValue = v::text;
        } else {
            TextField value = new TextField("u32:70");
            value.setId("opValue");
            HBox row = new HBox(8, new Label("value"), value);
            row.setAlignment(Pos.CENTER_LEFT);
            opFields.getChildren().add(row);
            opValue = value::getText;
        }
    }

    private void runOp(String op) {
        try {
            runOp(op, opKey.get(), op.contains("update") ? opValue.get() : "");
        } catch (IllegalArgumentException e) {
            consoleOutput.getItems().add("  ↳ " + e.getMessage());
        }
    }

    private static String spellings(MapTypes t) {
        return "key " + (t.hasKey() ? t.key().spelling() : "bytes") + ", value " + (t.hasValue()
                ? t.value().spelling() : "bytes");
    }

    private void runOp(String op, String key, String value) {
        String target = shownMap();
        if (target == null) {
            consoleOutput.getItems().add("error: create a map first");
            return;
        }
        String st = switch (op) {
            case "update", "prog_update" -> op + " " + target + " " + key.strip() + " " + value.strip();
            case "dump" -> "dump " + target;
            default -> op + " " + target + " " + key.strip();
        };
        runFromConsole(st);
    }

    private Node racePane() {
        VBox box = new VBox(8);
        box.setPadding(new Insets(12));
        Label help = new Label("The nulls race, run by the engine. A lookup walks a chain without taking the "
                + "bucket lock. If a writer deletes the element the reader is about to read and the freelist "
                + "hands that element straight to a key of ANOTHER bucket, the reader follows it into the "
                + "foreign chain and ends on that chain's nulls marker. The marker names another bucket, so the "
                + "reader restarts from its own bucket's head. Step the two sides in any order.");
        help.setWrapText(true);
        Button setup = new Button("1. Set up: map 'race', keys 9, 11, 12 in bucket 5");
        setup.setId("raceSetup");
        setup.setOnAction(e -> {
            for (String s : List.of("cpus 2", "cpu 0", "create race type=hash key=4 value=4 max=8 flags=zero_seed",
                    "update race u32:9 u32:9", "update race u32:11 u32:11", "update race u32:12 u32:12")) {
                runFromConsole(s);
            }
            playback.seek(playback.timeline().size());
            raceStatus.setText("Chain of bucket 5: 12 → 11 → 9 → nulls 5");
        });
        Button begin = new Button("2. Reader: begin lookup of key 9 (bucket 5)");
        begin.setId("raceBegin");
        begin.setOnAction(e -> raceAction(() -> {
            session.beginReader("race", new byte[] {9, 0, 0, 0}, 0);
            return "reader hashes key 9 → bucket 5";
        }));
        Button step = new Button("Reader: step");
        step.setId("raceStep");
        step.setOnAction(e -> raceAction(() -> session.stepReader()));
        Button delete = new Button("Writer: delete the element the reader reads next");
        delete.setId("raceDelete");
        delete.setOnAction(e -> {
            MapModel m = session.timeline().present().map("race");
            if (m == null || !m.reader().active() || m.reader().next() < 0) {
                raceStatus.setText("The reader is not standing before an element.");
                return;
            }
            runFromConsole("delete race " + Hex.of(m.elemKey(m.reader().next())));
            playback.follow();
        });
        Button reuse = new Button("Writer: insert key 13 (bucket 3): reuses that element");
        reuse.setId("raceReuse");
        reuse.setOnAction(e -> {
            runFromConsole("update race u32:13 u32:13");
            playback.follow();
        });
        raceStatus.setId("raceStatus");
        raceStatus.setWrapText(true);
        raceStatus.getStyleClass().add("race-status");
        Label recipe = new Label("Recipe: 1, 2, step once (reader looked at 12, will read 11 next), delete, "
                + "insert 13, then step the reader: it reads e(13) in bucket 3's chain, reaches nulls 3 ≠ 5 and "
                + "restarts; two more steps find 9.");
        recipe.setWrapText(true);
        recipe.getStyleClass().add("muted");
        box.getChildren().addAll(help, setup, begin, step, delete, reuse, raceStatus, recipe);
        return box;
    }

    private void raceAction(java.util.function.Supplier<String> action) {
        try {
            boolean follow = playback.timeline().atEnd() || playback.playingProperty().get();
            String s = action.get();
            raceStatus.setText(s);
            consoleOutput.getItems().add("› " + s);
            if (follow) {
                playback.follow();
            }
            if (pinnedMap != null) {
                pinnedMap = "race";
            }
            updateMapChoice();
        } catch (RuntimeException ex) {
            raceStatus.setText("error: " + ex.getMessage());
        }
    }

    // ------------------------------------------------------------------ sessions

    public void newSession(int cpus) {
        if (playback != null) {
            playback.dispose();
        }
        if (session != null) {
            session.close();
        }
        session = new Session(cpus);
        playback = new PlaybackController(session.timeline());
        playback.speedProperty().bind(speedSlider.valueProperty());
        playback.guidedProperty().set(guidedItem.isSelected());
        playback.addListener(this::refresh);
        playback.playingProperty().addListener((o, a, b) -> playButton.setText(b ? "Pause" : "Play"));
        playback.fpsProperty().addListener((o, a, b) -> fpsLabel.setText(String.format("%.0f fps", b.doubleValue())));
        eventItems.clear();
        for (CanvasView v : views) {
            v.resetView();
        }
        session.timeline().addListener(this::timelineChanged);
        consoleOutput.getItems().clear();
        consoleOps.clear();
        pinnedMap = null;
        focusedMap = WorldModel.NONE;
        opFieldsFor = "";
        timelineChanged();
        refresh(true);
    }

    private void timelineChanged() {
        Timeline t = session.timeline();
        if (eventItems.size() > t.size()) {
            eventItems.clear();
        }
        if (eventItems.size() < t.size()) {
            List<Integer> add = new ArrayList<>();
            for (int i = eventItems.size(); i < t.size(); i++) {
                add.add(i);
            }
            eventItems.addAll(add);
        }
    }

    public void openSample(String name) {
        try {
            load(Samples.read(name), Samples.title(name));
        } catch (IOException e) {
            consoleOutput.getItems().add("error: " + e.getMessage());
        }
    }

    public void openFile(Path file) {
        try {
            load(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
        } catch (IOException e) {
            consoleOutput.getItems().add("error: cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Runs a whole scenario in a fresh engine and rewinds to its start, ready for guided stepping. */
    public void load(String text, String name) {
        newSession(2);
        List<Session.Result> results = session.runScript(text);
        for (Session.Result r : results) {
            echo(r);
        }
        title = "htab-lab · " + name;
        stage.setTitle(title);
        Timeline t = session.timeline();
        // start at the end of the first operation that created a map, so the views are not empty
        int start = 0;
        for (OpRecord op : t.ops()) {
            if (op.source().startsWith("create") && op.eventCount() > 0) {
                start = op.endEvent();
                break;
            }
        }
        playback.seek(start);
        updateMapChoice();
        caption.setText(guidedIntro(text) + "\nPress Space to play, → to step one event, Shift+→ for the next "
                + "operation.");
    }

    private static String guidedIntro(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#")) {
                break;
            }
            String s = line.substring(1).strip();
            if (!s.isEmpty()) {
                sb.append(sb.isEmpty() ? "" : " ").append(s);
            }
        }
        String s = sb.toString();
        return s.length() > 360 ? s.substring(0, 357) + "…" : s;
    }

    /** Runs a statement typed or built by a form; the views animate its events. */
    public Session.Result runFromConsole(String text) {
        boolean follow = playback.timeline().atEnd() || playback.playingProperty().get();
        Session.Result r = session.run(text);
        echo(r);
        String map = io.htablab.visualizer.model.fields.FieldSyntax.mapToken(
                io.htablab.visualizer.model.fields.FieldSyntax.tokens(text.strip()));
        if (pinnedMap != null && map != null && session.mapNames().contains(map)) {
            pinnedMap = map; // a map was chosen: show the one the statement works on
        }
        updateMapChoice();
        if (follow) {
            playback.follow();
        }
        refresh(false);
        return r;
    }

    private static final int ECHO_LIMIT = 2000;

    /** Console line index of each statement echo → its op in the timeline (click to jump there). */
    private final java.util.Map<Integer, Integer> consoleOps = new java.util.HashMap<>();

    private void echo(Session.Result r) {
        if (r.op() >= 0) {
            consoleOps.put(consoleOutput.getItems().size(), r.op());
        }
        consoleOutput.getItems().add("› " + r.source());
        if (r.output().size() > ECHO_LIMIT) {
            consoleOutput.getItems().addAll(r.output().subList(0, ECHO_LIMIT));
            consoleOutput.getItems().add("# … " + (r.output().size() - ECHO_LIMIT) + " more lines not shown");
        } else {
            consoleOutput.getItems().addAll(r.output());
        }
        if (session.lastRunRebased()) {
            consoleOutput.getItems().add("# this statement produced more than " + Session.OP_EVENT_LIMIT
                    + " events: its steps are not replayable; the timeline restarts after it");
        }
        if (r.error() != null) {
            consoleOutput.getItems().add("  ↳ " + r.error());
        }
        consoleOutput.scrollTo(consoleOutput.getItems().size() - 1);
    }

    private boolean updatingChoice;

    private void updateMapChoice() {
        List<String> names = new ArrayList<>();
        names.add(FOLLOW);
        names.addAll(session.timeline().present().mapNames());
        updatingChoice = true;
        try {
            if (!names.equals(mapChoice.getItems())) {
                mapChoice.getItems().setAll(names);
            }
            if (pinnedMap != null && !names.contains(pinnedMap)) {
                pinnedMap = null;
            }
            String want = pinnedMap == null ? FOLLOW : pinnedMap;
            if (!want.equals(mapChoice.getValue())) {
                mapChoice.setValue(want);
            }
        } finally {
            updatingChoice = false;
        }
        rebuildOpFields();
    }

    /**
     * The map the one-map views show at the cursor: the chosen one, else the map of the last applied event, else the
     * first map. A function of the position only, so stepping back shows what was shown before.
     */
    private int focusOf(WorldModel w) {
        if (pinnedMap != null) {
            int id = w.idOf(pinnedMap);
            if (id != WorldModel.NONE) {
                return id;
            }
        }
        int active = w.activeMapId();
        if (active != WorldModel.NONE && w.map(active) != null) {
            return active;
        }
        List<Integer> ids = w.mapIds();
        return ids.isEmpty() ? WorldModel.NONE : ids.get(0);
    }

    /** Large map without the menu (tests, screenshots). */
    public void largeMapForTest(int n) {
        largeMap(n);
    }

    private void largeMap(int n) {
        newSession(2);
        runFromConsole("create big type=hash key=4 value=4 max=" + n + " flags=zero_seed");
        long t0 = System.nanoTime();
        session.bulkFill("big", n);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        updateMapChoice();
        playback.seek(0);
        consoleOutput.getItems().add("# filled big with " + n + " keys in " + ms + " ms (history before the fill "
                + "is not kept); try: lookup big u32:12345");
        sideTabs.getSelectionModel().select(2);
    }

    // ------------------------------------------------------------------ drawing

    private void refresh(boolean newStep) {
        Timeline t = session.timeline();
        if (newStep) {
            int focus = focusOf(t.state());
            boolean moved = focus != focusedMap;
            focusedMap = focus;
            bucketsView.setStacked(pinnedMap == null);
            for (CanvasView v : views) {
                v.show(t.state(), focusedMap, true, playback.progressProperty().get());
            }
            if (moved) {
                rebuildOpFields();
            }
            planFlights(t);
            scrubbing = true;
            scrubber.setMax(Math.max(1, t.size()));
            scrubber.setValue(t.position());
            scrubbing = false;
            OpRecord cur = t.currentOp();
            positionLabel.setText((cur == null ? "" : "op " + (cur.index() + 1) + "/" + t.ops().size() + " · ")
                    + "event " + t.position() + "/" + t.size());
            updateCaption();
            syncEventLog();
            autoTab(t);
        } else {
            double p = playback.progressProperty().get();
            for (CanvasView v : views) {
                if (v.showing()) {
                    v.setProgress(p);
                }
            }
            if (flights.hasFlights()) {
                flights.draw(p);
            }
        }
    }

    /**
     * Points the event log at the current event. A log in a hidden tab is left alone until its tab is shown:
     * refreshing it re-creates its cells, and doing that every step while it was hidden made the renderer
     * repaint the whole window on every frame of the step (measured: 173 nodes, 30-45 ms a frame).
     */
    private void syncEventLog() {
        if (eventLog.getScene() == null || !eventLogShowing()) {
            eventLogStale = true;
            return;
        }
        eventLogStale = false;
        int position = session.timeline().position();
        if (position > 0) {
            eventLog.getSelectionModel().clearAndSelect(position - 1);
            eventLog.scrollTo(Math.max(0, position - 6));
        } else {
            eventLog.getSelectionModel().clearSelection();
        }
        eventLog.refresh();
    }

    private boolean eventLogShowing() {
        for (Node n = eventLog; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the event log missed steps while its tab was hidden. */
    private boolean eventLogStale = true;

    /**
     * An element that changes view in this step (freelist or "in hand" to a bucket, bucket to a freelist)
     * flies across on the overlay, so its identity can be followed.
     */
    private void planFlights(Timeline t) {
        List<FlightOverlay.Flight> plan = new ArrayList<>();
        TimelineEntry e = t.lastApplied();
        double p = playback.progressProperty().get();
        if (e != null && p < 1) {
            HtabEvent ev = e.event();
            int elem = -1;
            if (ev.mapId() != focusedMap) {
                ev = null; // the freelist view shows another map: nothing to fly between
            }
            CanvasView src = null;
            CanvasView dst = null;
            if (ev instanceof io.htablab.hashtab.htab.event.BucketEvent.ElemLinked l) {
                elem = l.elem();
                src = freelistView;
                dst = bucketsView;
            } else if (ev instanceof io.htablab.hashtab.htab.event.BucketEvent.ElemUnlinked u) {
                elem = u.elem(); // leaves its chain for the freelist view's "in hand" row or an extra slot
                src = bucketsView;
                dst = freelistView;
            }
            if (elem >= 0) {
                long id = CanvasView.elemId(focusedMap, elem);
                double[] a = src.sceneBoxBefore(id);
                double[] b = dst.sceneBoxNow(id);
                if (a != null && b != null) {
                    plan.add(new FlightOverlay.Flight(elem, a, b));
                    dst.setIncoming(id);
                }
            }
        }
        flights.setFlights(plan);
        flights.draw(plan.isEmpty() ? 1 : p);
    }

    /** Show the freelist or LRU tab when the current event is about them. */
    private void autoTab(Timeline t) {
        if (!playback.playingProperty().get()) {
            return;
        }
        TimelineEntry e = t.lastApplied();
        if (e == null) {
            return;
        }
        HtabEvent ev = e.event();
        int want = -1;
        if (ev instanceof io.htablab.hashtab.htab.event.FreelistEvent) {
            want = 0;
        } else if (ev instanceof io.htablab.hashtab.htab.event.LruEvent) {
            want = 1;
        }
        int sel = sideTabs.getSelectionModel().getSelectedIndex();
        if (want >= 0 && sel <= 2 && sel != want) {
            sideTabs.getSelectionModel().select(want);
        }
    }

    private void updateCaption() {
        Timeline t = session.timeline();
        TimelineEntry last = t.lastApplied();
        OpRecord op = t.currentOp();
        StringBuilder sb = new StringBuilder();
        if (op != null) {
            for (String c : op.comments()) {
                String s = c.replaceFirst("^#\\s?", "");
                if (!s.isBlank()) {
                    sb.append(s).append(' ');
                }
            }
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            String src = op.source();
            int hash = src.indexOf('#');
            sb.append("› ").append((hash > 0 ? src.substring(0, hash) : src).strip());
            if (!op.output().isEmpty() && t.position() == op.endEvent()) {
                sb.append("   ⇒ ").append(String.join(" · ", op.output().subList(0, Math.min(3,
                        op.output().size()))));
            }
            sb.append('\n');
        }
        if (last != null) {
            WorldModel w = t.state();
            String where = w.mapIds().size() > 1 ? "[" + w.displayName(last.mapId()) + "] " : "";
            sb.append(where).append(EventText.explain(last.event(), w.map(last.mapId())));
        }
        MapModel m = focusedMap == WorldModel.NONE ? null : t.state().map(focusedMap);
        if (m != null && m.reader().active()) {
            ReaderState r = m.reader();
            raceStatus.setText("Reader in bucket " + r.bucket() + ": " + (r.done() ? (r.found() ? "found" : "absent")
                    : "next " + (r.next() == ReaderState.NOT_STARTED ? "-" : r.next() >= 0 ? "e" + r.next()
                    : "nulls " + (~r.next()))) + " · restarts " + r.restarts());
        }
        caption.setText(sb.toString().strip());
    }

    // ------------------------------------------------------------------ C declarations

    /**
     * Creates a map from eBPF C source: the first hash-family map definition gives type, sizes,
     * max_entries and flags; its key/value types drive the struct forms. Problems go to the console.
     */
    public void createFromC(String name, String source, boolean zeroSeed) {
        var result = io.htablab.hashtab.cfront.CFront.parse("setup.bpf.c", source);
        for (var d : result.diagnostics()) {
            consoleOutput.getItems().add("  ↳ C: " + d.severity() + " " + d.message() + " (" + d.range() + ")");
        }
        io.htablab.hashtab.cfront.MapDefinition def = null;
        for (var m : result.maps()) {
            if (m.kernelName() != null && List.of("hash", "percpu_hash", "lru_hash", "lru_percpu_hash")
                    .contains(m.kernelName())) {
                def = m;
                break;
            }
        }
        if (def == null || def.keySize().isEmpty() || def.valueSize().isEmpty() || def.maxEntries().isEmpty()) {
            consoleOutput.getItems().add("error: no hash-family map with known key size, value size and "
                    + "max_entries in the C source");
            return;
        }
        List<String> flags = new ArrayList<>();
        long f = def.mapFlags().orElse(0);
        for (io.htablab.hashtab.htab.MapFlag flag : io.htablab.hashtab.htab.MapFlag.values()) {
            if (flag.isSetIn((int) f)) {
                flags.add(flag.scenarioName());
            }
        }
        if (zeroSeed && !flags.contains("zero_seed")) {
            flags.add("zero_seed");
        }
        String mapName = name.isEmpty() ? def.name() : name;
        consoleOutput.getItems().add("# from C: " + def.name() + " " + def.kernelName()
                + (def.keyType() != null ? " key " + def.keyType().spelling() : "")
                + (def.valueType() != null ? " value " + def.valueType().spelling() : ""));
        // The types go to the scenario as a ctype line and the map is created with btf_key/btf_value, as libbpf
        // would: the scenario parser then reads {.a=1} for it (one encoder), the engine applies the kernel's BTF
        // rules (special fields), and a saved session replays. The dialog's own parse still gives the views the types
        // of a key or value the scenario cannot name (an anonymous struct).
        List<io.htablab.hashtab.cfront.SourceRange> defs = new ArrayList<>();
        for (var m : result.maps()) {
            defs.add(m.range());
        }
        CSource.Declarations decls = CSource.declarations(source, defs);
        for (String d : decls.dropped()) {
            consoleOutput.getItems().add("# not given to the scenario (a ctype line holds no preprocessor lines): " + d);
        }
        String btfKey = def.keyType() == null ? null : CSource.btfName(def.keyType());
        String btfValue = def.valueType() == null ? null : CSource.btfName(def.valueType());
        boolean typesOk = true;
        if ((btfKey != null || btfValue != null) && !decls.line().isEmpty()) {
            Session.Result r = runFromConsole("ctype " + decls.line());
            typesOk = !r.failed() && r.output().equals(List.of("ok"));
        }
        // the scenario must see the types as the dialog did (a macro it was not given changes an array's size)
        typesOk &= sameSize(btfKey, def.keySize().getAsLong()) && sameSize(btfValue, def.valueSize().getAsLong());
        if (!typesOk) {
            consoleOutput.getItems().add("# the map is created without BTF: keys and values are shown by field, but "
                    + "must be written as bytes");
            btfKey = null;
            btfValue = null;
        }
        session.declareTypes(mapName, new MapTypes(def.keyType(), def.valueType(), "C declarations"));
        runFromConsole("create " + mapName + " type=" + def.kernelName()
                + (btfKey == null ? " key=" + def.keySize().getAsLong() : "")
                + (btfValue == null ? " value=" + def.valueSize().getAsLong() : "")
                + " max=" + def.maxEntries().getAsLong()
                + (flags.isEmpty() ? "" : " flags=" + String.join(",", flags))
                + (btfKey == null ? "" : " btf_key=" + btfKey) + (btfValue == null ? "" : " btf_value=" + btfValue));
        rebuildOpFields();
        sideTabs.getSelectionModel().select(5);
    }

    private boolean sameSize(String btfName, long size) {
        if (btfName == null) {
            return true;
        }
        io.htablab.hashtab.cfront.CType t = session.scenarioType(btfName.replace(':', ' '));
        return t != null && t.size() == size;
    }

    // ------------------------------------------------------------------ themes, zoom, keys

    public void setDark(boolean on) {
        dark = on;
        scene.getStylesheets().setAll(css(on ? "dark.css" : "light.css"));
        for (CanvasView v : views) {
            v.setPalette(on ? Palette.DARK : Palette.LIGHT);
        }
        flights.setPalette(on ? Palette.DARK : Palette.LIGHT);
    }

    public void setFontScale(double s) {
        fontScale = Math.max(0.6, Math.min(3, s));
        root.setStyle(String.format("-fx-font-size: %.1fpx;", 13 * fontScale));
        for (CanvasView v : views) {
            v.setZoom(fontScale);
        }
    }

    private void installShortcuts() {
        scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            boolean typing = scene.getFocusOwner() instanceof TextInputControl;
            if (typing && !(e.isControlDown() || e.isAltDown())) {
                return;
            }
            KeyCode k = e.getCode();
            if (k == KeyCode.SPACE) {
                playback.togglePlay();
            } else if (k == KeyCode.RIGHT && e.isShiftDown()) {
                playback.stepOpForward();
            } else if (k == KeyCode.LEFT && e.isShiftDown()) {
                playback.stepOpBack();
            } else if (k == KeyCode.RIGHT) {
                playback.stepForward();
            } else if (k == KeyCode.LEFT) {
                playback.stepBack();
            } else if (k == KeyCode.HOME) {
                playback.seek(0);
            } else if (k == KeyCode.END) {
                playback.seek(playback.timeline().size());
            } else {
                return;
            }
            e.consume();
        });
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN),
                console::requestFocus);
    }

    // ------------------------------------------------------------------ files

    private void chooseAndOpen() {
        FileChooser fc = chooser("Open scenario", "*.hts");
        var f = fc.showOpenDialog(stage);
        if (f != null) {
            openFile(f.toPath());
        }
    }

    private void chooseAndSave() {
        FileChooser fc = chooser("Save session", "*.hts");
        fc.setInitialFileName("session.hts");
        var f = fc.showSaveDialog(stage);
        if (f != null) {
            saveSession(f.toPath());
        }
    }

    public void saveSession(Path file) {
        try {
            Files.writeString(file, "# recorded by htab-lab\n" + String.join("\n", session.recorded()) + "\n");
            consoleOutput.getItems().add("# saved " + file);
        } catch (IOException e) {
            consoleOutput.getItems().add("error: " + e.getMessage());
        }
    }

    private void choosePng() {
        FileChooser fc = chooser("Export PNG", "*.png");
        fc.setInitialFileName("htab-lab.png");
        var f = fc.showSaveDialog(stage);
        if (f != null) {
            exportPng(f.toPath());
        }
    }

    /** Writes a PNG of the views area (center of the window). */
    public void exportPng(Path file) {
        try {
            Exporter.png(root.getCenter(), file);
            consoleOutput.getItems().add("# wrote " + file);
        } catch (IOException e) {
            consoleOutput.getItems().add("error: " + e.getMessage());
        }
    }

    private void chooseTrace() {
        FileChooser fc = chooser("Export event trace", "*.jsonl");
        fc.setInitialFileName("trace.jsonl");
        var f = fc.showSaveDialog(stage);
        if (f != null) {
            exportTrace(f.toPath());
        }
    }

    public void exportTrace(Path file) {
        try {
            Exporter.jsonLines(session.timeline(), file);
            consoleOutput.getItems().add("# wrote " + session.timeline().size() + " events to " + file);
        } catch (IOException e) {
            consoleOutput.getItems().add("error: " + e.getMessage());
        }
    }

    private FileChooser chooser(String title, String pattern) {
        FileChooser fc = new FileChooser();
        fc.setTitle(title);
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(pattern, pattern));
        return fc;
    }

    // ------------------------------------------------------------------ accessors (tests, dialogs)

    public PlaybackController playback() {
        return playback;
    }

    public Session session() {
        return session;
    }

    public Scene scene() {
        return scene;
    }

    /** The name of the map the one-map views show (the chosen or the acting one), or null. */
    public String shownMap() {
        if (session == null) {
            return null;
        }
        WorldModel w = session.timeline().state();
        int id = focusOf(w);
        if (id == WorldModel.NONE) {
            id = focusOf(session.timeline().present());
            w = session.timeline().present();
        }
        return id == WorldModel.NONE ? null : w.displayName(id);
    }

    /** The map chosen in the selector, or null when the views follow playback. */
    public String pinnedMap() {
        return pinnedMap;
    }

    public BucketsView bucketsView() {
        return bucketsView;
    }

    public CpuLaneView cpuLaneView() {
        return cpuLaneView;
    }

    public ValuesView valuesView() {
        return valuesView;
    }

    public TabPane sideTabs() {
        return sideTabs;
    }

    public boolean isDark() {
        return dark;
    }
}
