package io.htablab.lsp;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.MacroDef;
import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.cfront.MapField;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.TypeTable;
import io.htablab.hashtab.htab.HtabGeometry;
import io.htablab.hashtab.htab.MapType;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Markdown hovers: a map (on its name or its type/flags entries), a struct/union/typedef (its layout), a
 * BPF_MAP_TYPE_ / BPF_F_ constant (its value and meaning), a user macro (its definition).
 */
final class HoverFeature {

    private HoverFeature() {
    }

    static Optional<String> hover(Analysis a, int line, int col, LiveMaps live) {
        CallSites.Resolved call = CallSites.of(a).callAt(line, col);
        if (call != null) {
            return Optional.of(callHover(call));
        }
        TextIndex.Word word = a.index().wordAt(line, col);
        MapFacts inMap = a.mapContaining(line, col);
        if (inMap != null && (inMap.def().nameRange().contains(line, col)
                || word != null && word.text().equals(inMap.name()))) {
            return Optional.of(mapHover(inMap, live));
        }
        if (word == null) {
            return Optional.empty();
        }
        String w = word.text();
        BpfConstants.Constant constant = BpfConstants.lookup(w);
        if (constant != null) {
            String text = constantHover(constant);
            if (inMap != null && isOnField(inMap.def(), line, col, "type", "map_flags")) {
                text += "\n\n---\n\n" + mapHover(inMap, live);
            }
            return Optional.of(text);
        }
        if (inMap != null && isOnField(inMap.def(), line, col, "type", "map_flags")) {
            return Optional.of(mapHover(inMap, live));
        }
        MapFacts named = a.map(w);
        if (named == null && CallSites.map(a, w) != null) {
            named = new MapFacts(CallSites.map(a, w), a.settings().possibleCpus()); // a map from an included header
        }
        if (named != null) {
            String from = a.isThisDocument(named.def().uri()) ? ""
                    : "\n\n*Defined in " + SymbolFeature.headerPlace(named) + "* (an included header)";
            return Optional.of(mapHover(named, live) + from);
        }
        String before = a.index().wordBefore(line, word.range().startCol());
        TypeTable types = a.result().types();
        CType type = null;
        if ("struct".equals(before)) {
            type = types.struct(w);
        } else if ("union".equals(before)) {
            type = types.union(w);
        } else if ("enum".equals(before)) {
            type = types.enumType(w);
        } else {
            type = types.typedef(w);
            if (type == null) {
                type = types.struct(w);
            }
        }
        if (type != null) {
            return Optional.of(typeHover(type));
        }
        TypeTable.EnumConstant ec = types.enumConstant(w);
        if (ec != null) {
            return Optional.of("`" + w + "` = " + ec.value() + " (" + ec.owner().spelling() + ")");
        }
        MacroDef macro = a.result().macros().get(w);
        if (macro != null) {
            return Optional.of("```c\n#define " + w + (macro.isFunctionLike() ? "(" + String.join(", ", macro.params())
                    + ")" : "") + " " + macro.body() + "\n```");
        }
        return Optional.empty();
    }

    private static boolean isOnField(MapDefinition def, int line, int col, String... names) {
        for (String n : names) {
            MapField f = def.field(n);
            if (f != null && f.range() != null && f.range().contains(line, col)) {
                return true;
            }
        }
        return false;
    }

    static String constantHover(BpfConstants.Constant c) {
        return "`" + c.name() + "` = " + c.value() + String.format(" (0x%x)", c.value()) + "\n\n" + c.description();
    }

    /** Plain words for a map type. */
    static String typeInWords(String kernelName) {
        if (kernelName == null) {
            return "unknown map type";
        }
        BpfConstants.Constant c = BpfConstants.MAP_TYPES.get("BPF_MAP_TYPE_" + kernelName.toUpperCase(Locale.ROOT));
        return c == null ? kernelName : c.description();
    }

