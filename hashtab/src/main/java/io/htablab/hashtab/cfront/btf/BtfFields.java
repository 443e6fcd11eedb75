package io.htablab.hashtab.cfront.btf;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.SpecialField;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The kernel's search for special fields in BTF (btf_parse_fields and btf_parse_struct_metas), run on a
 * {@link BtfReader}: the same walk (members in order, arrays flattened, nested structs searched, a member whose
 * type is a typedef or a qualified type never recognised), the same size and alignment rules (a special struct of
 * the wrong size, or at an offset its alignment does not divide, is ignored), the same refusals with the same errnos
 * (a second unique field in one struct level: E2BIG; a member at a bit offset that is not a whole byte: EINVAL; an
 * array of non-repeatable fields: EINVAL; overlapping fields: EEXIST; both spin lock kinds, a graph root without a
 * lock or a {@code contains:} tag: EINVAL; more than {@value #BTF_FIELDS_MAX} fields: E2BIG).
 *
 * <p>Kptr targets are taken to be program types: the kernel would look a kptr's struct up in vmlinux and, for a
 * referenced kptr, require a destructor kfunc; that look-up is not modelled.
 */
public final class BtfFields {

    /** BTF_FIELDS_MAX: the kernel records at most this many special fields per type. */
    public static final int BTF_FIELDS_MAX = 11;
    /** MAX_RESOLVE_DEPTH of the kernel's BTF walks. */
    static final int MAX_RESOLVE_DEPTH = 32;

    /** What map_check_btf asks for in a map value (every kind but the graph nodes). */
    public static final Set<FieldKind> MAP_VALUE_MASK = EnumSet.complementOf(EnumSet.of(FieldKind.LIST_NODE, FieldKind.RB_NODE));
    /** What btf_parse_struct_metas asks for in every struct that holds an allocatable-object field or a kptr. */
    public static final Set<FieldKind> STRUCT_META_MASK = EnumSet.of(FieldKind.SPIN_LOCK, FieldKind.RES_SPIN_LOCK,
            FieldKind.LIST_HEAD, FieldKind.LIST_NODE, FieldKind.RB_ROOT, FieldKind.RB_NODE, FieldKind.REFCOUNT,
            FieldKind.KPTR_UNREF, FieldKind.KPTR_REF, FieldKind.KPTR_PERCPU);
    /** The struct names btf_parse_struct_metas looks for (alloc_obj_fields). */
    private static final List<String> ALLOC_OBJ_FIELDS = List.of("bpf_spin_lock", "bpf_list_head", "bpf_list_node",
            "bpf_rb_root", "bpf_rb_node", "bpf_refcount");
    /** Matched by struct name, in the kernel's order (the kptr kinds come from type tags instead). */
    private static final List<FieldKind> BY_NAME = List.of(FieldKind.SPIN_LOCK, FieldKind.RES_SPIN_LOCK,
            FieldKind.TIMER, FieldKind.WORKQUEUE, FieldKind.TASK_WORK, FieldKind.LIST_HEAD, FieldKind.LIST_NODE,
            FieldKind.RB_ROOT, FieldKind.RB_NODE, FieldKind.REFCOUNT);

    /**
     * The outcome of a parse: a record (possibly empty: the kernel's NULL record), or an errno with a reason.
     *
     * @param record the fields found, sorted by offset; EMPTY on error
     * @param error  OK or the errno
     * @param reason a plain explanation naming the type and member, null when OK
     */
    public record Result(FieldRecord record, Errno error, String reason) {
        static Result fail(Errno e, String reason) {
            return new Result(FieldRecord.EMPTY, e, reason);
        }

        public boolean isOk() {
            return error == Errno.OK;
        }
    }

    /** A field found during the walk, before btf_parse_fields checks it (struct btf_field_info). */
    private record Info(FieldKind kind, int off, String name, int kptrTarget, String graphValue, String graphNode) {
        Info at(int delta, String prefix) {
            return new Info(kind, off + delta, prefix + name, kptrTarget, graphValue, graphNode);
        }
    }

    /** A walk failure: carries the errno up through the recursion. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final Errno errno;

        Refused(Errno errno, String message) {
            super(message, null, false, false);
            this.errno = errno;
        }
    }

    private final BtfReader btf;
    private final Set<FieldKind> mask;

    private BtfFields(BtfReader btf, Set<FieldKind> mask) {
        this.btf = btf;
        this.mask = mask;
    }

    /** btf_parse_fields of type {@code typeId} with the map-value mask, bounded by {@code valueSize}. */
    public static Result parseMapValue(BtfReader btf, int typeId, long valueSize) {
        return btfParseFields(btf, typeId, MAP_VALUE_MASK, valueSize);
    }

    /**
     * btf_parse_fields: the special fields of type {@code typeId} (a struct; anything else, a union too, is EINVAL) whose
     * kind is in {@code mask}.
     */
    public static Result btfParseFields(BtfReader btf, int typeId, Set<FieldKind> mask, long valueSize) {
        BtfFields f = new BtfFields(btf, mask);
        List<Info> found;
        try {
            found = f.btfFindField(typeId);
        } catch (Refused r) {
            return Result.fail(r.errno, r.getMessage());
        }
        if (found.isEmpty()) {
            return new Result(FieldRecord.EMPTY, Errno.OK, null);
        }
        List<SpecialField> fields = new ArrayList<>();
        long nextOff = 0;
        for (Info i : found) {
            int size = i.kind().size();
            if (i.off() + size > valueSize) {
                return Result.fail(Errno.EFAULT, i.name() + " at offset " + i.off() + " ends past the value's " + valueSize + " bytes");
            }
            if (i.off() < nextOff) {
                return Result.fail(Errno.EEXIST, i.name() + " at offset " + i.off() + " overlaps the special field before it");
            }
            nextOff = i.off() + size;
            if (i.kind() == FieldKind.LIST_HEAD || i.kind() == FieldKind.RB_ROOT) {
                String bad = f.btfParseGraphRoot(i);
                if (bad != null) {
                    return Result.fail(bad.startsWith("ENOENT") ? Errno.ENOENT : Errno.EINVAL, bad.replaceFirst("^ENOENT ", ""));
                }
            }
            fields.add(new SpecialField(i.kind(), i.off(), size, i.name()));
        }
        FieldRecord rec = new FieldRecord(fields);
        if (rec.has(FieldKind.SPIN_LOCK) && rec.has(FieldKind.RES_SPIN_LOCK)) {
            return Result.fail(Errno.EINVAL, "a value cannot hold both a bpf_spin_lock and a bpf_res_spin_lock");
        }
        if ((rec.has(FieldKind.LIST_HEAD) || rec.has(FieldKind.RB_ROOT))
                && !rec.has(FieldKind.SPIN_LOCK) && !rec.has(FieldKind.RES_SPIN_LOCK)) {
            return Result.fail(Errno.EINVAL, "a bpf_list_head or bpf_rb_root needs a spin lock beside it");
        }
        if (!rec.has(FieldKind.REFCOUNT) && rec.has(FieldKind.LIST_NODE) && rec.has(FieldKind.RB_NODE)) {
            return Result.fail(Errno.EINVAL, "a type that is both a list node and an rb-tree node needs a bpf_refcount");
        }
        return new Result(rec, Errno.OK, null);
    }

    /**
     * btf_parse_struct_metas, which BPF_BTF_LOAD runs: every struct or union with a member whose type is one of the
     * allocatable-object structs ({@code bpf_spin_lock}, list and rb-tree heads and nodes, {@code bpf_refcount}) or a
     * kptr must parse into a non-empty record, or the whole BTF is refused.
     *
     * @return OK, or the errno BTF_LOAD fails with and the struct it is about
     */
    public static Result btfParseStructMetas(BtfReader btf) {
        Set<Integer> aof = new java.util.HashSet<>();
        for (String n : ALLOC_OBJ_FIELDS) {
            int id = btf.findByName(n, BtfKind.STRUCT);
            if (id > 0) {
                aof.add(id);
            }
        }
        BtfFields kptrs = new BtfFields(btf, EnumSet.of(FieldKind.KPTR_UNREF, FieldKind.KPTR_REF, FieldKind.KPTR_PERCPU));
        for (int id = 1; id <= btf.typeCount(); id++) {
            if (btf.kind(id) != BtfKind.PTR) {
                continue;
            }
            try {
                if (kptrs.btfFindKptr(id, 0, "") != null) {
                    aof.add(id);
                }
            } catch (Refused ignored) {
                // an unknown tag here is not this pass's business
            }
        }
        if (aof.isEmpty()) {
            return new Result(FieldRecord.EMPTY, Errno.OK, null);
        }
        for (int id = 1; id <= btf.typeCount(); id++) {
            if (btf.kind(id) != BtfKind.STRUCT) {
                continue;
            }
            BtfType t = btf.type(id);
            boolean holds = false;
            for (BtfMember m : t.members()) {
                holds |= aof.contains(m.type());
            }
            if (!holds) {
                continue;
            }
            Result r = btfParseFields(btf, id, STRUCT_META_MASK, t.size());
            String what = btf.describe(id);
            if (!r.isOk()) {
                return Result.fail(r.error(), "BTF_LOAD refuses " + what + ": " + r.reason());
            }
            if (r.record().isEmpty()) {
                return Result.fail(Errno.EFAULT, "BTF_LOAD refuses " + what + ": its special member is not recognised"
                        + " (wrong size or misaligned), and such a struct must have a record");
            }
        }
        return new Result(FieldRecord.EMPTY, Errno.OK, null);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The walk

    private List<Info> btfFindField(int typeId) throws Refused {
        BtfKind k = btf.isValidId(typeId) ? btf.kind(typeId) : BtfKind.UNKN;
        if (k != BtfKind.STRUCT) {
            throw new Refused(Errno.EINVAL, btf.describe(typeId) + " is not a struct: it cannot hold special fields");
        }
        List<Info> out = new ArrayList<>();
        btfFindStructField(typeId, out, 0, "");
        return out;
    }

    private void btfFindStructField(int structId, List<Info> out, int level, String prefix) throws Refused {
        BtfType t = btf.type(structId);
        EnumSet<FieldKind> seen = EnumSet.noneOf(FieldKind.class);
        List<BtfMember> members = t.members();
        for (int i = 0; i < members.size(); i++) {
            BtfMember m = members.get(i);
            if (m.bitOffset() % 8 != 0) {
                throw new Refused(Errno.EINVAL, prefix + name(m, i) + " of " + btf.describe(structId) + " starts at bit "
                        + m.bitOffset() + ", not on a byte: the kernel refuses such a type");
            }
            btfFindFieldOne(structId, m.type(), i, (int) (m.bitOffset() / 8), out, seen, level, prefix + name(m, i));
        }
    }

    private static String name(BtfMember m, int i) {
        return m.name().isEmpty() ? "(anon " + i + ")" : m.name();
    }

    private void btfFindFieldOne(int structId, int varType, int varIdx, int off, List<Info> out,
                                 EnumSet<FieldKind> seen, int level, String name) throws Refused {
        long nelems = 1;
        int depth = 0;
        while (depth < MAX_RESOLVE_DEPTH && btf.isValidId(varType) && btf.kind(varType) == BtfKind.ARRAY) {
            BtfType a = btf.type(varType);
            nelems *= a.arrayNelems();
            varType = a.arrayElemType();
            depth++;
        }
        if (depth == MAX_RESOLVE_DEPTH) {
            throw new Refused(Errno.E2BIG, name + ": arrays nested too deep");
        }
        if (nelems == 0 || varType == 0) {
            return;
        }
        BtfKind kind = btf.kind(varType);
        // __btf_type_is_struct: only STRUCT, so a union is neither searched nor a special field
        boolean isStruct = kind == BtfKind.STRUCT;
        FieldKind field = btfGetFieldType(varType, isStruct, seen, name);
        if (field == null && isStruct) {
            btfFindNestedStruct(varType, off, nelems, out, level, name + ".");
            return;
        }
        if (field == null) {
            return;
        }
        if (off % field.align() != 0) {
            return; // a misaligned special struct is not a special field
        }
        Info info;
        if (field.isKptr()) {
            info = btfFindKptr(varType, off, name);
        } else if (field == FieldKind.LIST_HEAD || field == FieldKind.RB_ROOT) {
            info = btfFindGraphRoot(structId, varType, varIdx, off, field, name);
        } else {
            info = isStruct && btf.type(varType).size() == field.size() ? new Info(field, off, name, 0, null, null) : null;
        }
        if (info == null) {
            return;
        }
        if (out.size() >= BTF_FIELDS_MAX) {
            throw new Refused(Errno.E2BIG, name + ": more than " + BTF_FIELDS_MAX + " special fields");
        }
        List<Info> one = new ArrayList<>(List.of(info));
        if (nelems > 1) {
            repeat(one, nelems, field.size(), out.size(), name);
        }
        out.addAll(one);
    }

    private void btfFindNestedStruct(int structId, int off, long nelems, List<Info> out, int level, String prefix)
            throws Refused {
        if (level + 1 >= MAX_RESOLVE_DEPTH) {
            throw new Refused(Errno.E2BIG, prefix + ": structs nested too deep");
        }
        List<Info> inner = new ArrayList<>();
        btfFindStructField(structId, inner, level + 1, "");
        if (inner.isEmpty()) {
            return;
        }
        List<Info> shifted = new ArrayList<>();
        for (Info i : inner) {
            shifted.add(i.at(off, prefix));
        }
        if (nelems > 1) {
            repeat(shifted, nelems, btf.type(structId).size(), out.size(), prefix);
        }
        if (out.size() + shifted.size() > BTF_FIELDS_MAX) {
            throw new Refused(Errno.E2BIG, prefix + ": more than " + BTF_FIELDS_MAX + " special fields");
        }
        out.addAll(shifted);
    }

    /** btf_repeat_fields: an array element's fields once per element; only kptrs and graph roots may repeat. */
    private static void repeat(List<Info> fields, long nelems, long elemSize, int already, String name) throws Refused {
        for (Info i : fields) {
            if (!(i.kind().isKptr() || i.kind() == FieldKind.LIST_HEAD || i.kind() == FieldKind.RB_ROOT)) {
                throw new Refused(Errno.EINVAL, name + ": an array of " + i.kind().cName() + " is not allowed");
            }
        }
        if (fields.size() * nelems > BTF_FIELDS_MAX - already) {
            throw new Refused(Errno.E2BIG, name + ": more than " + BTF_FIELDS_MAX + " special fields");
        }
        int n = fields.size();
        for (long e = 1; e < nelems; e++) {
            for (int j = 0; j < n; j++) {
                Info i = fields.get(j);
                fields.add(new Info(i.kind(), (int) (i.off() + e * elemSize), i.name() + "[" + e + "]", i.kptrTarget(),
                        i.graphValue(), i.graphNode()));
            }
        }
    }

    /** btf_get_field_type: by the name of the member's own type (no typedef is looked through). */
    private FieldKind btfGetFieldType(int varType, boolean isStruct, EnumSet<FieldKind> seen, String name) throws Refused {
        String typeName = btf.name(varType);
        for (FieldKind k : BY_NAME) {
            if (!mask.contains(k) || !typeName.equals(k.cName())) {
                continue;
            }
            if (k.isUnique()) {
                if (seen.contains(k)) {
                    throw new Refused(Errno.E2BIG, name + ": a second struct " + k.cName() + " in the same struct");
                }
                seen.add(k);
            }
            return k;
        }
        boolean wantsKptr = mask.contains(FieldKind.KPTR_REF) || mask.contains(FieldKind.KPTR_UNREF)
                || mask.contains(FieldKind.KPTR_PERCPU) || mask.contains(FieldKind.UPTR);
        return wantsKptr && !isStruct ? FieldKind.KPTR_REF : null;
    }

    /** btf_find_kptr: a (volatile) pointer whose target is exactly one type tag naming the kind, then a struct. */
    private Info btfFindKptr(int t, int off, String name) throws Refused {
        if (btf.kind(t) == BtfKind.VOLATILE) {
            t = btf.type(t).type();
        }
        if (t == 0 || btf.kind(t) != BtfKind.PTR) {
            return null;
        }
        t = btf.type(t).type();
        if (t == 0 || btf.kind(t) != BtfKind.TYPE_TAG || btf.type(t).kindFlag()) {
            return null;
        }
        BtfType tag = btf.type(t);
        if (tag.type() != 0 && btf.kind(tag.type()) == BtfKind.TYPE_TAG) {
            throw new Refused(Errno.EINVAL, name + ": a pointer with two type tags");
        }
        FieldKind kind = switch (tag.name()) {
            case "kptr_untrusted" -> FieldKind.KPTR_UNREF;
            case "kptr" -> FieldKind.KPTR_REF;
            case "percpu_kptr" -> FieldKind.KPTR_PERCPU;
            case "uptr" -> FieldKind.UPTR;
            default -> throw new Refused(Errno.EINVAL, name + ": unknown pointer tag \"" + tag.name() + "\"");
        };
        if (!mask.contains(kind)) {
            return null;
        }
        int target = btf.skipModifiers(tag.type(), false);
        if (btf.kind(target) != BtfKind.STRUCT) {
            throw new Refused(Errno.EINVAL, name + ": a " + tag.name() + " must point to a struct");
        }
        return new Info(kind, off, name, target, null, null);
    }

    /** btf_find_graph_root: the list head or rb root needs a {@code contains:TYPE:NODE} decl tag on its member. */
    private Info btfFindGraphRoot(int structId, int t, int compIdx, int off, FieldKind kind, String name) throws Refused {
        if (btf.kind(t) != BtfKind.STRUCT || btf.type(t).size() != kind.size()) {
            return null;
        }
        String value = null;
        for (int id = 1; id <= btf.typeCount(); id++) {
            if (btf.kind(id) != BtfKind.DECL_TAG) {
                continue;
            }
            BtfType tag = btf.type(id);
            if (tag.type() != structId || tag.declTagComponent() != compIdx || !tag.name().startsWith("contains:")) {
                continue;
            }
            if (value != null) {
                throw new Refused(Errno.EINVAL, name + ": two contains: tags");
            }
            value = tag.name().substring("contains:".length());
        }
        if (value == null) {
            throw new Refused(Errno.EINVAL, name + ": a " + kind.cName() + " needs __contains(type, node)");
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw new Refused(Errno.EINVAL, name + ": contains: tag without a node name");
        }
        String valueType = value.substring(0, colon);
        String node = value.substring(colon + 1);
        if (btf.findByName(valueType, BtfKind.STRUCT) < 0) {
            throw new Refused(Errno.ENOENT, name + ": contains: names struct " + valueType + ", which is not in the BTF");
        }
        if (node.isEmpty()) {
            throw new Refused(Errno.EINVAL, name + ": contains: tag with an empty node name");
        }
        return new Info(kind, off, name, 0, valueType, node);
    }

    /** btf_parse_graph_root: the node member of the contained struct; null when fine, else the reason. */
    private String btfParseGraphRoot(Info i) {
        String nodeType = i.kind() == FieldKind.LIST_HEAD ? "bpf_list_node" : "bpf_rb_node";
        int vt = btf.findByName(i.graphValue(), BtfKind.STRUCT);
        boolean found = false;
        for (BtfMember m : btf.type(vt).members()) {
            if (!m.name().equals(i.graphNode())) {
                continue;
            }
            if (found) {
                return i.name() + ": struct " + i.graphValue() + " has two members named " + i.graphNode();
            }
            found = true;
            int n = m.type();
            if (n == 0 || btf.kind(n) != BtfKind.STRUCT || !btf.name(n).equals(nodeType)) {
                return i.name() + ": " + i.graphValue() + "." + i.graphNode() + " is not a struct " + nodeType;
            }
            if (m.bitOffset() % 8 != 0 || (m.bitOffset() / 8) % 8 != 0) {
                return i.name() + ": " + i.graphValue() + "." + i.graphNode() + " is misaligned";
            }
        }
        return found ? null : "ENOENT " + i.name() + ": struct " + i.graphValue() + " has no member " + i.graphNode();
    }
}
