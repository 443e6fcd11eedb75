package io.htablab.hashtab.htab;

import static io.htablab.hashtab.htab.ElemFlag.BPF_F_LOCK;

import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.MapEvent;
import io.htablab.hashtab.htab.event.MapEvent.Op;
import io.htablab.hashtab.htab.fields.AsyncFields;
import io.htablab.hashtab.htab.fields.BpfCallback;
import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.hashtab.htab.fields.HelperResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A BPF hash map as user space and BPF programs see it: the {@code bpf(2)} commands of the map's file
 * descriptor (with the RDONLY/WRONLY access rules) and the program helpers (with the RDONLY_PROG/WRONLY_PROG
 * verifier rules), over one {@link Htab}.
 *
 * <p>Every operation takes the CPU it runs on and completes atomically there. Kernel errors come back as
 * {@link Errno} values; arguments the kernel could never receive (a key or value of the wrong length, a CPU
 * that does not exist) come back as {@link Errno#EINVAL} with a {@code detail} message and leave the map
 * unchanged. Nothing here throws for a kernel error.
 *
 * <p>Value layouts: a syscall value of a per-CPU map is {@link #userValueSize()} = P * round8(value_size) bytes,
 * slot {@code c} at {@code c * round8(value_size)} (see {@link #percpuValue} and {@link #percpuSlots}); every
 * other value, and every program-side value, is value_size bytes.
 */
public final class BpfMap {

    private final Htab htab;
    /** RDONLY/WRONLY of the descriptor create returned. */
    private final int fdFlags;

    // Immutable facts of the map, copied here so that the per-call argument checks read one object.
    private final int nrCpus;
    private final int keySize;
    private final int valueSize;
    private final int userValueSize;
    private final boolean canRead;
    private final boolean progCanRead;
    private final Listeners events;
    private final boolean isMapInMap;
    /** The descriptor in the runtime's table. */
    private int fd = -1;
    /** Elements of maps of maps holding this map (bpf_map_inc by map_fd_get_ptr). */
    private int outerRefs;

    private BpfMap(Htab htab, int fdFlags) {
        this.htab = htab;
        this.fdFlags = fdFlags;
        this.isMapInMap = htab.type().isMapInMap();
        this.nrCpus = htab.possibleCpus();
        this.keySize = htab.keySize();
        this.valueSize = htab.valueSize();
        this.userValueSize = htab.userValueSize();
        this.canRead = (fdFlags & MapFlag.WRONLY.bit()) == 0;
        // A map of maps' lookup yields a map pointer, not a value to read: BPF_F_WRONLY_PROG does not stop it.
        this.progCanRead = (htab.mapFlags() & MapFlag.WRONLY_PROG.bit()) == 0 || htab.type().isMapInMap();
        this.events = htab.events;
    }

    /** The map's id in its runtime (bpf_map_info.id). */
    public int id() {
        return htab.mapId();
    }

    /** The map's name (bpf_map_info.name), "" for none. */
    public String name() {
        return htab.name();
    }

    // ---------------------------------------------------------------------------------------------------------
    // BPF_MAP_CREATE

    /** BPF_MAP_CREATE with the kernel's checks in its order (spec 2.2-2.4). */
    public static CreateResult create(HtabAttr attr, MapOptions options) {
        if (options == null) {
            options = MapOptions.defaults();
        }
        if (options.possibleCpus() < 1 || options.possibleCpus() > 64) {
            return new CreateResult(Errno.EINVAL, null,
                    "possibleCpus must be 1..64, got " + options.possibleCpus());
        }
        if (options.creatingCpu() < 0 || options.creatingCpu() >= options.possibleCpus()) {
            return new CreateResult(Errno.EINVAL, null, "creatingCpu " + options.creatingCpu()
                    + " is not a possible CPU (0.." + (options.possibleCpus() - 1) + ")");
        }
        if (attr == null || attr.type() == null) {
            return new CreateResult(Errno.EINVAL, null, "map_type missing or not a hash map type");
        }
        if (!isU32(attr.keySize()) || !isU32(attr.valueSize()) || !isU32(attr.maxEntries())) {
            return new CreateResult(Errno.EINVAL, null, "key_size, value_size and max_entries are u32 fields");
        }
        MapInMap.Template template = null;
        if (attr.type().isMapInMap()) {
            // htab_of_map_alloc: the generic and htab checks, then bpf_map_meta_alloc(inner_map_fd), then the sizing
            HtabGeometry early = HtabGeometry.checkBeforeAlloc(attr, options);
            if (early != null) {
                return new CreateResult(early.errno(), null, early.reason());
            }
            BpfMap inner = options.runtime().mapByFd(attr.innerMapFd());
            OpResult bad = MapInMap.templateProblem(inner, attr.innerMapFd());
            if (bad != null) {
                return new CreateResult(bad.errno(), null, bad.detail());
            }
            template = MapInMap.Template.of(inner);
        }
        HtabGeometry geometry = HtabGeometry.compute(attr, options);
        if (!geometry.isOk()) {
            return new CreateResult(geometry.errno(), null, geometry.reason());
        }
        if (template != null && attr.btf() != null) {
            // map_check_no_btf: a map of maps takes no key/value BTF
            return new CreateResult(Errno.ENOTSUPP, null, "a hash_of_maps map takes no BTF key/value types:"
                    + " map_check_no_btf returns ENOTSUPP");
        }
        Htab.Alloc alloc = Htab.htabMapAlloc(geometry, options);
        if (alloc.htab() == null) {
            return new CreateResult(alloc.errno(), null, alloc.detail());
        }
        if (template != null) {
            alloc.htab().attachMapInMap(new MapInMap(template, alloc.htab().mapId(), alloc.htab().events,
                    (int) geometry.numEntries()));
        }
        int flags = attr.mapFlags() & ~MapFlag.TOKEN_FD;
        BpfMap map = new BpfMap(alloc.htab(), flags & MapFlag.FD_ONLY_FLAGS);
        options.runtime().register(map.id(), map);
        map.runtime = options.runtime();
        map.fd = options.runtime().installFd(map);
        return new CreateResult(Errno.OK, map, null);
    }

    private static boolean isU32(long v) {
        return v >= 0 && v <= 0xFFFFFFFFL;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Argument checks of the Java API (not kernel errors: the kernel cannot receive such arguments)

    // The ok* tests run on every call and build nothing; the bad* messages are built only after one failed.

    private boolean okCpu(int cpu) {
        return cpu >= 0 && cpu < nrCpus;
    }

    private boolean okKey(byte[] key) {
        return key != null && key.length == keySize;
    }

    private static boolean okValue(byte[] value, int expected) {
        return value != null && value.length == expected;
    }

    private String badCpu(int cpu) {
        if (cpu < 0 || cpu >= htab.possibleCpus()) {
            return "cpu " + cpu + " is not a possible CPU (0.." + (htab.possibleCpus() - 1) + ")";
        }
        return null;
    }

    private String badKey(byte[] key) {
        if (key == null) {
            return "key missing";
        }
        if (key.length != htab.keySize()) {
            return "key is " + key.length + " bytes, the map's key_size is " + htab.keySize();
        }
        return null;
    }

    private String badValue(byte[] value, int expected, String what) {
        if (value == null) {
            return "value missing";
        }
        if (value.length != expected) {
            return "value is " + value.length + " bytes, " + what + " is " + expected;
        }
        return null;
    }

    private String syscallValueWhat() {
        return htab.isPercpu() ? "P * round8(value_size)" : "value_size";
    }

    private static String firstProblem(String a, String b) {
        return a != null ? a : b;
    }

    private static String firstProblem(String a, String b, String c) {
        return a != null ? a : b != null ? b : c;
    }

    private boolean canRead() {
        return canRead;
    }

    private boolean canWrite() {
        return (fdFlags & MapFlag.RDONLY.bit()) == 0;
    }

    private boolean progCanRead() {
        return progCanRead;
    }

    private boolean progCanWrite() {
        return (htab.mapFlags() & MapFlag.RDONLY_PROG.bit()) == 0;
    }

    private void begin(Op op, int cpu, byte[] key) {
        if (htab.events.enabled()) {
            htab.events.accept(new MapEvent.OpStarted(htab.mapId(), op, cpu, key == null ? null : key.clone()));
        }
    }

    private <T> T end(Op op, int cpu, byte[] key, Errno errno, T result) {
        if (htab.events.enabled()) {
            htab.events.accept(new MapEvent.OpFinished(htab.mapId(), op, cpu, key == null ? null : key.clone(), errno));
        }
        return result;
    }

    private Errno end(Op op, int cpu, byte[] key, Errno errno) {
        return end(op, cpu, key, errno, errno);
    }

    private Errno denied(Errno errno, String reason) {
        if (htab.events.enabled()) {
            htab.events.accept(new MapEvent.Error(htab.mapId(), errno, reason));
        }
        return errno;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Syscall commands

    /** BPF_MAP_LOOKUP_ELEM: the value (per-CPU: every CPU's rounded slot). */
    public ValueResult lookup(int cpu, byte[] key, long flags) {
        if (!(okCpu(cpu) && okKey(key))) {
            return ValueResult.invalid(firstProblem(badCpu(cpu), badKey(key)));
        }
        begin(Op.LOOKUP, cpu, key);
        Errno pre = lookupChecks(flags, Op.LOOKUP);
        if (pre != Errno.OK) {
            return end(Op.LOOKUP, cpu, key, pre, ValueResult.error(pre));
        }
        byte[] v = htab.htabMapLookupElemSys(cpu, key, flags);
        if (v == null) {
            return end(Op.LOOKUP, cpu, key, Errno.ENOENT, ValueResult.error(Errno.ENOENT));
        }
        return end(Op.LOOKUP, cpu, key, Errno.OK, ValueResult.ok(v));
    }

    /**
     * BPF_MAP_LOOKUP_ELEM into a caller buffer of {@link #userValueSize()} bytes; allocates nothing when no
     * listener is attached.
     */
    public Errno lookup(int cpu, byte[] key, byte[] valueOut, long flags) {
        if (!(okCpu(cpu) && okKey(key) && okValue(valueOut, userValueSize))) {
            return Errno.EINVAL;
        }
        // Listeners are tested once here: nobody listening (the common case) takes the event-free lookup.
        if (flags == 0 && canRead && !events.enabled()) {
            return htab.htabMapLookupElemSysUntraced(key, valueOut);
        }
        begin(Op.LOOKUP, cpu, key);
        Errno pre = lookupChecks(flags, Op.LOOKUP);
        if (pre != Errno.OK) {
            return end(Op.LOOKUP, cpu, key, pre);
        }
        if ((flags & BPF_F_LOCK) != 0) {
            byte[] v = htab.htabMapLookupElemSys(cpu, key, flags);
            if (v == null) {
                return end(Op.LOOKUP, cpu, key, Errno.ENOENT);
            }
            System.arraycopy(v, 0, valueOut, 0, v.length);
            return end(Op.LOOKUP, cpu, key, Errno.OK);
        }
        return end(Op.LOOKUP, cpu, key, htab.htabMapLookupElemSys(key, valueOut));
    }

    private Errno lookupChecks(long flags, Op op) {
        if ((flags & ~BPF_F_LOCK) != 0) {
            return denied(Errno.EINVAL, "lookup flags other than BPF_F_LOCK");
        }
        if (!canRead() || (op == Op.LOOKUP_AND_DELETE && !canWrite())) {
            return denied(Errno.EPERM, "the descriptor lacks " + (canRead() ? "write" : "read") + " access");
        }
        if ((flags & BPF_F_LOCK) != 0 && !htab.hasSpinLock()) {
            return denied(Errno.EINVAL, "BPF_F_LOCK without a bpf_spin_lock in the value");
        }
        return Errno.OK;
    }

    /** BPF_MAP_UPDATE_ELEM; {@code value} is {@link #userValueSize()} bytes. */
    public Errno update(int cpu, byte[] key, byte[] value, long flags) {
        return updateWithDetail(cpu, key, value, flags).errno();
    }

    /** {@link #update} with the reason for a Java-side rejection. */
    public OpResult updateWithDetail(int cpu, byte[] key, byte[] value, long flags) {
        if (!(okCpu(cpu) && okKey(key) && okValue(value, userValueSize))) {
            return new OpResult(Errno.EINVAL, firstProblem(badCpu(cpu), badKey(key),
                    badValue(value, userValueSize(), syscallValueWhat())));
        }
        begin(Op.UPDATE, cpu, key);
        Errno ret = updateChecks(flags);
        if (ret == Errno.OK) {
            ret = isMapInMap ? bpfFdHtabMapUpdateElem(cpu, key, value, flags) : htab.update(cpu, key, value, flags, true);
        }
        end(Op.UPDATE, cpu, key, ret);
        return ret == Errno.OK ? OpResult.OK : new OpResult(ret, null);
    }

    private Errno updateChecks(long flags) {
        if (!canWrite()) {
            return denied(Errno.EPERM, "the descriptor is read-only (BPF_F_RDONLY)");
        }
        if ((flags & BPF_F_LOCK) != 0 && !htab.hasSpinLock()) {
            return denied(Errno.EINVAL, "BPF_F_LOCK without a bpf_spin_lock in the value");
        }
        return Errno.OK;
    }

    /** BPF_MAP_DELETE_ELEM. */
    public Errno delete(int cpu, byte[] key) {
        return deleteWithDetail(cpu, key).errno();
    }

    public OpResult deleteWithDetail(int cpu, byte[] key) {
        if (!(okCpu(cpu) && okKey(key))) {
            return new OpResult(Errno.EINVAL, firstProblem(badCpu(cpu), badKey(key)));
        }
        begin(Op.DELETE, cpu, key);
        Errno ret = canWrite() ? htab.htabMapDeleteElem(cpu, key)
                : denied(Errno.EPERM, "the descriptor is read-only (BPF_F_RDONLY)");
        end(Op.DELETE, cpu, key, ret);
        return ret == Errno.OK ? OpResult.OK : new OpResult(ret, null);
    }

    /** BPF_MAP_LOOKUP_AND_DELETE_ELEM: needs read and write access. */
    public ValueResult lookupAndDelete(int cpu, byte[] key, long flags) {
        if (!(okCpu(cpu) && okKey(key))) {
            return ValueResult.invalid(firstProblem(badCpu(cpu), badKey(key)));
        }
        begin(Op.LOOKUP_AND_DELETE, cpu, key);
        Errno pre = lookupChecks(flags, Op.LOOKUP_AND_DELETE);
        if (pre != Errno.OK) {
            return end(Op.LOOKUP_AND_DELETE, cpu, key, pre, ValueResult.error(pre));
        }
        if (isMapInMap) {
            // map_lookup_and_delete_elem serves only the four hash types (and queue/stack) among these maps
            Errno e = denied(Errno.ENOTSUPP, "BPF_MAP_LOOKUP_AND_DELETE_ELEM is not supported for hash_of_maps");
            return end(Op.LOOKUP_AND_DELETE, cpu, key, e, ValueResult.error(e));
        }
        ValueResult r = htab.htabMapLookupAndDeleteElemResult(cpu, key, flags);
        return end(Op.LOOKUP_AND_DELETE, cpu, key, r.errno(), r);
    }

    /** BPF_MAP_GET_NEXT_KEY; {@code keyOrNull == null} asks for the first key. */
    public KeyResult getNextKey(int cpu, byte[] keyOrNull) {
        String bad = firstProblem(badCpu(cpu), keyOrNull == null ? null : badKey(keyOrNull));
        if (bad != null) {
            return KeyResult.invalid(bad);
        }
        begin(Op.GET_NEXT_KEY, cpu, keyOrNull);
        if (!canRead()) {
            Errno e = denied(Errno.EPERM, "the descriptor is write-only (BPF_F_WRONLY)");
            return end(Op.GET_NEXT_KEY, cpu, keyOrNull, e, KeyResult.error(e));
        }
        int elem = htab.htabMapGetNextKey(keyOrNull);
        if (elem < 0) {
            return end(Op.GET_NEXT_KEY, cpu, keyOrNull, Errno.ENOENT, KeyResult.error(Errno.ENOENT));
        }
        return end(Op.GET_NEXT_KEY, cpu, keyOrNull, Errno.OK, KeyResult.ok(htab.elemKey(elem)));
    }

    /**
     * BPF_MAP_LOOKUP_BATCH.
     *
     * @param inBatchOrNull the 4-byte cursor of an earlier batch (little-endian bucket index), or null to start
     * @param count         requested count (u32)
     */
    public BatchResult lookupBatch(int cpu, byte[] inBatchOrNull, long count, long elemFlags, long flags) {
        return batch(Op.LOOKUP_BATCH, cpu, inBatchOrNull, count, elemFlags, flags);
    }

    /** BPF_MAP_LOOKUP_AND_DELETE_BATCH: needs read and write access. */
    public BatchResult lookupAndDeleteBatch(int cpu, byte[] inBatchOrNull, long count, long elemFlags,
                                            long flags) {
        return batch(Op.LOOKUP_AND_DELETE_BATCH, cpu, inBatchOrNull, count, elemFlags, flags);
    }

    private BatchResult batch(Op op, int cpu, byte[] in, long count, long elemFlags, long flags) {
        String bad = badCpu(cpu);
        if (bad == null && in != null && in.length != 4) {
            bad = "in_batch cursor must be 4 bytes (a u32 bucket index), got " + in.length;
        }
        if (bad == null && !isU32(count)) {
            bad = "count is a u32, got " + count;
        }
        if (bad != null) {
            return BatchResult.invalid(count, bad);
        }
        begin(op, cpu, null);
        boolean delete = op == Op.LOOKUP_AND_DELETE_BATCH;
        if (!canRead() || (delete && !canWrite())) {
            Errno e = denied(Errno.EPERM, "the descriptor lacks " + (canRead() ? "write" : "read") + " access");
            return end(op, cpu, null, e, BatchResult.untouched(e, count));
        }
        long inBucket = in == null ? -1
                : (in[0] & 0xFFL) | (in[1] & 0xFFL) << 8 | (in[2] & 0xFFL) << 16 | (in[3] & 0xFFL) << 24;
        BatchResult r = delete ? htab.htabMapLookupAndDeleteBatch(cpu, inBucket, count, elemFlags, flags)
                : htab.htabMapLookupBatch(cpu, inBucket, count, elemFlags, flags);
        return end(op, cpu, null, r.errno(), r);
    }

    /** BPF_MAP_UPDATE_BATCH: {@code keys.get(i)} gets {@code values.get(i)}; stops at the first failure. */
    public BatchResult updateBatch(int cpu, List<byte[]> keys, List<byte[]> values, long elemFlags) {
        long requested = keys == null ? 0 : keys.size();
        String bad = badCpu(cpu);
        if (bad == null && (keys == null || values == null || keys.size() != values.size())) {
            bad = "keys and values must be lists of the same length";
        }
        for (int i = 0; bad == null && i < keys.size(); i++) {
            bad = firstProblem(badKey(keys.get(i)), badValue(values.get(i), userValueSize(), syscallValueWhat()));
            if (bad != null) {
                bad = "item " + i + ": " + bad;
            }
        }
        if (bad != null) {
            return BatchResult.invalid(requested, bad);
        }
        begin(Op.UPDATE_BATCH, cpu, null);
        if (!canWrite()) {
            Errno e = denied(Errno.EPERM, "the descriptor is read-only (BPF_F_RDONLY)");
            return end(Op.UPDATE_BATCH, cpu, null, e, BatchResult.untouched(e, requested));
        }
        BatchResult r = isMapInMap
                ? htab.genericMapUpdateBatch(cpu, keys, values, elemFlags, this::bpfFdHtabMapUpdateElem)
                : htab.genericMapUpdateBatch(cpu, keys, values, elemFlags);
        return end(Op.UPDATE_BATCH, cpu, null, r.errno(), r);
    }

    /** BPF_MAP_DELETE_BATCH: stops at the first failure. */
    public BatchResult deleteBatch(int cpu, List<byte[]> keys, long elemFlags) {
        long requested = keys == null ? 0 : keys.size();
        String bad = badCpu(cpu);
        if (bad == null && keys == null) {
            bad = "keys missing";
        }
        for (int i = 0; bad == null && i < keys.size(); i++) {
            bad = badKey(keys.get(i));
            if (bad != null) {
                bad = "item " + i + ": " + bad;
            }
        }
        if (bad != null) {
            return BatchResult.invalid(requested, bad);
        }
        begin(Op.DELETE_BATCH, cpu, null);
        if (!canWrite()) {
            Errno e = denied(Errno.EPERM, "the descriptor is read-only (BPF_F_RDONLY)");
            return end(Op.DELETE_BATCH, cpu, null, e, BatchResult.untouched(e, requested));
        }
        BatchResult r = htab.genericMapDeleteBatch(cpu, keys, elemFlags);
        return end(Op.DELETE_BATCH, cpu, null, r.errno(), r);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Program helpers

    /**
     * bpf_map_lookup_elem from a program on {@code cpu}: value_size bytes (a per-CPU map's current-CPU slot);
     * ENOENT stands for the NULL pointer; an LRU element becomes referenced. EACCES if the verifier would refuse
     * to read the map (WRONLY_PROG).
     */
    public ValueResult progLookup(int cpu, byte[] key) {
        if (!(okCpu(cpu) && okKey(key))) {
            return ValueResult.invalid(firstProblem(badCpu(cpu), badKey(key)));
        }
        begin(Op.PROG_LOOKUP, cpu, key);
        if (!progCanRead()) {
            Errno e = denied(Errno.EACCES, "verifier: read from map forbidden (BPF_F_WRONLY_PROG)");
            return end(Op.PROG_LOOKUP, cpu, key, e, ValueResult.error(e));
        }
        int elem = htab.htabMapLookupElemProg(cpu, key);
        if (elem < 0) {
            return end(Op.PROG_LOOKUP, cpu, key, Errno.ENOENT, ValueResult.error(Errno.ENOENT));
        }
        byte[] out = new byte[htab.valueSize()];
        htab.copyProgValue(elem, cpu, out);
        return end(Op.PROG_LOOKUP, cpu, key, Errno.OK, ValueResult.ok(out));
    }

    /** {@link #progLookup} into a caller buffer of value_size bytes. */
    public Errno progLookup(int cpu, byte[] key, byte[] valueOut) {
        if (!(okCpu(cpu) && okKey(key) && okValue(valueOut, valueSize))) {
            return Errno.EINVAL;
        }
        // Listeners are tested once here: nobody listening takes the event-free lookup.
        if (progCanRead && !events.enabled()) {
            return htab.htabMapLookupElemProgUntraced(cpu, key, valueOut);
        }
        begin(Op.PROG_LOOKUP, cpu, key);
        if (!progCanRead()) {
            return end(Op.PROG_LOOKUP, cpu, key,
                    denied(Errno.EACCES, "verifier: read from map forbidden (BPF_F_WRONLY_PROG)"));
        }
        int elem = htab.htabMapLookupElemProg(cpu, key);
        if (elem < 0) {
            return end(Op.PROG_LOOKUP, cpu, key, Errno.ENOENT);
        }
        htab.copyProgValue(elem, cpu, valueOut);
        return end(Op.PROG_LOOKUP, cpu, key, Errno.OK);
    }

    /**
     * bpf_map_lookup_percpu_elem on a per-CPU map: CPU {@code targetCpu}'s value_size bytes; ENOENT (NULL) when
     * the key is absent or {@code targetCpu} is not a CPU. EINVAL on other map types (the verifier refuses it).
     */
    public ValueResult progLookupPercpu(int cpu, byte[] key, int targetCpu) {
        String bad = firstProblem(badCpu(cpu), badKey(key));
        if (bad == null && !htab.isPercpu()) {
            bad = "bpf_map_lookup_percpu_elem needs a per-CPU map";
        }
        if (bad != null) {
            return ValueResult.invalid(bad);
        }
        begin(Op.PROG_LOOKUP, cpu, key);
        if (!progCanRead()) {
            Errno e = denied(Errno.EACCES, "verifier: read from map forbidden (BPF_F_WRONLY_PROG)");
            return end(Op.PROG_LOOKUP, cpu, key, e, ValueResult.error(e));
        }
        if (targetCpu < 0 || targetCpu >= htab.possibleCpus()) {
            return end(Op.PROG_LOOKUP, cpu, key, Errno.ENOENT, ValueResult.error(Errno.ENOENT));
        }
        int elem = htab.htabMapLookupElemProg(cpu, key);
        if (elem < 0) {
            return end(Op.PROG_LOOKUP, cpu, key, Errno.ENOENT, ValueResult.error(Errno.ENOENT));
        }
        byte[] out = new byte[htab.valueSize()];
        htab.copyProgValue(elem, targetCpu, out);
        return end(Op.PROG_LOOKUP, cpu, key, Errno.OK, ValueResult.ok(out));
    }

    /**
     * bpf_map_update_elem from a program on {@code cpu}; {@code value} is value_size bytes (a per-CPU map
     * writes only this CPU's slot; a new element gets value_size zero bytes on the others). EACCES if the verifier
     * would refuse to write the map (RDONLY_PROG).
     */
    public Errno progUpdate(int cpu, byte[] key, byte[] value, long flags) {
        if (!(okCpu(cpu) && okKey(key) && okValue(value, valueSize))) {
            return Errno.EINVAL;
        }
        begin(Op.PROG_UPDATE, cpu, key);
        if (!progCanWrite()) {
            return end(Op.PROG_UPDATE, cpu, key,
                    denied(Errno.EACCES, "verifier: write into map forbidden (BPF_F_RDONLY_PROG)"));
        }
        if (isMapInMap) {
            return end(Op.PROG_UPDATE, cpu, key, denied(Errno.EINVAL, VERIFIER_MAP_IN_MAP_HELPER));
        }
        return end(Op.PROG_UPDATE, cpu, key, htab.update(cpu, key, value, flags, false));
    }

    /** bpf_map_delete_elem from a program on {@code cpu}. */
    public Errno progDelete(int cpu, byte[] key) {
        if (!(okCpu(cpu) && okKey(key))) {
            return Errno.EINVAL;
        }
        begin(Op.PROG_DELETE, cpu, key);
        if (!progCanWrite()) {
            return end(Op.PROG_DELETE, cpu, key,
                    denied(Errno.EACCES, "verifier: write into map forbidden (BPF_F_RDONLY_PROG)"));
        }
        if (isMapInMap) {
            return end(Op.PROG_DELETE, cpu, key, denied(Errno.EINVAL, VERIFIER_MAP_IN_MAP_HELPER));
        }
        return end(Op.PROG_DELETE, cpu, key, htab.htabMapDeleteElem(cpu, key));
    }

    // ---------------------------------------------------------------------------------------------------------
    // hash_of_maps: values are inner maps

    /** check_map_func_compatibility: a program may only look a map of maps up. */
    private static final String VERIFIER_MAP_IN_MAP_HELPER =
            "verifier: a program may only call bpf_map_lookup_elem on a hash_of_maps map";

    /** Whether this is a BPF_MAP_TYPE_HASH_OF_MAPS map. */
    public boolean isMapInMap() {
        return isMapInMap;
    }

    /**
     * bpf_fd_htab_map_update_elem: {@code value} is a 4-byte descriptor (little-endian) of the inner map.
     * bpf_map_fd_get_ptr resolves it (EBADF: no such map descriptor), checks it against the template (EINVAL) and
     * takes a reference, which the element keeps; a failing update puts it again.
     */
    private Errno bpfFdHtabMapUpdateElem(int cpu, byte[] key, byte[] value, long flags) {
        int ufd = (value[0] & 0xFF) | (value[1] & 0xFF) << 8 | (value[2] & 0xFF) << 16 | (value[3] & 0xFF) << 24;
        BpfMap inner = runtime.mapByFd(ufd);
        if (inner == null) {
            return MapInMap.isStandardStream(ufd)
                    ? denied(Errno.EINVAL, "descriptor " + ufd + " is open but not a BPF map")
                    : denied(Errno.EBADF, "descriptor " + ufd + " is not open");
        }
        return fdHtabUpdate(cpu, key, inner, flags);
    }

    private Errno fdHtabUpdate(int cpu, byte[] key, BpfMap inner, long flags) {
        MapInMap mim = htab.mapInMap();
        OpResult mismatch = mim.metaEqualProblem(inner);
        if (mismatch != null) {
            return denied(mismatch.errno(), mismatch.detail());
        }
        inner.bpfMapInc();
        Errno ret = htab.fdHtabMapUpdateElem(cpu, key, inner, flags);
        if (ret != Errno.OK) {
            inner.bpfMapPut();
        }
        return ret;
    }

    /**
     * BPF_MAP_UPDATE_ELEM of a map of maps with {@code inner}'s descriptor as the value (what user space does with
     * the fd create returned). EBADF when {@code inner}'s descriptor was closed.
     */
    public Errno updateInnerMap(int cpu, byte[] key, BpfMap inner, long flags) {
        if (!(okCpu(cpu) && okKey(key)) || inner == null || !isMapInMap) {
            return Errno.EINVAL;
        }
        begin(Op.UPDATE, cpu, key);
        Errno ret = updateChecks(flags);
        if (ret == Errno.OK) {
            ret = inner.hasUserRefs() && runtime.mapByFd(inner.fd) == inner
                    ? fdHtabUpdate(cpu, key, inner, flags)
                    : denied(Errno.EBADF, "the inner map's descriptor is closed");
        }
        return end(Op.UPDATE, cpu, key, ret);
    }

    /**
     * bpf_map_lookup_elem on a map of maps from a program on {@code cpu}: the inner map (which the program can then
     * use), or null when the key is absent. EINVAL-free: a map of another type answers null.
     */
    public BpfMap progLookupInnerMap(int cpu, byte[] key) {
        if (!(okCpu(cpu) && okKey(key)) || !isMapInMap || !progCanRead()) {
            return null;
        }
        begin(Op.PROG_LOOKUP, cpu, key);
        int elem = htab.htabMapLookupElemProg(cpu, key);
        BpfMap inner = elem < 0 ? null : htab.innerMap(elem);
        end(Op.PROG_LOOKUP, cpu, key, inner == null ? Errno.ENOENT : Errno.OK);
        return inner;
    }

    /** The inner map template's facts ({@code null} unless this is a map of maps). */
    public MapInfo innerMapTemplate() {
        if (!isMapInMap) {
            return null;
        }
        MapInMap.Template t = htab.mapInMap().template();
        return new MapInfo(t.type(), t.keySize(), t.valueSize(), t.maxEntries(), t.mapFlags());
    }

    /** The inner map element {@code elem} of this map of maps refers to, or null (for views and tests). */
    public BpfMap innerMapOfElem(int elem) {
        return isMapInMap ? htab.innerMap(elem) : null;
    }

    /** The special fields of the value type (empty without BTF). */
    public io.htablab.hashtab.htab.fields.FieldRecord fieldRecord() {
        return htab.record();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Descriptor and references (a map of maps holds its inner maps)

    /** The descriptor BPF_MAP_CREATE returned, in the runtime's table ({@link BpfRuntime#mapByFd}). */
    public int fd() {
        return fd;
    }

    /** Elements of maps of maps that refer to this map. */
    public int outerRefs() {
        return outerRefs;
    }

    /** bpf_map_inc: an element of a map of maps now refers to this map. */
    void bpfMapInc() {
        outerRefs++;
        refsChanged();
    }

    /**
     * bpf_map_put of an outer reference. When no element refers to the map any more and user space has closed its
     * descriptor, the map is freed (its own inner maps, if it had any, are put in turn).
     */
    void bpfMapPut() {
        if (outerRefs <= 0) {
            throw new IllegalStateException("map " + id() + " put more often than taken");
        }
        outerRefs--;
        refsChanged();
        freeIfUnreferenced();
    }

    /** Loaded programs that use this map (each holds a reference through its used_maps). */
    private int progRefs;

    public int progRefs() {
        return progRefs;
    }

    /** A loaded program uses this map (the verifier took a reference for the program's used_maps). */
    public void bpfProgUseMap() {
        progRefs++;
        refsChanged();
    }

    /** A program that used this map is unloaded; the map is freed if nothing else holds it. */
    public void bpfProgReleaseMap() {
        if (progRefs <= 0) {
            throw new IllegalStateException("map " + id() + " released by more programs than used it");
        }
        progRefs--;
        refsChanged();
        freeIfUnreferenced();
    }

    private void freeIfUnreferenced() {
        if (outerRefs == 0 && progRefs == 0 && !hasUserRefs()) {
            mapFree();
        }
    }

    private void refsChanged() {
        if (events.enabled()) {
            events.accept(new MapEvent.MapRefsChanged(id(), outerRefs, hasUserRefs(), progRefs));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Injected lock failures

    /**
     * Make the {@code nth} acquisition from now of this map's {@code kind} locks fail with {@code errno} (spec 10.2):
     * EDEADLK or ETIMEDOUT for the 6.18 profile's resilient locks; for 6.14 only the bucket lock's guard can fail,
     * with EBUSY.
     */
    public OpResult injectLockFailure(io.htablab.hashtab.htab.lock.LockKind kind, int nth, Errno errno) {
        if (kind == null || errno == null) {
            return new OpResult(Errno.EINVAL, "lock kind and errno are required");
        }
        String problem = htab.injectLockFailure(kind, nth, errno);
        return problem == null ? OpResult.OK : new OpResult(Errno.EINVAL, problem);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writes through a looked-up value pointer (what a callback's "count" does)

    /**
     * A program on {@code cpu} looks {@code key} up and adds {@code delta} to the little-endian u64 at
     * {@code offset} of the value in place ({@code __sync_fetch_and_add}); ENOENT when the key is absent,
     * EACCES when the verifier would refuse the write (RDONLY_PROG).
     */
    public Errno progValueAdd(int cpu, byte[] key, int offset, long delta) {
        return progValueWrite(cpu, key, offset, delta, true);
    }

    /** Like {@link #progValueAdd}, storing {@code value} as the u64 at {@code offset}. */
    public Errno progValueStore(int cpu, byte[] key, int offset, long value) {
        return progValueWrite(cpu, key, offset, value, false);
    }

    private Errno progValueWrite(int cpu, byte[] key, int offset, long v, boolean add) {
        if (!(okCpu(cpu) && okKey(key)) || offset < 0 || offset + 8 > valueSize) {
            return Errno.EINVAL;
        }
        if (!progCanWrite()) {
            return denied(Errno.EACCES, "verifier: write into map forbidden (BPF_F_RDONLY_PROG)");
        }
        int elem = htab.htabMapLookupElemProg(cpu, key);
        if (elem < 0) {
            return Errno.ENOENT;
        }
        byte[] cur = new byte[valueSize];
        htab.copyProgValue(elem, cpu, cur);
        long old = 0;
        for (int i = 7; i >= 0; i--) {
            old = old << 8 | (cur[offset + i] & 0xFF);
        }
        long n = add ? old + v : v;
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (n >>> (8 * i));
        }
        htab.writeProgValue(elem, cpu, offset, out);
        return Errno.OK;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers and workqueues: a program on cpu looks KEY up, then calls the helper on the value's field.
    // ENOENT: the key is absent (the program has no value to pass). field names the member when the value has
    // several timers (or wqs); null picks the only one.

    /** bpf_timer_init(&value->field, map, flags): flags hold the clockid. */
    public HelperResult bpfTimerInit(int cpu, byte[] key, String field, long flags) {
        Target t = target(cpu, key, FieldKind.TIMER, field);
        return t.error != null ? t.error : t.fields.bpfTimerInit(t.elem, t.index, cpu, flags);
    }

    /** bpf_timer_set_callback(&value->field, callback). */
    public HelperResult bpfTimerSetCallback(int cpu, byte[] key, String field, BpfCallback callback) {
        if (callback == null) {
            return HelperResult.invalid("callback missing");
        }
        Target t = target(cpu, key, FieldKind.TIMER, field);
        return t.error != null ? t.error : t.fields.bpfTimerSetCallback(t.elem, t.index, cpu, callback);
    }

    /** bpf_timer_start(&value->field, nsecs, flags) with BPF_F_TIMER_ABS / BPF_F_TIMER_CPU_PIN. */
    public HelperResult bpfTimerStart(int cpu, byte[] key, String field, long nsecs, long flags) {
        Target t = target(cpu, key, FieldKind.TIMER, field);
        return t.error != null ? t.error : t.fields.bpfTimerStart(t.elem, t.index, cpu, nsecs, flags);
    }

    /** bpf_timer_cancel(&value->field): 1 when the timer was armed, 0 when not, or an errno. */
    public HelperResult bpfTimerCancel(int cpu, byte[] key, String field) {
        Target t = target(cpu, key, FieldKind.TIMER, field);
        return t.error != null ? t.error : t.fields.bpfTimerCancel(t.elem, t.index, cpu);
    }

    /** The bpf_wq_init kfunc. */
    public HelperResult bpfWqInit(int cpu, byte[] key, String field, long flags) {
        Target t = target(cpu, key, FieldKind.WORKQUEUE, field);
        return t.error != null ? t.error : t.fields.bpfWqInit(t.elem, t.index, cpu, flags);
    }

    /** The bpf_wq_set_callback_impl kfunc. */
    public HelperResult bpfWqSetCallback(int cpu, byte[] key, String field, BpfCallback callback, long flags) {
        if (callback == null) {
            return HelperResult.invalid("callback missing");
        }
        Target t = target(cpu, key, FieldKind.WORKQUEUE, field);
        return t.error != null ? t.error : t.fields.bpfWqSetCallback(t.elem, t.index, cpu, callback, flags);
    }

    /** The bpf_wq_start kfunc: the item runs when the runtime's clock next moves. */
    public HelperResult bpfWqStart(int cpu, byte[] key, String field, long flags) {
        Target t = target(cpu, key, FieldKind.WORKQUEUE, field);
        return t.error != null ? t.error : t.fields.bpfWqStart(t.elem, t.index, cpu, flags);
    }

    /** The element and field a timer/wq helper works on, or why the call cannot be made. */
    private record Target(AsyncFields fields, int elem, int index, HelperResult error) {
        static Target failed(HelperResult error) {
            return new Target(null, -1, -1, error);
        }
    }

    private Target target(int cpu, byte[] key, FieldKind kind, String field) {
        String bad = firstProblem(badCpu(cpu), badKey(key));
        if (bad != null) {
            return Target.failed(HelperResult.invalid(bad));
        }
        AsyncFields fields = htab.asyncFields();
        int index = fields == null ? -1 : fields.fieldIndex(kind, field);
        if (index == -1) {
            return Target.failed(HelperResult.invalid("the value has no struct " + kind.cName()
                    + (field == null ? "" : " named '" + field + "'")));
        }
        if (index == -2) {
            return Target.failed(HelperResult.invalid("the value has several struct " + kind.cName()
                    + " fields: name one"));
        }
        if (!progCanRead()) {
            denied(Errno.EACCES, "verifier: read from map forbidden (BPF_F_WRONLY_PROG)");
            return Target.failed(HelperResult.error(Errno.EACCES));
        }
        int elem = htab.htabMapLookupElemProg(cpu, key);
        if (elem < 0) {
            return Target.failed(HelperResult.error(Errno.ENOENT));
        }
        return new Target(fields, elem, index, null);
    }

    // ---------------------------------------------------------------------------------------------------------
    // References: the descriptor user space holds, and the map's own life

    /** The runtime the map lives in (set once by {@link #create}). */
    private BpfRuntime runtime;
    private boolean fdOpen = true;
    private boolean freed;

    /**
     * close() of the map's descriptor: the last user reference goes (bpf_map_put_uref), so the map releases its
     * timers and work items (map_release_uref) while programs may still use it. After this the syscall methods
     * stand for commands on a closed descriptor (the scenario backends answer EBADF); program helpers still run.
     *
     * @return EBADF when the descriptor was closed already
     */
    public Errno closeFd() {
        if (!fdOpen) {
            return Errno.EBADF;
        }
        fdOpen = false;
        if (runtime != null) {
            runtime.releaseFd(fd);
        }
        htab.htabMapFreeInternalStructs();
        refsChanged();
        return Errno.OK;
    }

    /** Whether user space still holds the map. */
    public boolean hasUserRefs() {
        return fdOpen;
    }

    /**
     * The last reference of any kind is gone (no descriptor, no program): the map is freed (htab_map_free) and
     * its id no longer names it. Closes the descriptor first if it is still open.
     */
    public void mapFree() {
        if (freed) {
            return;
        }
        closeFd();
        freed = true;
        htab.htabMapFree();
        if (events.enabled()) {
            events.accept(new MapEvent.MapFreed(id()));
        }
        if (runtime != null) {
            runtime.unregister(id());
        }
    }

    /** The runtime's clock: advancing it fires this map's timers (and every other map's of the runtime). */
    public io.htablab.hashtab.htab.fields.VirtualClock clock() {
        return (runtime != null ? runtime : BpfRuntime.defaultRuntime()).clock();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Nulls race

    /**
     * Begin a step-wise lockless lookup on {@code cpu} whose steps may be interleaved with other operations.
     *
     * @throws IllegalArgumentException for a bad CPU or key length (a Java usage error, not a kernel error)
     */
    public ChainWalker beginLookup(int cpu, byte[] key) {
        String bad = firstProblem(badCpu(cpu), badKey(key));
        if (bad != null) {
            throw new IllegalArgumentException("beginLookup: " + bad);
        }
        return htab.beginLookup(cpu, key);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Information

    /** BPF_OBJ_GET_INFO_BY_FD. */
    public MapInfo info() {
        return new MapInfo(htab.type(), htab.keySize(), htab.valueSize(), htab.maxEntries(), htab.mapFlags());
    }

    /** The memlock line of the map's fdinfo. */
    public long memlock() {
        return htab.memlock();
    }

    /** Linked elements. */
    public int count() {
        return htab.count();
    }

    public MapType type() {
        return htab.type();
    }

    public int possibleCpus() {
        return htab.possibleCpus();
    }

    public int keySize() {
        return htab.keySize();
    }

    public int valueSize() {
        return htab.valueSize();
    }

    /** Bytes of a syscall value: value_size, or P * round8(value_size) for per-CPU maps. */
    public int userValueSize() {
        return htab.userValueSize();
    }

    public int nBuckets() {
        return htab.nBuckets();
    }

    public int hashrnd() {
        return htab.hashrnd();
    }

    /** Flags of the descriptor (RDONLY/WRONLY), which the map itself does not store. */
    public int fdFlags() {
        return fdFlags;
    }

    /** Read-only internal state for views and tests. */
    public HtabState state() {
        return htab;
    }

    /**
     * Attach a listener. Threading rule: a map is used by one thread at a time, and listeners are added or removed
     * between operations; the listener list is a plain field (no volatile read per event site), published to
     * another thread by whatever hands the map over. With no listener (or only disabled ones) operations take
     * event-free paths.
     */
    public void addListener(EventSink sink) {
        htab.events.add(sink);
    }

    public boolean removeListener(EventSink sink) {
        return htab.events.remove(sink);
    }

    /** The same operations bound to one CPU. */
    public CpuContext onCpu(int cpu) {
        return new CpuContext(this, cpu);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Per-CPU value helpers

    /**
     * Build a syscall value for a per-CPU map from one value_size value per CPU (one value for all CPUs when a
     * single one is given); padding bytes are zero.
     *
     * @throws IllegalArgumentException when the count or a length does not fit this map
     */
    public byte[] percpuValue(byte[]... perCpu) {
        int p = htab.possibleCpus();
        int r8 = (int) Htab.round8(htab.valueSize());
        if (!htab.isPercpu()) {
            throw new IllegalArgumentException("percpuValue: " + htab.type().scenarioName() + " is not per-CPU");
        }
        if (perCpu.length != 1 && perCpu.length != p) {
            throw new IllegalArgumentException("percpuValue: need 1 or " + p + " values, got " + perCpu.length);
        }
        byte[] out = new byte[p * r8];
        for (int c = 0; c < p; c++) {
            byte[] v = perCpu.length == 1 ? perCpu[0] : perCpu[c];
            if (v.length != htab.valueSize()) {
                throw new IllegalArgumentException("percpuValue: value for CPU " + c + " is " + v.length
                        + " bytes, value_size is " + htab.valueSize());
            }
            System.arraycopy(v, 0, out, c * r8, v.length);
        }
        return out;
    }

    /** Split a per-CPU syscall value into its value_size slots (padding dropped), in CPU order. */
    public List<byte[]> percpuSlots(byte[] userValue) {
        int r8 = (int) Htab.round8(htab.valueSize());
        List<byte[]> out = new ArrayList<>();
        for (int c = 0; c < htab.possibleCpus(); c++) {
            out.add(Arrays.copyOfRange(userValue, c * r8, c * r8 + htab.valueSize()));
        }
        return out;
    }
}