    static String mapHover(MapFacts m, LiveMaps live) {
        MapDefinition def = m.def();
        StringBuilder sb = new StringBuilder();
        String typeName = def.mapTypeName() != null ? def.mapTypeName()
                : m.kernelName() != null ? "BPF_MAP_TYPE_" + m.kernelName().toUpperCase(Locale.ROOT) : "?";
        sb.append("### map `").append(def.name()).append("`: `").append(typeName).append("`\n\n");
        sb.append(capitalise(typeInWords(m.kernelName()))).append(".\n\n");
        sb.append("| | |\n|---|---|\n");
        sb.append("| key | ").append(typeCell(def.keyType(), def, "key_size")).append(" |\n");
        sb.append("| value | ").append(typeCell(def.valueType(), def, "value_size")).append(" |\n");
        sb.append("| max_entries | ").append(number(def, "max_entries", def.maxEntries().isPresent()
                ? Long.toString(def.maxEntries().getAsLong()) : "not set")).append(" |\n");
        sb.append("| map_flags | ").append(number(def, "map_flags", BpfConstants.describeFlags(m.flags())
                + (m.flags() != 0 ? String.format(" (0x%x)", m.flags()) : ""))).append(" |\n\n");

        HtabGeometry g = m.geometry();
        if (g != null && !g.isOk()) {
            sb.append("**The kernel refuses this map** (").append(g.errno().name()).append("): ")
                    .append(g.reason()).append(".\n\n");
        } else if (g != null) {
            geometry(sb, m, g);
        } else if (m.isHashFamily()) {
            sb.append("Sizes cannot be computed: some values are unknown (").append(String.join(", ", def.unknown()))
                    .append(").\n\n");
        } else {
            sb.append("_htab-lab models the four hash map types; for this type only the generic creation checks"
                    + " are made._\n\n");
        }
        live(sb, def.name(), live);
        layout(sb, "Key", def.keyType());
        layout(sb, "Value", def.valueType());
        sb.append(SpecialFields.hover(m));
        return sb.toString().stripTrailing();
    }

    /** A map helper call: what the helper does, and the key/value layout of the map it names. */
    static String callHover(CallSites.Resolved call) {
        MapFacts m = call.facts();
        MapDefinition def = m.def();
        StringBuilder sb = new StringBuilder();
        sb.append("### `").append(call.helper().name()).append("` on map `").append(def.name()).append("`\n\n");
        sb.append(capitalise(call.helper().doc())).append(".\n\n");
        String incompatible = MapHelpers.incompatibility(call.helper(), m.kernelName());
        if (incompatible != null) {
            sb.append("**The verifier refuses this call**: ").append(incompatible).append(".\n\n");
        }
        String typeName = def.mapTypeName() != null ? def.mapTypeName()
                : m.kernelName() != null ? "BPF_MAP_TYPE_" + m.kernelName().toUpperCase(Locale.ROOT) : "?";
        sb.append("| | |\n|---|---|\n");
        sb.append("| map | `").append(def.name()).append("`: `").append(typeName).append("`, max_entries ")
                .append(def.maxEntries().isPresent() ? Long.toString(def.maxEntries().getAsLong()) : "?").append(" |\n");
        if (call.helper().keyArg() >= 0) {
            sb.append("| key | ").append(typeCell(def.keyType(), def, "key_size")).append(paddingNote(def.keyType()))
                    .append(" |\n");
        }
        sb.append("| value | ").append(typeCell(def.valueType(), def, "value_size")).append(" |\n\n");
        if (call.helper().keyArg() >= 0) {
            layout(sb, "Key", def.keyType());
        }
        layout(sb, "Value", def.valueType());
        sb.append(SpecialFields.hover(m));
        return sb.toString().stripTrailing();
    }

    private static String paddingNote(CType key) {
        if (key == null) {
            return "";
        }
        List<Padding.ByteRange> holes = Padding.holes(key);
        return holes.isEmpty() ? "" : "; padding at bytes " + Padding.describe(holes) + ": zero the key before filling it";
    }

