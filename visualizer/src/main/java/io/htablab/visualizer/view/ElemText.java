package io.htablab.visualizer.view;

import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.fields.Field;
import io.htablab.visualizer.model.fields.MapTypes;

/** Tooltip texts for an element's key and value: by field when the map's C types are known, else hex. */
final class ElemText {
    private ElemText() {
    }

    static String key(MapModel m, int e) {
        byte[] k = m.elemKey(e);
        MapTypes t = m.types();
        if (t == null || !t.hasKey() || k == null) {
            return "key " + Hex.of(k);
        }
        Field f = t.decodeKey(k);
        return "key " + f.text() + "  (" + t.key().spelling() + ", bytes " + Hex.of(k) + ")\n"
                + MapTypes.describe(f);
    }

    static String value(MapModel m, int e) {
        MapTypes t = m.types();
        if (t == null || !t.hasValue()) {
            return "value " + Hex.of(m.elemValue(e));
        }
        StringBuilder sb = new StringBuilder();
        int slots = m.isPercpu() ? m.possibleCpus() : 1;
        for (int c = 0; c < slots; c++) {
            byte[] v = m.elemValueSlot(e, c);
            if (v == null) {
                continue;
            }
            Field f = t.decodeValue(v);
            sb.append(sb.length() > 0 ? "\n" : "").append(m.isPercpu() ? "CPU " + c + "'s value " : "value ")
                    .append(f.text()).append("  (").append(t.value().spelling()).append(")\n")
                    .append(MapTypes.describe(f));
        }
        return sb.length() == 0 ? "value -" : sb.toString();
    }
}
