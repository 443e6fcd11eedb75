package io.htablab.lsp;

import io.htablab.hashtab.cfront.CDiagnostic;
import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.htab.HtabGeometry;
import io.htablab.lsp.HtabDiagnostic.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Everything wrong or worth knowing about the maps of a document:
 * <ul>
 *   <li>"cfront.*": the front end's findings (syntax errors as errors, unknown names as information);</li>
 *   <li>"htab.create.ERRNO": a hash-family map BPF_MAP_CREATE would refuse, by {@link HtabGeometry};</li>
 *   <li>"map.create.EINVAL": the few array-map checks we are sure of (key_size 4, non-zero sizes);</li>
 *   <li>"key.padding": a struct key with holes;</li>
 *   <li>"percpu.memory": per-CPU value memory above the configured threshold;</li>
 *   <li>"lru.early-eviction": a common-LRU map small enough that per-CPU local free lists make it evict
 *       long before it is full;</li>
 *   <li>"call.*": map helper calls whose key or value does not fit the map ({@link CallSiteChecks}).</li>
 * </ul>
 */
final class DiagnosticsFeature {

    /** Common LRU: the free nodes a CPU grabs at a time (LOCAL_FREE_TARGET caps target_free). */
    static final long LOCAL_FREE_TARGET = 128;

    private DiagnosticsFeature() {
    }

    static List<HtabDiagnostic> compute(Analysis a) {
        List<HtabDiagnostic> out = new ArrayList<>();
        frontEndDiagnostics(a, out);
        for (MapFacts m : a.maps()) {
            // A definition the front end could not read completely would only produce follow-on errors.
            if (!hasFrontEndError(out, m)) {
                createChecks(m, out);
            }
            keyPadding(m, out);
            percpuMemory(m, a.settings(), out);
            lruEarlyEviction(m, out);
        }
        for (CallSiteChecks.Finding f : CallSites.of(a).findings(a)) {
            out.add(f.diagnostic());
        }
        // Every range must be displayable: clamp anything the front end placed outside the text.
        List<HtabDiagnostic> valid = new ArrayList<>(out.size());
        for (HtabDiagnostic d : out) {
            valid.add(a.index().isValid(d.range()) ? d
                    : new HtabDiagnostic(d.severity(), d.code(), d.message(), clamp(a.index(), d.range()), d.mapName()));
        }
        return valid;
    }

    /**
     * The map checks for a map defined in an included header (used by {@code check}, which reports such maps
     * at the header's lines): the front end's findings inside the map's definition, then the same checks as
     * for a document's own maps. Ranges are in the header.
     */
    static List<HtabDiagnostic> headerMapChecks(Analysis a, MapFacts m) {
        List<HtabDiagnostic> out = new ArrayList<>();
        for (CDiagnostic d : a.result().diagnostics()) {
            if (d.uri() != null && d.uri().equals(m.def().uri()) && d.range() != null
                    && CodeActionFeature.overlaps(d.range(), m.def().range().union(m.def().nameRange()))) {
                Severity severity = switch (d.severity()) {
                    case ERROR -> Severity.ERROR;
                    case WARNING -> Severity.WARNING;
                    case INFO -> Severity.INFO;
                };
                out.add(new HtabDiagnostic(d.code().startsWith("unknown-") ? Severity.INFO : severity,
                        "cfront." + d.code(), d.message(), d.range(), m.name()));
            }
        }
        if (!hasFrontEndError(out, m)) {
            createChecks(m, out);
        }
        keyPadding(m, out);
        percpuMemory(m, a.settings(), out);
        lruEarlyEviction(m, out);
        return out;
    }

    private static boolean hasFrontEndError(List<HtabDiagnostic> found, MapFacts m) {
        for (HtabDiagnostic d : found) {
            if (d.severity() == Severity.ERROR && d.code().startsWith("cfront.")
                    && CodeActionFeature.overlaps(d.range(), m.def().range())) {
                return true;
            }
        }
        return false;
    }

    private static SourceRange clamp(TextIndex index, SourceRange r) {
        int start = index.offset(r.startLine(), r.startCol());
        int end = Math.max(start, index.offset(r.endLine(), r.endCol()));
        return index.rangeOf(start, end);
    }