    private static String typeCell(CType type, MapDefinition def, String sizeField) {
        long size = sizeField.equals("key_size") ? def.keySize().orElse(-1) : def.valueSize().orElse(-1);
        if (type != null) {
            return "`" + type.spelling() + "`, " + (type.size() >= 0 ? type.size() + " B" : "incomplete");
        }
        if (def.isUnknown(sizeField)) {
            return "unknown";
        }
        return size >= 0 ? size + " B" : "not set";
    }

    private static String number(MapDefinition def, String field, String known) {
        return def.isUnknown(field) ? "unknown (`" + exprText(def, field) + "`)" : known;
    }

    private static String exprText(MapDefinition def, String field) {
        MapField f = def.field(field);
        return f == null ? "?" : f.exprText();
    }

    private static void geometry(StringBuilder sb, MapFacts m, HtabGeometry g) {
        MapType type = g.attr().type();
        int p = g.possibleCpus();
        boolean prealloc = g.attr().isPrealloc();
        long key8 = HtabGeometry.round8(g.attr().keySize());
        sb.append("**Kernel geometry** (").append(p).append(" possible CPUs)\n\n");
        if (g.maxEntries() != g.attr().maxEntries()) {
            sb.append("- max_entries: ").append(g.maxEntries()).append(" (rounded up to a multiple of ").append(p)
                    .append(" CPUs for BPF_F_NO_COMMON_LRU)\n");
        }
        sb.append("- n_buckets: ").append(g.nBuckets()).append('\n');
        sb.append("- elem_size: ").append(g.elemSize()).append(" B (")
                .append(HtabGeometry.HTAB_ELEM_HEADER).append(" header + ").append(key8).append(" key + ")
                .append(type.isPercpu() ? "8 per-CPU pointer" : HtabGeometry.round8(g.attr().valueSize()) + " value")
                .append(")\n");
        if (type.isPercpu()) {
            sb.append("- per-CPU values: ").append(HtabGeometry.round8(g.attr().valueSize())).append(" B \u00d7 ")
                    .append(p).append(" CPUs per element; a user-space value buffer is ").append(g.userValueSize())
                    .append(" B\n");
        }
        if (prealloc) {
            sb.append("- preallocated elements: ").append(g.numEntries());
            if (type == MapType.HASH) {
                sb.append(" (").append(g.maxEntries()).append(" + ").append(p).append(" per-CPU spares for updates)");
            }
            sb.append('\n');
            sb.append("- memory (memlock): ").append(Units.exact(g.memoryUsage()))
                    .append(", all allocated at creation\n\n");
        } else {
            sb.append("- memory (memlock): ").append(Units.exact(g.memoryUsage(0))).append(" empty, ")
                    .append(Units.exact(g.memoryUsage(g.maxEntries()))).append(" when full (elements allocated on"
                            + " demand)\n\n");
        }
        sb.append("**When full**: ").append(whenFull(g)).append("\n\n");
    }

    static String whenFull(HtabGeometry g) {
        MapType type = g.attr().type();
        int p = g.possibleCpus();
        if (type.isLru()) {
            if (g.attr().isPercpuLru()) {
                return "never E2BIG: each CPU owns " + (g.maxEntries() / p) + " of the " + g.maxEntries()
                        + " nodes (BPF_F_NO_COMMON_LRU) and an update on a CPU evicts only that CPU's least recently"
                        + " used elements (up to 4 at a time), even while other CPUs' nodes are free.";
            }
            long targetFree = DiagnosticsFeature.lruTargetFree(g.maxEntries(), p);
            return "never E2BIG: an update that needs a node evicts the least recently used elements; each CPU"
                    + " takes up to target_free = " + targetFree + " free nodes at a time, and a CPU that finds"
                    + " none evicts up to " + targetFree + " elements at once, so eviction can start before all "
                    + g.maxEntries() + " entries are used.";
        }
        if (g.attr().isPrealloc()) {
            return "a new key fails with E2BIG once " + g.maxEntries() + " keys are present"
                    + (type == MapType.HASH ? "; replacing an existing key still works (it uses a per-CPU spare"
                    + " element)." : "; existing keys are updated in place.");
        }
        return "a new key fails with E2BIG once " + g.maxEntries() + " elements are allocated.";
    }

