package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.MapBtf;
import io.htablab.hashtab.htab.fields.SpecialField;

/**
 * What BPF_MAP_CREATE decides for a hash-family map before it allocates anything: the creation
 * checks in the kernel's order (htab_map_alloc_check, then the sizing part of htab_map_alloc) and
 * the resulting geometry and memory charge. The engine creates maps from it, and the language
 * server explains map definitions with it, so both tell the same story.
 *
 * @param errno          {@link Errno#OK}, or the error BPF_MAP_CREATE returns
 * @param reason         a plain explanation of the error (null when OK)
 * @param field          the attribute the kernel objects to (null when OK)
 * @param attr           the attributes checked
 * @param possibleCpus   P
 * @param maxEntries     effective max_entries (NO_COMMON_LRU rounds it to a multiple of P)
 * @param nBuckets       max_entries rounded up to a power of two
 * @param elemSize       bytes of one element (header, rounded key, rounded value or per-CPU pointer)
 * @param numEntries     preallocated elements (max_entries + P extras for plain HASH)
 */
public record HtabGeometry(Errno errno, String reason, Field field, HtabAttr attr, int possibleCpus,
                           long maxEntries, long nBuckets, long elemSize, long numEntries) {

    /**
     * The BPF_MAP_CREATE attribute a refusal is about, so tools can point at it. A refusal of the key's or value's
     * BTF type is about KEY_SIZE or VALUE_SIZE (the {@code __type(key/value, ...)} entry in C).
     */
    public enum Field { TYPE, KEY_SIZE, VALUE_SIZE, MAX_ENTRIES, MAP_FLAGS, NUMA_NODE }

    /** Bytes of the element header before the key (struct htab_elem on 6.18 x86_64). */
    public static final int HTAB_ELEM_HEADER = 48;
    /** Bytes of one bucket (head pointer + lock). */
    public static final int BUCKET_SIZE = 16;
    /** sizeof(struct bpf_htab) on this build. */
    public static final int HTAB_STRUCT_SIZE = 832;
    /** KMALLOC_MAX_SIZE on x86_64 with 4 KiB pages. */
    public static final long KMALLOC_MAX_SIZE = 4L << 20;
    /** PCPU_MIN_UNIT_SIZE: the largest per-CPU value slot. */
    public static final long PCPU_MIN_UNIT_SIZE = 32 << 10;
    /** Leftover per-CPU lock-slot counters (8 slots of 4 bytes) still charged per CPU. */
    public static final int HASHTAB_MAP_LOCK_COUNT = 8;
    /** Online NUMA nodes on the modelled machine (node 0 only). */
    public static final int DEFAULT_ONLINE_NUMA_NODES = 1;

    public boolean isOk() {
        return errno == Errno.OK;
    }

    /** Checks and sizes a map as BPF_MAP_CREATE would with CAP_BPF and CAP_SYS_ADMIN. */
    public static HtabGeometry compute(HtabAttr attr, int possibleCpus) {
        return compute(attr, possibleCpus, DEFAULT_ONLINE_NUMA_NODES, true, true);
    }

    /** Checks and sizes a map for the machine, privileges and kernel profile {@code options} describe. */
    public static HtabGeometry compute(HtabAttr attr, MapOptions options) {
        return compute(attr, options.possibleCpus(), options.onlineNumaNodes(), options.capBpf(), options.capSysAdmin(),
                options.runtime().profile());
    }

    /**
     * The checks BPF_MAP_CREATE makes before the type's allocation (BTF load, generic checks, the type's pre-check,
     * the privilege check): null when they pass, else the failing geometry. A map of maps checks its inner map
     * template between these and the sizing.
     */
    public static HtabGeometry checkBeforeAlloc(HtabAttr attr, MapOptions options) {
        return checkBeforeAlloc(attr, options.possibleCpus(), options.onlineNumaNodes(), options.capBpf(),
                options.capSysAdmin());
    }

    /**
     * BPF_MAP_CREATE's decisions in the kernel's order: generic checks, htab_map_alloc_check, the
     * CAP_BPF check (after the type's pre-check, so an LRU map with NO_PREALLOC reports ENOTSUPP
     * even without privileges), then the sizing part of htab_map_alloc.
     */
    public static HtabGeometry compute(HtabAttr attr, int possibleCpus, int onlineNumaNodes,
                                       boolean capBpf, boolean capSysAdmin) {
        return compute(attr, possibleCpus, onlineNumaNodes, capBpf, capSysAdmin, KernelProfile.defaultProfile());
    }

    /** {@link #compute(HtabAttr, int, int, boolean, boolean)} for the kernel {@code profile} models. */
    public static HtabGeometry compute(HtabAttr attr, int possibleCpus, int onlineNumaNodes,
                                       boolean capBpf, boolean capSysAdmin, KernelProfile profile) {
        HtabGeometry early = checkBeforeAlloc(attr, possibleCpus, onlineNumaNodes, capBpf, capSysAdmin);
        if (early != null) {
            return early;
        }
        HtabGeometry sized = htabMapAllocSizing(attr, possibleCpus, profile);
        if (!sized.isOk()) {
            return sized;
        }
        // map_create checks the BTF after the map is allocated (spec 2.2 step 13)
        HtabGeometry btfBad = mapCheckBtf(attr, possibleCpus, capBpf);
        return btfBad != null ? btfBad : sized;
    }

    private static HtabGeometry checkBeforeAlloc(HtabAttr attr, int possibleCpus, int onlineNumaNodes,
                                                 boolean capBpf, boolean capSysAdmin) {
        HtabGeometry unloaded = btfLoadCheck(attr, possibleCpus);
        if (unloaded != null) {
            return unloaded;
        }
        HtabGeometry bad = mapCreateCheck(attr, possibleCpus, onlineNumaNodes);
        if (bad != null) {
            return bad;
        }
        HtabGeometry pre = htabMapAllocCheck(attr, possibleCpus, capSysAdmin);
        if (pre != null) {
            return pre;
        }
        if (!capBpf) {
            return fail(Errno.EPERM, Field.TYPE, "creating " + uapiName(attr.type()) + " needs CAP_BPF: the kernel returns EPERM",
                    attr, possibleCpus);
        }
        return null;
    }

    /**
     * BPF_BTF_LOAD, which comes before BPF_MAP_CREATE: types it refuses (btf_parse_struct_metas) never reach the map,
     * and the create reports the load's errno.
     */
    private static HtabGeometry btfLoadCheck(HtabAttr attr, int possibleCpus) {
        MapBtf btf = attr.btf();
        if (btf == null) {
            return null;
        }
        if (btf.loadError() == Errno.OK) {
            // map_create's first checks: a key type id without a value type id is EINVAL (spec 2.2 step 4)
            return btf.valueType() == null ? fail(Errno.EINVAL, Field.VALUE_SIZE, "btf_key_type_id without"
                    + " btf_value_type_id: the kernel returns EINVAL", attr, possibleCpus) : null;
        }
        return fail(btf.loadError(), Field.VALUE_SIZE, btf.loadReason() + ": BPF_BTF_LOAD returns "
                + btf.loadError().name() + ", so the map cannot be created", attr, possibleCpus);
    }

    /**
     * map_check_btf for the hash family, in the kernel's order: a key type is required (the hash maps have no
     * map_check_btf callback that would allow none); key and value type sizes must equal key_size and value_size;
     * a value with special fields needs CAP_BPF, no RDONLY_PROG/WRONLY_PROG, and only fields the map type allows
     * (spec 11.1). A value whose fields the kernel could not parse is kept as a value without special fields.
     */
    static HtabGeometry mapCheckBtf(HtabAttr attr, int possibleCpus, boolean capBpf) {
        MapBtf btf = attr.btf();
        if (btf == null) {
            return null;
        }
        if (!btf.hasKeyType()) {
            return fail(Errno.EINVAL, Field.KEY_SIZE, "btf_value_type_id without btf_key_type_id: hash maps need a key"
                    + " type, the kernel returns EINVAL", attr, possibleCpus);
        }
        if (btf.keyTypeSize() != attr.keySize()) {
            return fail(Errno.EINVAL, Field.KEY_SIZE, "the key type " + btf.keyType() + " is " + sizeText(btf.keyTypeSize())
                    + " but key_size is " + attr.keySize() + ": the kernel returns EINVAL", attr, possibleCpus);
        }
        if (btf.valueTypeSize() != attr.valueSize()) {
            return fail(Errno.EINVAL, Field.VALUE_SIZE, "the value type " + btf.valueType() + " is "
                    + sizeText(btf.valueTypeSize()) + " but value_size is " + attr.valueSize() + ": the kernel returns EINVAL",
                    attr, possibleCpus);
        }
        FieldRecord rec = btf.record();
        if (rec.isEmpty()) {
            return null;
        }
        SpecialField first = rec.fields().get(0);
        if (!capBpf) {
            return fail(Errno.EPERM, Field.VALUE_SIZE, "special fields in a value (" + first.name() + ") need CAP_BPF:"
                    + " the kernel returns EPERM", attr, possibleCpus);
        }
        int flags = attr.mapFlags();
        if ((flags & (MapFlag.RDONLY_PROG.bit() | MapFlag.WRONLY_PROG.bit())) != 0) {
            return fail(Errno.EACCES, Field.MAP_FLAGS, "a value with special fields (" + first.name() + ") cannot be"
                    + " combined with BPF_F_RDONLY_PROG or BPF_F_WRONLY_PROG: the kernel returns EACCES", attr, possibleCpus);
        }
        for (SpecialField f : rec.fields()) {
            if (!fieldAllowed(f.kind(), attr.type())) {
                return fail(Errno.EOPNOTSUPP, Field.VALUE_SIZE, "struct " + f.kind().cName() + " (" + f.name()
                        + ") is not allowed in a " + uapiName(attr.type()) + " value: the kernel returns EOPNOTSUPP",
                        attr, possibleCpus);
            }
        }
        return null;
    }

    /** Which special fields map_check_btf allows in a value of each hash-family map type (spec 11.1). */
    public static boolean fieldAllowed(FieldKind kind, MapType type) {
        return switch (kind) {
            case SPIN_LOCK, RES_SPIN_LOCK -> type == MapType.HASH;
            case TIMER, WORKQUEUE, TASK_WORK, LIST_HEAD, RB_ROOT -> type == MapType.HASH || type == MapType.LRU_HASH;
            case KPTR_UNREF, KPTR_REF, KPTR_PERCPU, REFCOUNT -> true;
            default -> false; // uptr: task storage only; graph nodes are never map-value fields
        };
    }

    private static String sizeText(long size) {
        return size < 0 ? "without a size" : size + " bytes";
    }

    /** The generic map_create checks that apply to the hash family (spec 2.2 steps 6-8). */
    private static HtabGeometry mapCreateCheck(HtabAttr attr, int possibleCpus, int onlineNumaNodes) {
        int flags = attr.mapFlags() & ~MapFlag.TOKEN_FD;
        if ((flags & MapFlag.RDONLY.bit()) != 0 && (flags & MapFlag.WRONLY.bit()) != 0) {
            return fail(Errno.EINVAL, Field.MAP_FLAGS, "BPF_F_RDONLY and BPF_F_WRONLY together: the kernel returns EINVAL",
                    attr, possibleCpus);
        }
        if ((flags & MapFlag.NUMA_NODE.bit()) != 0
                && (attr.numaNode() < 0 || attr.numaNode() >= onlineNumaNodes)) {
            return fail(Errno.EINVAL, Field.NUMA_NODE, "BPF_F_NUMA_NODE with node " + attr.numaNode()
                    + ", which is not online: the kernel returns EINVAL", attr, possibleCpus);
        }
        if (attr.type() == null) {
            return fail(Errno.EINVAL, Field.TYPE, "unknown map type: the kernel returns EINVAL", attr, possibleCpus);
        }
        return null;
    }

    /** htab_map_alloc_check: the type-specific pre-checks, in the kernel's order (spec 2.3). */
    private static HtabGeometry htabMapAllocCheck(HtabAttr attr, int possibleCpus, boolean capSysAdmin) {
        MapType type = attr.type();
        if (type.isMapInMap() && attr.valueSize() != 4) {
            // fd_htab_map_alloc_check, before anything htab_map_alloc_check looks at
            return fail(Errno.EINVAL, Field.VALUE_SIZE, "a hash_of_maps value is a 4-byte map descriptor (value_size "
                    + attr.valueSize() + "): the kernel returns EINVAL", attr, possibleCpus);
        }
        int flags = attr.mapFlags() & ~MapFlag.TOKEN_FD;
        boolean percpu = type.isPercpu();
        boolean lru = type.isLru();
        boolean percpuLru = (flags & MapFlag.NO_COMMON_LRU.bit()) != 0;
        boolean prealloc = (flags & MapFlag.NO_PREALLOC.bit()) == 0;
        // Checked before the flag mask, as the kernel does.
        if ((flags & MapFlag.ZERO_SEED.bit()) != 0 && !capSysAdmin) {
            return fail(Errno.EPERM, Field.MAP_FLAGS, "BPF_F_ZERO_SEED needs CAP_SYS_ADMIN: the kernel returns EPERM", attr, possibleCpus);
        }
        if ((flags & ~MapFlag.HTAB_CREATE_FLAG_MASK) != 0) {
            return fail(Errno.EINVAL, Field.MAP_FLAGS, String.format("map_flags 0x%x has bits the hash family does not accept"
                    + " (allowed mask 0x%x): the kernel returns EINVAL", flags, MapFlag.HTAB_CREATE_FLAG_MASK), attr, possibleCpus);
        }
        if ((flags & MapFlag.RDONLY_PROG.bit()) != 0 && (flags & MapFlag.WRONLY_PROG.bit()) != 0) {
            return fail(Errno.EINVAL, Field.MAP_FLAGS, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together: the kernel returns EINVAL", attr, possibleCpus);
        }
        if (!lru && percpuLru) {
            return fail(Errno.EINVAL, Field.MAP_FLAGS, "BPF_F_NO_COMMON_LRU is only for LRU maps: the kernel returns EINVAL for "
                    + uapiName(type), attr, possibleCpus);
        }
        if (lru && !prealloc) {
            return fail(Errno.ENOTSUPP, Field.MAP_FLAGS, "LRU maps must be preallocated: the kernel returns ENOTSUPP for "
                    + "BPF_F_NO_PREALLOC on " + uapiName(type), attr, possibleCpus);
        }
        if ((flags & MapFlag.NUMA_NODE.bit()) != 0 && (percpu || percpuLru)) {
            return fail(Errno.EINVAL, Field.MAP_FLAGS, "BPF_F_NUMA_NODE cannot be combined with per-CPU values or per-CPU LRU lists:"
                    + " the kernel returns EINVAL", attr, possibleCpus);
        }
        if (attr.maxEntries() == 0 || attr.keySize() == 0 || attr.valueSize() == 0) {
            String which = attr.maxEntries() == 0 ? "max_entries" : attr.keySize() == 0 ? "key_size" : "value_size";
            Field field = attr.maxEntries() == 0 ? Field.MAX_ENTRIES : attr.keySize() == 0 ? Field.KEY_SIZE : Field.VALUE_SIZE;
            return fail(Errno.EINVAL, field, which + " is 0: the kernel returns EINVAL", attr, possibleCpus);
        }
        if (attr.keySize() + attr.valueSize() >= KMALLOC_MAX_SIZE - HTAB_ELEM_HEADER) {
            return fail(Errno.E2BIG, Field.VALUE_SIZE, "key_size + value_size must stay below " + (KMALLOC_MAX_SIZE - HTAB_ELEM_HEADER)
                    + " bytes (one element must fit one kmalloc): the kernel returns E2BIG", attr, possibleCpus);
        }
        if (percpu && round8(attr.valueSize()) > PCPU_MIN_UNIT_SIZE) {
            return fail(Errno.E2BIG, Field.VALUE_SIZE, "a per-CPU value slot is at most " + PCPU_MIN_UNIT_SIZE
                    + " bytes: the kernel returns E2BIG", attr, possibleCpus);
        }
        return null;
    }

    /** The sizing part of htab_map_alloc (spec 2.4 steps 1-5). */
    private static HtabGeometry htabMapAllocSizing(HtabAttr attr, int possibleCpus, KernelProfile profile) {
        long maxEntries = attr.maxEntries();
        if (attr.isPercpuLru()) {
            long rounded = roundUp(maxEntries, possibleCpus);
            // An overflowing round-up in u32 falls back to rounding down, as the kernel does.
            maxEntries = rounded > 0xFFFF_FFFFL ? (maxEntries / possibleCpus) * possibleCpus : rounded;
        }
        if (maxEntries > (1L << 31)) {
            return fail(Errno.E2BIG, Field.MAX_ENTRIES, "max_entries above 2^31: the kernel returns E2BIG", attr, possibleCpus);
        }
        long nBuckets = pow2up(maxEntries);
        long elemSize = HTAB_ELEM_HEADER + round8(attr.keySize()) + (attr.type().isPercpu() ? 8 : round8(attr.valueSize()));
        if (nBuckets > 0x0FFF_FFFFL) {
            return fail(Errno.E2BIG, Field.MAX_ENTRIES, "max_entries " + maxEntries + " needs " + nBuckets
                    + " buckets; the kernel allows at most 2^27: it returns E2BIG", attr, possibleCpus);
        }
        long numEntries = maxEntries + (hasExtraElems(attr.type(), profile) ? possibleCpus : 0);
        return new HtabGeometry(Errno.OK, null, null, attr, possibleCpus, maxEntries, nBuckets, elemSize, numEntries);
    }

    /**
     * htab_has_extra_elems: which maps keep one spare element per CPU for replacing updates. Plain HASH always;
     * hash_of_maps only before 6.15 (it updates in place since). Memory usage still charges the per-CPU pointer
     * slots of a hash_of_maps map (verified on 6.18.44).
     */
    public static boolean hasExtraElems(MapType type, KernelProfile profile) {
        return type == MapType.HASH || (type == MapType.HASH_OF_MAPS && !profile.fdHtabUpdatesInPlace());
    }

    /** fdinfo {@code memlock} of a preallocated map, or of a non-preallocated map holding nothing. */
    public long memoryUsage() {
        return memoryUsage(0);
    }

    /**
     * fdinfo {@code memlock} exactly as htab_map_mem_usage computes it (spec 2.5).
     *
     * @param liveElements elements currently linked (only matters for non-preallocated maps)
     */
    public long memoryUsage(long liveElements) {
        if (!isOk()) {
            return 0;
        }
        long p = possibleCpus;
        long usage = HTAB_STRUCT_SIZE + (long) BUCKET_SIZE * nBuckets + 4L * p * HASHTAB_MAP_LOCK_COUNT;
        boolean percpu = attr.type().isPercpu();
        long valueSlot = round8(attr.valueSize());
        if (attr.isPrealloc()) {
            usage += elemSize * numEntries;
            if (percpu) {
                usage += valueSlot * p * numEntries;
            } else if (!attr.type().isLru()) {
                usage += 8 * p;
            }
        } else {
            usage += (elemSize + 8) * liveElements;
            if (percpu) {
                usage += (8 + 8) * liveElements + valueSlot * p * liveElements;
            }
        }
        return usage;
    }

    /** Whether the kernel preallocates this map's elements at creation. */
    public boolean isPrealloc() {
        return attr.isPrealloc();
    }

    /** Bytes a user-space value buffer has: value_size, or one rounded slot per possible CPU. */
    public long userValueSize() {
        return attr.type().isPercpu() ? round8(attr.valueSize()) * possibleCpus : attr.valueSize();
    }

    private static HtabGeometry fail(Errno errno, Field field, String reason, HtabAttr attr, int possibleCpus) {
        return new HtabGeometry(errno, reason, field, attr, possibleCpus, 0, 0, 0, 0);
    }

    private static String uapiName(MapType type) {
        return "BPF_MAP_TYPE_" + type.name();
    }

    /** The smallest power of two >= n (n >= 1). */
    public static long pow2up(long n) {
        return Long.highestOneBit(n) == n ? n : Long.highestOneBit(n) << 1;
    }

    public static long round8(long n) {
        return (n + 7) & ~7L;
    }

    private static long roundUp(long n, long multiple) {
        return ((n + multiple - 1) / multiple) * multiple;
    }
}