    private static void frontEndDiagnostics(Analysis a, List<HtabDiagnostic> out) {
        for (CDiagnostic d : a.result().diagnostics()) {
            if (!a.isThisDocument(d.uri())) {
                continue;
            }
            Severity severity = switch (d.severity()) {
                case ERROR -> Severity.ERROR;
                case WARNING -> Severity.WARNING;
                case INFO -> Severity.INFO;
            };
            // Names we do not know (a macro from a header we do not model) are information, not noise.
            if (d.code().startsWith("unknown-")) {
                severity = Severity.INFO;
            }
            SourceRange range = d.range() == null ? SourceRange.NONE : d.range();
            out.add(new HtabDiagnostic(severity, "cfront." + d.code(), d.message(), range, null));
        }
    }

    private static void createChecks(MapFacts m, List<HtabDiagnostic> out) {
        MapDefinition def = m.def();
        if (m.isHashFamily() && m.geometry() != null && !m.geometry().isOk()) {
            HtabGeometry g = m.geometry();
            String reason = g.reason();
            if (m.isBtfRefused()) {
                reason += ". libbpf then retries without BTF: the map is created, but its value is plain bytes and"
                        + " programs that use the field are refused by the verifier";
            }
            out.add(new HtabDiagnostic(Severity.ERROR, "htab.create." + g.errno().name(),
                    "map " + def.name() + ": " + reason, placeCreateError(def, g.field()), def.name()));
            return;
        }
        if (m.isArray() && m.isKnown()) {
            // array_map_alloc_check: the index is a u32, and zero sizes are refused.
            long key = def.keySize().orElse(0);
            if (key != 4) {
                out.add(new HtabDiagnostic(Severity.ERROR, "map.create.EINVAL", "map " + def.name()
                        + ": array maps are indexed by a 4-byte key, but key_size is " + key
                        + ": the kernel returns EINVAL", Analysis.fieldRange(def, "key", "key_size"), def.name()));
            } else if (def.valueSize().orElse(0) == 0) {
                out.add(new HtabDiagnostic(Severity.ERROR, "map.create.EINVAL", "map " + def.name()
                        + ": value_size is 0: the kernel returns EINVAL", Analysis.fieldRange(def, "value", "value_size"),
                        def.name()));
            } else if (def.maxEntries().orElse(0) == 0) {
                out.add(new HtabDiagnostic(Severity.ERROR, "map.create.EINVAL", "map " + def.name()
                        + ": max_entries is 0: the kernel returns EINVAL", Analysis.fieldRange(def, "max_entries"),
                        def.name()));
            }
        }
    }

    /** The entry the kernel objects to, as HtabGeometry names it. */
    static SourceRange placeCreateError(MapDefinition def, HtabGeometry.Field field) {
        if (field == null) {
            return Analysis.fieldRange(def, "map_flags");
        }
        return switch (field) {
            case TYPE -> Analysis.fieldRange(def, "type");
            case KEY_SIZE -> Analysis.fieldRange(def, "key", "key_size");
            case VALUE_SIZE -> Analysis.fieldRange(def, "value", "value_size");
            case MAX_ENTRIES -> Analysis.fieldRange(def, "max_entries");
            case NUMA_NODE -> Analysis.fieldRange(def, "numa_node", "map_flags");
            case MAP_FLAGS -> Analysis.fieldRange(def, "map_flags");
        };
    }

    private static void keyPadding(MapFacts m, List<HtabDiagnostic> out) {
        MapDefinition def = m.def();
        if (m.isArray() || def.keyType() == null) {
            return;
        }
        RecordType record = Padding.record(def.keyType());
        if (record == null) {
            return;
        }
        List<Padding.ByteRange> holes = Padding.holes(def.keyType());
        if (holes.isEmpty()) {
            return;
        }
        long size = def.keyType().size();
        String message = "key " + def.keyType().spelling() + " has padding at bytes " + Padding.describe(holes)
                + ": lookups with uninitialised padding miss. The kernel hashes and compares all " + size
                + " key bytes, so a key built field by field (padding left as stack garbage) never equals the"
                + " stored one; zero the whole key first (__builtin_memset) or remove the holes";
        out.add(new HtabDiagnostic(Severity.WARNING, "key.padding", message,
                Analysis.fieldRange(def, "key", "key_size"), def.name()));
    }

