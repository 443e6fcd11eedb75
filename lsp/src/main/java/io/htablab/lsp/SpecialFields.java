package io.htablab.lsp;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.MapBtf;
import io.htablab.hashtab.htab.fields.SpecialField;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The special fields of a map's value (found by {@code cfront.btf.MapBtfs} exactly as map_check_btf finds them)
 * in plain words: what each is, and which operations release it for the map's type (spec 11.3).
 */
final class SpecialFields {

    private static final Set<String> SPECIAL_STRUCTS;

    static {
        java.util.HashSet<String> s = new java.util.HashSet<>();
        for (FieldKind k : FieldKind.values()) {
            if (!k.isKptr()) {
                s.add(k.cName());
            }
        }
        SPECIAL_STRUCTS = Set.copyOf(s);
    }

    private SpecialFields() {
    }

    /**
     * Whether the type holds a special struct by value (in itself, a member, a nested struct or an array), the only
     * way such a field can appear: a type without one needs no BTF encoding to know that the kernel finds no field
     * (kptrs, marked by type tags, are not read by the C front end).
     */
    static boolean mentionsSpecialStruct(CType t) {
        return mentions(t, 0);
    }

    private static boolean mentions(CType t, int depth) {
        if (t == null || depth > 24) {
            return false;
        }
        CType r = t.resolve();
        if (r instanceof CType.ArrayType a) {
            return mentions(a.element(), depth + 1);
        }
        if (!(r instanceof RecordType rec)) {
            return false;
        }
        if (rec.name() != null && SPECIAL_STRUCTS.contains(rec.name())) {
            return true;
        }
        if (rec.layout() == null) {
            return false;
        }
        for (Layout.Member m : rec.layout().members()) {
            if (mentions(m.type(), depth + 1)) {
                return true;
            }
        }
        return false;
    }

    /** What releasing means for a field of this kind. */
    static String releaseAction(FieldKind kind) {
        return switch (kind) {
            case TIMER -> "the timer is cancelled and freed (without waiting when it runs its own callback)";
            case WORKQUEUE -> "the work item is cancelled and freed";
            case TASK_WORK -> "the task work is cancelled and freed";
            case KPTR_REF, KPTR_PERCPU -> "the referenced object is exchanged with NULL and released";
            case KPTR_UNREF -> "the pointer is cleared";
            case UPTR -> "the user page is unpinned";
            case LIST_HEAD, RB_ROOT -> "the nodes it holds are freed";
            case SPIN_LOCK, RES_SPIN_LOCK -> "nothing to release (the lock is zeroed in every copy)";
            case REFCOUNT, LIST_NODE, RB_NODE -> "nothing to release";
        };
    }

    private static boolean survivesUserRef(FieldKind k) {
        return k != FieldKind.TIMER && k != FieldKind.WORKQUEUE && k != FieldKind.TASK_WORK;
    }

    /** The hover section for a map whose value has special fields; "" when it has none. */
    static String hover(MapFacts m) {
        MapBtf btf = m.mapBtf();
        if (btf == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        FieldRecord rec = btf.record();
        if (rec.isEmpty()) {
            if (btf.recordError() != io.htablab.hashtab.htab.Errno.OK) {
                sb.append("**Special fields**: none as the kernel reads this value: ").append(btf.recordReason())
                        .append(" (btf_parse_fields fails with ").append(btf.recordError().name())
                        .append("; the map is created and the value is plain bytes).\n\n");
            }
            return sb.toString();
        }
        sb.append("**Special fields** of `").append(btf.valueType()).append("` (as map_check_btf finds them)\n\n");
        sb.append("| offset | size | field | kind |\n|---:|---:|---|---|\n");
        EnumSet<FieldKind> kinds = EnumSet.noneOf(FieldKind.class);
        for (SpecialField f : rec.fields()) {
            kinds.add(f.kind());
            sb.append("| ").append(f.offset()).append(" | ").append(f.size()).append(" | ").append(f.name())
                    .append(" | `").append(f.kind().isKptr() ? f.kind().cName() : "struct " + f.kind().cName())
                    .append("` |\n");
        }
        sb.append('\n');
        sb.append("User-space reads (lookup, lookup-and-delete, batch lookups) return zeros in place of these"
                + " fields, and user-space writes never overwrite them.\n\n");
        MapType type = m.hashType();
        if (type == null) {
            return sb.toString();
        }
        sb.append("**Released** (");
        List<String> actions = new ArrayList<>();
        for (FieldKind k : kinds) {
            actions.add("`" + k.cName() + "`: " + releaseAction(k));
        }
        sb.append(String.join("; ", actions)).append(") on:\n\n");
        for (String rule : releaseRules(m, kinds)) {
            sb.append("- ").append(rule).append('\n');
        }
        sb.append('\n');
        return sb.toString();
    }

    /** The operations that release an element's fields on this map type, in the order of spec 11.3. */
    static List<String> releaseRules(MapFacts m, Set<FieldKind> kinds) {
        MapType type = m.hashType();
        List<String> out = new ArrayList<>();
        out.add("delete: `bpf_map_delete_elem` and BPF_MAP_DELETE_ELEM" + (type.isPercpu()
                ? " (the fields of every CPU's slot)" : ""));
        out.add("lookup-and-delete: BPF_MAP_LOOKUP_AND_DELETE_ELEM");
        out.add("batch delete: BPF_MAP_LOOKUP_AND_DELETE_BATCH and BPF_MAP_DELETE_BATCH");
        if (type == MapType.HASH) {
            out.add("replacement by update: an update of an existing key puts a new element in and releases the"
                    + " old one's fields" + (kinds.contains(FieldKind.SPIN_LOCK) ? "; an update with BPF_F_LOCK"
                    + " copies in place under the lock and keeps them" : ""));
        } else if (type == MapType.LRU_HASH) {
            out.add("replacement by update: every update of an existing key puts a new element in and releases the"
                    + " old one's fields");
        } else {
            out.add("an update in place of a per-CPU value keeps them (6.18; bpf-next also releases kptrs there)");
        }
        if (type.isLru()) {
            out.add("LRU eviction: when an update needs a node and the LRU takes one from an element, after"
                    + " unlinking it");
        }
        boolean timers = false;
        for (FieldKind k : kinds) {
            timers |= !survivesUserRef(k);
        }
        if (timers) {
            boolean prealloc = m.attr() == null || m.attr().isPrealloc();
            out.add("last user reference gone (every fd closed, no pin) while programs still hold the map: timers,"
                    + " workqueues and task work are cancelled and freed in " + (prealloc
                    ? "every preallocated element (linked, free or extra)" : "the linked elements")
                    + "; after that bpf_timer_init/bpf_wq_init on this map fail with EPERM");
        }
        out.add("map free: every field of every element");
        return out;
    }
}
