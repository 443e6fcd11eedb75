package io.htablab.visualizer.app;

import io.htablab.hashtab.htab.MapType;
import javafx.geometry.Insets;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.stage.Window;

import java.util.ArrayList;
import java.util.List;

/** The map setup form: it builds and runs the {@code cpus} and {@code create} statements. */
public final class SetupDialog {
    private SetupDialog() {
    }

    public static void show(Window owner, MainWindow w) {
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("New map");
        TextField name = new TextField("h");
        name.setId("setupName");
        ComboBox<String> type = new ComboBox<>();
        for (MapType t : MapType.hashTypes()) {
            type.getItems().add(t.scenarioName());
        }
        type.setValue("hash");
        type.setId("setupType");
        Spinner<Integer> key = new Spinner<>(1, 512, 4);
        Spinner<Integer> value = new Spinner<>(1, 4096, 4);
        Spinner<Integer> max = new Spinner<>(1, 1 << 24, 8);
        key.setEditable(true);
        value.setEditable(true);
        max.setEditable(true);
        CheckBox noPrealloc = new CheckBox("no_prealloc");
        CheckBox noCommon = new CheckBox("no_common_lru");
        Spinner<Integer> cpus = new Spinner<>(1, 64, w.session().backend().possibleCpus());
        cpus.setEditable(true);
        ToggleGroup seed = new ToggleGroup();
        RadioButton zero = new RadioButton("zero (zero_seed: same placement on every run)");
        RadioButton random = new RadioButton("random (like the kernel)");
        RadioButton chosen = new RadioButton("chosen:");
        for (javafx.scene.control.Labeled l : List.of(noPrealloc, noCommon, zero, random, chosen)) {
            l.setMnemonicParsing(false); // flag names contain underscores
        }
        zero.setToggleGroup(seed);
        random.setToggleGroup(seed);
        chosen.setToggleGroup(seed);
        zero.setSelected(true);
        TextField seedValue = new TextField("0x12345678");
        seedValue.setPrefColumnCount(10);
        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(8);
        g.setPadding(new Insets(14));
        int r = 0;
        g.addRow(r++, new Label("name"), name);
        g.addRow(r++, new Label("type"), type);
        g.addRow(r++, new Label("key size (bytes)"), key);
        g.addRow(r++, new Label("value size (bytes)"), value);
        g.addRow(r++, new Label("max_entries"), max);
        g.addRow(r++, new Label("flags"), new HBox(10, noPrealloc, noCommon));
        g.addRow(r++, new Label("possible CPUs"), cpus);
        g.addRow(r++, new Label("seed"), zero);
        g.addRow(r++, new Label(""), random);
        g.addRow(r++, new Label(""), new HBox(6, chosen, seedValue));
        javafx.scene.control.TextArea cSource = new javafx.scene.control.TextArea();
        cSource.setId("setupC");
        cSource.setPromptText("or paste eBPF C: struct key { __u32 pid; __u16 port; };\n"
                + "struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16);\n"
                + "  __type(key, struct key); __type(value, __u64); } m SEC(\".maps\");");
        cSource.setPrefRowCount(6);
        cSource.setPrefColumnCount(46);
        Label note = new Label("C declarations (parsed by the C front end) override type, sizes, max_entries and "
                + "flags. The map is created with BTF as libbpf creates it (a ctype line and btf_key/btf_value), so "
                + "its keys and values are shown field by field, entered in a form in the Operations tab or typed as "
                + "{.pid=7, .port=80}, and special fields (spin locks, timers) behave as in the kernel.");
        note.setWrapText(true);
        note.setMaxWidth(480);
        g.add(new Label("C"), 0, r);
        g.add(cSource, 1, r++);
        g.add(note, 0, r, 2, 1);
        d.getDialogPane().setContent(g);
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        d.showAndWait().filter(b -> b == ButtonType.OK).ifPresent(b -> {
            if (!cSource.getText().isBlank()) {
                if (cpus.getValue() != w.session().backend().possibleCpus()) {
                    w.runFromConsole("cpus " + cpus.getValue());
                }
                w.createFromC(name.getText().strip(), cSource.getText(), zero.isSelected());
                return;
            }
            List<String> flags = new ArrayList<>();
            if (noPrealloc.isSelected()) {
                flags.add("no_prealloc");
            }
            if (noCommon.isSelected()) {
                flags.add("no_common_lru");
            }
            if (zero.isSelected()) {
                flags.add("zero_seed");
            }
            if (cpus.getValue() != w.session().backend().possibleCpus()) {
                w.runFromConsole("cpus " + cpus.getValue());
            }
            if (chosen.isSelected()) {
                try {
                    w.session().backend().setSeed(Integer.decode(seedValue.getText().strip()).intValue());
                } catch (NumberFormatException e) {
                    w.session().backend().setSeed((int) Long.decode(seedValue.getText().strip()).longValue());
                }
            }
            w.runFromConsole("create " + name.getText().strip() + " type=" + type.getValue() + " key="
                    + key.getValue() + " value=" + value.getValue() + " max=" + max.getValue()
                    + (flags.isEmpty() ? "" : " flags=" + String.join(",", flags)));
        });
    }
}