    private static void percpuMemory(MapFacts m, LspSettings settings, List<HtabDiagnostic> out) {
        MapDefinition def = m.def();
        if (!m.isPercpu() || !m.isKnown()) {
            return;
        }
        OptionalLong value = def.valueSize();
        OptionalLong max = def.maxEntries();
        if (value.isEmpty() || max.isEmpty()) {
            return;
        }
        long entries = max.getAsLong();
        HtabGeometry g = m.geometry();
        if (g != null) {
            if (!g.isOk()) {
                return;
            }
            entries = g.maxEntries();
        }
        long slot = HtabGeometry.round8(value.getAsLong());
        int p = settings.possibleCpus();
        long bytes = slot * p * entries;
        if (bytes <= settings.percpuMemoryWarningBytes()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("per-CPU values of map ").append(def.name()).append(" take ").append(slot).append(" B \u00d7 ")
                .append(p).append(" CPUs \u00d7 ").append(entries).append(" entries = ").append(Units.exact(bytes));
        if (g != null) {
            long total = g.attr().isPrealloc() ? g.memoryUsage() : g.memoryUsage(g.maxEntries());
            sb.append(" (memlock ").append(Units.bytes(total))
                    .append(g.attr().isPrealloc() ? ", all allocated at creation" : " when full").append(')');
        }
        sb.append(", above the ").append(Units.bytes(settings.percpuMemoryWarningBytes()))
                .append(" warning threshold (setting percpuMemoryWarningBytes); every possible CPU gets its own copy"
                        + " of every value, even CPUs that never touch the map");
        out.add(new HtabDiagnostic(Severity.WARNING, "percpu.memory", sb.toString(),
                Analysis.fieldRange(def, "max_entries", "value", "value_size"), def.name()));
    }

    /** target_free of the common LRU: clamp((max_entries / P) / 2, 1, LOCAL_FREE_TARGET). */
    static long lruTargetFree(long maxEntries, int possibleCpus) {
        return Math.max(1, Math.min((maxEntries / possibleCpus) / 2, LOCAL_FREE_TARGET));
    }

    /**
     * Decision: warn when the nodes the per-CPU local free lists can hold, P × target_free, exceed a quarter
     * of max_entries. For small maps target_free is about max/(2P), so the lists can hold about half the map;
     * once target_free reaches 128 the condition becomes max_entries &lt; 512 × P.
     */
    private static void lruEarlyEviction(MapFacts m, List<HtabDiagnostic> out) {
        HtabGeometry g = m.geometry();
        if (!m.isLru() || g == null || !g.isOk() || g.attr().isPercpuLru()) {
            return;
        }
        long max = g.maxEntries();
        int p = g.possibleCpus();
        long targetFree = lruTargetFree(max, p);
        long held = p * targetFree;
        if (held * 4 <= max) {
            return;
        }
        long stranded = (p - 1) * targetFree;
        long suggested = 4 * LOCAL_FREE_TARGET * p;
        String message = "map " + m.name() + " is a common LRU with max_entries " + max + " on " + p
                + " CPUs: each CPU's local free list takes up to target_free = clamp((" + max + "/" + p
                + ")/2, 1, 128) = " + targetFree + " nodes at a time, so eviction starts before the map is full"
                + (stranded > 0 ? " (up to " + stranded + " free nodes can sit in other CPUs' lists while this CPU"
                        + " evicts)" : "")
                + " and a CPU whose list runs dry evicts up to " + targetFree + " elements at once; with "
                + "max_entries >= " + suggested + " (512 \u00d7 CPUs) the lists hold at most a quarter of the map";
        out.add(new HtabDiagnostic(Severity.WARNING, "lru.early-eviction", message,
                Analysis.fieldRange(m.def(), "max_entries"), m.name()));
    }
}