    private static void live(StringBuilder sb, String name, LiveMaps live) {
        if (live == null) {
            return;
        }
        live.find(name).ifPresent(l -> {
            sb.append("**Loaded on this machine**: id ").append(l.id());
            if (l.entries() >= 0) {
                sb.append(", ").append(l.entriesAtLeast() ? "at least " : "").append(l.entries()).append(" entries");
            }
            sb.append(" of ").append(l.maxEntries());
            if (l.memlock() >= 0) {
                sb.append(", memlock ").append(Units.exact(l.memlock()));
            }
            sb.append(" (").append(l.type()).append(", key ").append(l.keySize()).append(" B, value ")
                    .append(l.valueSize()).append(" B)\n\n");
        });
    }

    private static void layout(StringBuilder sb, String title, CType type) {
        RecordType r = Padding.record(type);
        if (r == null) {
            return;
        }
        sb.append("**").append(title).append(" layout** `").append(type.spelling()).append("`\n\n");
        layoutTable(sb, type);
    }

    static String typeHover(CType type) {
        StringBuilder sb = new StringBuilder();
        sb.append("```c\n").append(type.spelling());
        if (type instanceof CType.TypedefType td) {
            sb.append(" = ").append(td.target().spelling());
        }
        sb.append("\n```\n\n");
        if (type.size() >= 0) {
            sb.append("size ").append(type.size()).append(" B, align ").append(type.align()).append("\n\n");
        } else {
            sb.append("incomplete type\n\n");
        }
        if (Padding.record(type) != null) {
            layoutTable(sb, type);
        }
        return sb.toString().stripTrailing();
    }

    /** offset | size | member | type, with padding rows (nested padding is listed under the table). */
    static void layoutTable(StringBuilder sb, CType type) {
        RecordType r = Padding.record(type);
        Layout layout = r.layout();
        sb.append(r.isUnion() ? "union, " : "").append(layout.size()).append(" B, align ").append(layout.align())
                .append("\n\n");
        sb.append("| offset | size | member | type |\n|---:|---:|---|---|\n");
        List<Layout.Hole> holes = layout.holes();
        int h = 0;
        for (Layout.Member member : layout.members()) {
            while (h < holes.size() && holes.get(h).offset() < member.offset()) {
                holeRow(sb, holes.get(h++));
            }
            String offset = member.isBitField() ? member.offset() + " (bit " + (member.bitOffset() % 8) + ")"
                    : Long.toString(member.offset());
            String size = member.isBitField() ? member.bitWidth() + " bits" : Long.toString(member.size());
            sb.append("| ").append(offset).append(" | ").append(size).append(" | ")
                    .append(member.name() == null ? "_(anonymous)_" : member.name()).append(" | `")
                    .append(member.type().spelling()).append("` |\n");
        }
        while (h < holes.size()) {
            holeRow(sb, holes.get(h++));
        }
        sb.append('\n');
        List<Padding.ByteRange> all = Padding.holes(type);
        if (Padding.totalBytes(all) > 0) {
            sb.append("Padding bytes: ").append(Padding.describe(all)).append(" (")
                    .append(Padding.totalBytes(all)).append(" of ").append(layout.size()).append(")\n\n");
        }
    }

    private static void holeRow(StringBuilder sb, Layout.Hole hole) {
        long last = hole.offset() + hole.size() - 1;
        sb.append("| ").append(hole.size() == 1 ? Long.toString(hole.offset()) : hole.offset() + ".." + last)
                .append(" | ").append(hole.size()).append(" | _").append(hole.tail() ? "tail padding" : "padding")
                .append("_ | |\n");
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
