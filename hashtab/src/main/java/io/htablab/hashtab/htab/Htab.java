package io.htablab.hashtab.htab;

import static io.htablab.hashtab.htab.ElemFlag.BPF_EXIST;
import static io.htablab.hashtab.htab.ElemFlag.BPF_F_LOCK;

import io.htablab.hashtab.htab.event.FieldEvent;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.SpecialField;
import static io.htablab.hashtab.htab.ElemFlag.BPF_NOEXIST;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.FieldEvent.CancelReason;
import io.htablab.hashtab.htab.fields.AsyncFields;
import io.htablab.hashtab.htab.event.MapEvent;
import io.htablab.hashtab.htab.freelist.PcpuFreelist;
import io.htablab.hashtab.htab.hash.Jhash;
import io.htablab.hashtab.htab.lock.HtabLocks;
import io.htablab.hashtab.htab.lock.LockFailure;
import io.htablab.hashtab.htab.lock.LockKind;
import io.htablab.hashtab.htab.lru.BpfLru;
import io.htablab.hashtab.htab.store.Buckets;
import io.htablab.hashtab.htab.store.ElemStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One BPF hash map ({@code struct bpf_htab}) of any of the four types: the kernel's hashtab.c routines under
 * their kernel names. Every operation runs to completion on the CPU it is given, as a syscall or program does
 * with migration disabled; the only interleaving the engine exposes is the step-wise lockless lookup of
 * {@link ChainWalker}.
 *
 * <p>This class trusts its callers about lengths and CPU numbers; {@link BpfMap} (the fd/program layer) checks
 * them and applies the access-flag rules before calling in.
 */
public final class Htab implements HtabState {

    /** The kernel's checks and sizing this map was created from (also computes its memlock). */
    private final HtabGeometry geometry;
    /** The kernel's map id (from the runtime's IDR); every event carries it. */
    private final int mapId;
    private final String name;
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final long maxEntries;
    private final int mapFlags;
    private final int nBuckets;
    private final long elemSize;
    private final long numEntries;
    private final int hashrnd;
    private final int nrCpus;
    private final int roundedValueSize;
    private final int valueStride;
    private final boolean prealloc;
    private final boolean percpu;
    private final boolean lru;
    private final boolean percpuLru;
    /** Syscall value size (value_size, or P * round8(value_size) per-CPU). */
    private final int userValueSize;
    /** 4- or 8-byte keys: the untraced walk compares keys without the stored hash (ElemStore.keyIsWord). */
    private final boolean wordKey;

    final Listeners events;
    private final Buckets buckets;
    private final ElemStore store;
    private final PcpuFreelist freelist;
    private final BpfLru bpfLru;
    /** Live linked elements (htab->count and the map's elem count agree after every operation). */
    private int count;
    /** The value's special fields (btf_record); user copies skip them and reads return zeros in their place. */
    private final FieldRecord record;
    /** Start and end offsets of each special field within one value, ascending; empty without fields. */
    private final int[] specialStart;
    private final int[] specialEnd;
    /** The bpf_spin_lock BPF_F_LOCK takes (btf_record.spin_lock_off), or null. */
    private final SpecialField spinLock;
    /** The kernel this map behaves like (fixed at creation). */
    private final KernelProfile profile;
    /** The simulated kernel the map lives in: nested programs are armed there. */
    private final BpfRuntime runtime;
    /** Who holds which of this map's locks, the 6.14 guard, injected failures. */
    private final HtabLocks locks;
    /** The CPU of the operation whose LRU pop is running (eviction runs inside it); -1 outside a pop. */
    private int lruOpCpu = -1;
    /** A hash_of_maps map's template and inner-map references; null for other types. */
    private MapInMap mapInMap;

    private Htab(HtabGeometry geometry, int mapId, String name, MapType type, int keySize, int valueSize, long maxEntries, int mapFlags, int nBuckets,
                 long elemSize, long numEntries, int hashrnd, int nrCpus, Listeners events, ElemStore store,
                 BpfRuntime runtime) {
        this.geometry = geometry;
        this.runtime = runtime;
        this.profile = runtime.profile();
        this.locks = new HtabLocks(profile.hasResilientLocks(), profile.hasMapLockedGuard(), nrCpus, nBuckets);
        this.mapId = mapId;
        this.name = name;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.mapFlags = mapFlags;
        this.nBuckets = nBuckets;
        this.elemSize = elemSize;
        this.numEntries = numEntries;
        this.hashrnd = hashrnd;
        this.nrCpus = nrCpus;
        this.roundedValueSize = ElemStore.round8(valueSize);
        this.percpu = type.isPercpu();
        this.lru = type.isLru();
        this.percpuLru = (mapFlags & MapFlag.NO_COMMON_LRU.bit()) != 0;
        this.prealloc = (mapFlags & MapFlag.NO_PREALLOC.bit()) == 0;
        this.valueStride = percpu ? roundedValueSize * nrCpus : roundedValueSize;
        this.userValueSize = percpu ? valueStride : valueSize;
        this.wordKey = store.keyIsWord();
        this.events = events;
        this.buckets = new Buckets(nBuckets);
        this.store = store;
        this.freelist = prealloc && !lru ? new PcpuFreelist(nrCpus, (int) numEntries, events, mapId) : null;
        this.bpfLru = lru ? new BpfLru((int) numEntries, nrCpus, percpuLru, this::htabLruMapDeleteNode, events,
                mapId, profile.lruTargetFreeScaled(), profile.lruLocalFreeInHarvestOrder())
                : null;
        if (freelist != null) {
            freelist.setLocks(locks);
        }
        if (bpfLru != null) {
            bpfLru.setLocks(locks);
        }
        this.record = geometry.attr().record();
        this.specialStart = new int[record.fields().size()];
        this.specialEnd = new int[record.fields().size()];
        for (int i = 0; i < specialStart.length; i++) {
            SpecialField f = record.fields().get(i);
            specialStart[i] = f.offset();
            specialEnd[i] = f.offset() + f.size();
        }
        this.spinLock = record.spinLock();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Creation (spec 2.3, 2.4)

    /** Result of {@link #htabMapAlloc}: the map or the errno and reason. */
    public record Alloc(Htab htab, Errno errno, String detail) {
    }

    /**
     * htab_map_alloc (spec 2.4): allocates the map that {@code geometry} (the kernel's checks and sizing,
     * already passed) describes.
     */
    public static Alloc htabMapAlloc(HtabGeometry geometry, MapOptions options) {
        HtabAttr attr = geometry.attr();
        MapType type = attr.type();
        int p = geometry.possibleCpus();
        int flags = attr.mapFlags() & ~MapFlag.TOKEN_FD;
        boolean percpu = type.isPercpu();
        boolean prealloc = geometry.isPrealloc();
        long maxEntries = geometry.maxEntries();
        long nBuckets = geometry.nBuckets();
        long elemSize = geometry.elemSize();
        int keySize = (int) attr.keySize();
        int valueSize = (int) attr.valueSize();
        int valueStride = (int) (percpu ? round8(valueSize) * p : round8(valueSize));
        long numEntries = prealloc ? geometry.numEntries() : 0;

        long budget = options.memoryLimit() - 4L * nBuckets;
        if (budget < 0) {
            return new Alloc(null, Errno.ENOMEM, "bucket array exceeds the simulator's memory limit");
        }
        ElemStore store = prealloc ? ElemStore.prealloc(keySize, valueStride, numEntries, budget)
                : ElemStore.growable(keySize, valueStride, budget);
        if (store == null) {
            return new Alloc(null, Errno.ENOMEM, "elements exceed the simulator's memory limit");
        }
        int hashrnd;
        if ((flags & MapFlag.ZERO_SEED.bit()) != 0) {
            hashrnd = 0;
        } else if (options.seed().isPresent()) {
            hashrnd = options.seed().getAsInt();
        } else {
            hashrnd = new Random().nextInt();
        }
        int stored = flags & ~MapFlag.FD_ONLY_FLAGS;
        Listeners sink = new Listeners(options.events());
        int mapId = options.runtime().allocId();
        Htab htab = new Htab(geometry, mapId, options.name(), type, keySize, valueSize, maxEntries, stored,
                (int) nBuckets, elemSize, numEntries, hashrnd, p, sink, store, options.runtime());
        if (sink.enabled()) {
            sink.accept(new MapEvent.MapCreated(mapId, options.name(), type, keySize, valueSize, maxEntries,
                    (int) nBuckets, elemSize, numEntries, hashrnd, p, stored, prealloc, valueStride));
            sink.accept(new MapEvent.ProfileApplied(mapId, htab.profile.scenarioName()));
        }
        if (prealloc) {
            htab.preallocInit(options.creatingCpu());
        }
        htab.asyncFields = AsyncFields.create(mapId, attr.record(), options.runtime().clock(), sink, store::key);
        return new Alloc(htab, Errno.OK, null);
    }

    /** prealloc_init: populate the LRU or the per-CPU freelist, then take the HASH extras (spec 2.4 step 10). */
    private void preallocInit(int creatingCpu) {
        if (lru) {
            bpfLru.bpfLruPopulate();
            return;
        }
        freelist.pcpuFreelistPopulate((int) numEntries, creatingCpu);
        if (hasExtraElems()) {
            freelist.allocExtraElems(creatingCpu);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Type helpers

    /** The map's id (bpf_map_info.id). */
    public int mapId() {
        return mapId;
    }

    /** The map's name (bpf_map_info.name), "" for none. */
    public String name() {
        return name;
    }

    public boolean isLru() {
        return lru;
    }

    public boolean isPercpu() {
        return percpu;
    }

    @Override
    public boolean isPrealloc() {
        return prealloc;
    }

    public boolean isPercpuLru() {
        return percpuLru;
    }

    /** htab_has_extra_elems: plain HASH, and before 6.15 hash_of_maps too (since then fd maps update in place). */
    boolean hasExtraElems() {
        return HtabGeometry.hasExtraElems(type, profile);
    }

    /** The kernel behaviour this map models. */
    public KernelProfile profile() {
        return profile;
    }

    /** The map's locks (holders, the 6.14 guard, injected failures), for views and tests. */
    public HtabLocks locks() {
        return locks;
    }

    /**
     * Whether values hold a classic bpf_spin_lock, which BPF_F_LOCK needs (a bpf_res_spin_lock does not qualify).
     * Creation allows one only in HASH values, so the other types always answer false.
     */
    public boolean hasSpinLock() {
        return spinLock != null;
    }

    /** The value's special fields (empty without BTF). */
    public FieldRecord record() {
        return record;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Hashing, chain walks, bucket locks

    /** htab_map_hash with this map's seed, reporting the hash and bucket. */
    int htabMapHash(byte[] key) {
        int hash = Jhash.htabMapHash(key, 0, keySize, hashrnd);
        if (events.enabled()) {
            events.accept(new BucketEvent.HashComputed(mapId, key.clone(), hashrnd, hash, hash & (nBuckets - 1)));
        }
        return hash;
    }

    int selectBucket(int hash) {
        return hash & (nBuckets - 1);
    }

    /**
     * lookup_nulls_elem_raw: lockless walk of {@code bucket}'s chain. If the walk ends on another bucket's nulls
     * marker, an element it passed was moved to another chain meanwhile; start over from our bucket's head.
     *
     * @return the element, or -1
     */
    int lookupNullsElemRaw(int bucket, int hash, byte[] key) {
        boolean trace = events.enabled();
        while (true) {
            int n = buckets.head(bucket);
            while (!Buckets.isNulls(n)) {
                boolean hashMatch = store.hash(n) == hash;
                boolean keyMatch = hashMatch && store.keyEquals(n, key);
                if (trace) {
                    events.accept(new BucketEvent.NodeVisited(mapId, bucket, n, hashMatch, keyMatch));
                }
                if (keyMatch) {
                    return n;
                }
                n = store.next(n);
            }
            boolean restart = Buckets.nullsValue(n) != bucket;
            if (trace) {
                events.accept(new BucketEvent.NullsReached(mapId, bucket, Buckets.nullsValue(n), restart));
            }
            if (!restart) {
                return -1;
            }
        }
    }

    /**
     * lookup_elem_raw: walk under the bucket lock, where no element can move, so no restart. A program attached to
     * this function (a nested program at {@link BpfRuntime.AttachPoint#LOOKUP_ELEM_RAW}) runs first, on the CPU that
     * holds the lock.
     */
    int lookupElemRaw(int bucket, int hash, byte[] key) {
        if (runtime.nestedArmed()) {
            runtime.attachPointReached(BpfRuntime.AttachPoint.LOOKUP_ELEM_RAW, locks.bucketHolder(bucket), mapId,
                    events);
        }
        if (!events.enabled()) {
            return lookupElemRawUntraced(bucket, hash, key);
        }
        int n = buckets.head(bucket);
        while (!Buckets.isNulls(n)) {
            boolean hashMatch = store.hash(n) == hash;
            boolean keyMatch = hashMatch && store.keyEquals(n, key);
            events.accept(new BucketEvent.NodeVisited(mapId, bucket, n, hashMatch, keyMatch));
            if (keyMatch) {
                return n;
            }
            n = store.next(n);
        }
        events.accept(new BucketEvent.NullsReached(mapId, bucket, Buckets.nullsValue(n), false));
        return -1;
    }

    /** {@link #lookupElemRaw} without events; a word-sized key is compared directly (see keyIsWord). */
    private int lookupElemRawUntraced(int bucket, int hash, byte[] key) {
        int n = store.findKey(buckets.head(bucket), hash, key, wordKey);
        return Buckets.isNulls(n) ? -1 : n;
    }

    /**
     * htab_lock_bucket on {@code cpu}. 6.18: a resilient spinlock, which fails with EDEADLK when this CPU already
     * holds the bucket (a program that fired inside the critical section came back to it) or when a failure was
     * injected. 6.14: first the per-CPU guard slot {@code bucket & min(7, n_buckets-1)} (the hash's slot: the bucket
     * index keeps the hash's low bits), EBUSY when this CPU holds the slot, also for another bucket sharing it.
     * The bucket index is enough for the slot because the slot mask never exceeds the bucket mask.
     */
    Errno htabLockBucket(int bucket, int cpu) {
        LockFailure f = locks.lockBucket(bucket, bucket, cpu);
        if (f.failed()) {
            if (events.enabled()) {
                events.accept(new BucketEvent.BucketLockFailed(mapId, bucket, cpu, f.errno(), f.reason()));
                events.accept(new MapEvent.Error(mapId, f.errno(), "htab_lock_bucket: " + f.reason()));
            }
            return f.errno();
        }
        if (events.enabled()) {
            if (locks.hasGuard()) {
                int slot = locks.guardSlot(bucket);
                events.accept(new BucketEvent.MapLockedChanged(mapId, cpu, slot, locks.mapLocked(cpu, slot)));
            }
            events.accept(new BucketEvent.BucketLocked(mapId, bucket, cpu));
        }
        return Errno.OK;
    }

    void htabUnlockBucket(int bucket, int cpu) {
        locks.unlockBucket(bucket, bucket, cpu);
        if (events.enabled()) {
            events.accept(new BucketEvent.BucketUnlocked(mapId, bucket, cpu));
            if (locks.hasGuard()) {
                int slot = locks.guardSlot(bucket);
                events.accept(new BucketEvent.MapLockedChanged(mapId, cpu, slot, locks.mapLocked(cpu, slot)));
            }
        }
    }

    /**
     * Make the {@code nth} acquisition from now of this map's {@code kind} locks fail with {@code errno}.
     *
     * @return null when accepted, else why not (the profile's locks cannot fail that way, the map has no such lock)
     */
    public String injectLockFailure(LockKind kind, int nth, Errno errno) {
        if (kind == LockKind.LRU && !lru) {
            return "map " + name + " is not an LRU map: it has no LRU locks";
        }
        if (kind == LockKind.FREELIST && freelist == null) {
            return "map " + name + " has no per-CPU freelist (only preallocated hash, percpu_hash and hash_of_maps"
                    + " maps have one)";
        }
        String problem = locks.inject(kind, nth, errno);
        if (problem == null && events.enabled()) {
            events.accept(new MapEvent.LockFailureInjected(mapId, kind.scenarioName(), nth, errno));
        }
        return problem;
    }

    private void linkHead(int bucket, int elem) {
        buckets.addHead(store, bucket, elem);
        if (events.enabled()) {
            events.accept(new BucketEvent.ElemLinked(mapId, bucket, elem, store.key(elem), store.hash(elem)));
        }
    }

    private void unlink(int bucket, int elem) {
        buckets.unlink(store, bucket, elem);
        if (events.enabled()) {
            events.accept(new BucketEvent.ElemUnlinked(mapId, bucket, elem, store.key(elem), store.hash(elem)));
        }
    }

    private void incElemCount() {
        count++;
        if (events.enabled()) {
            events.accept(new MapEvent.CounterChanged(mapId, count));
        }
    }

    private void decElemCount() {
        count--;
        if (events.enabled()) {
            events.accept(new MapEvent.CounterChanged(mapId, count));
        }
    }

    private boolean isMapFull() {
        return count >= maxEntries;
    }

    /** The element/flag existence check shared by every update routine (check_flags). */
    private static Errno checkFlags(int lOld, long mapFlags) {
        long f = mapFlags & ~BPF_F_LOCK;
        if (lOld >= 0 && f == BPF_NOEXIST) {
            return Errno.EEXIST;
        }
        if (lOld < 0 && f == BPF_EXIST) {
            return Errno.ENOENT;
        }
        return Errno.OK;
    }

    private Errno fail(Errno errno, String reason) {
        if (events.enabled()) {
            events.accept(new MapEvent.Error(mapId, errno, reason));
        }
        return errno;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Values

    private void copyValueIn(int elem, int off, byte[] src, int srcOff, int len, int slot) {
        if (specialStart.length == 0) {
            store.writeValue(elem, off, src, srcOff, len);
        } else {
            copyMapValue(elem, off, src, srcOff, len, slot < 0 ? 0 : slot * roundedValueSize);
        }
        if (events.enabled()) {
            events.accept(new MapEvent.ValueCopied(mapId, elem, slot, off, store.value(elem, off, len)));
        }
    }

    /**
     * copy_map_value: writes {@code len} bytes at store offset {@code off} except the special fields of the value slot
     * that starts at {@code base}, which keep their state (user space and programs never overwrite a lock or timer).
     */
    private void copyMapValue(int elem, int off, byte[] src, int srcOff, int len, int base) {
        int pos = off;
        int end = off + len;
        for (int i = 0; i < specialStart.length; i++) {
            int fs = base + specialStart[i];
            int fe = base + specialEnd[i];
            if (fe <= pos || fs >= end) {
                continue;
            }
            if (fs > pos) {
                store.writeValue(elem, pos, src, srcOff + (pos - off), fs - pos);
            }
            pos = Math.max(pos, fe);
        }
        if (pos < end) {
            store.writeValue(elem, pos, src, srcOff + (pos - off), end - pos);
        }
    }

    /**
     * check_and_init_map_value on a copy: zeros in place of every special field of each value slot in {@code buf}
     * ({@code slots} slots of {@code stride} bytes), so user space and program reads never see a lock or timer.
     */
    private void zeroSpecialFields(byte[] buf, int slots, int stride) {
        for (int c = 0; c < slots; c++) {
            for (int i = 0; i < specialStart.length; i++) {
                java.util.Arrays.fill(buf, c * stride + specialStart[i], c * stride + specialEnd[i], (byte) 0);
            }
        }
    }

    /** Zeros the special fields of a syscall copy (every CPU's slot of a per-CPU map). */
    private void zeroSpecialFieldsOfUserCopy(byte[] buf) {
        if (specialStart.length != 0) {
            zeroSpecialFields(buf, percpu ? nrCpus : 1, roundedValueSize);
        }
    }

    /**
     * copy_map_value_locked: the in-place BPF_F_LOCK update of an existing HASH element, under the element's
     * spin lock, leaving every special field as it was.
     */
    private void copyMapValueLocked(int elem, byte[] value, int cpu) {
        spinLockAcquire(elem, cpu);
        copyValueIn(elem, 0, value, 0, valueSize, -1);
        spinLockRelease(elem, cpu);
    }

    private void spinLockAcquire(int elem, int cpu) {
        if (events.enabled()) {
            events.accept(new FieldEvent.SpinLockAcquired(mapId, elem, cpu, spinLock.offset()));
        }
    }

    private void spinLockRelease(int elem, int cpu) {
        if (events.enabled()) {
            events.accept(new FieldEvent.SpinLockReleased(mapId, elem, cpu, spinLock.offset()));
        }
    }

    /** A user-space read of {@code elem}, copied under its spin lock when {@code flags} has BPF_F_LOCK. */
    private byte[] copyValueOut(int elem, int cpu, long flags) {
        boolean locked = (flags & BPF_F_LOCK) != 0 && spinLock != null;
        if (locked) {
            spinLockAcquire(elem, cpu);
        }
        byte[] v = copyValueOut(elem);
        if (locked) {
            spinLockRelease(elem, cpu);
        }
        return v;
    }

    private void zeroValueIn(int elem, int off, int len, int slot) {
        store.zeroValue(elem, off, len);
        if (events.enabled()) {
            events.accept(new MapEvent.ValueCopied(mapId, elem, slot, off, new byte[len]));
        }
    }

    /**
     * pcpu_copy_value: a syscall ({@code onallcpus}) writes every CPU's whole rounded slot from the user buffer;
     * a program writes {@code value_size} bytes of the current CPU's slot.
     */
    void pcpuCopyValue(int elem, byte[] value, boolean onallcpus, int cpu) {
        if (!onallcpus) {
            copyValueIn(elem, cpu * roundedValueSize, value, 0, valueSize, cpu);
            return;
        }
        for (int c = 0; c < nrCpus; c++) {
            copyValueIn(elem, c * roundedValueSize, value, c * roundedValueSize, roundedValueSize, c);
        }
    }

    /**
     * pcpu_init_value: like {@link #pcpuCopyValue}, except that a program-created element gets {@code value_size}
     * zero bytes on every other CPU (their padding keeps whatever the element held before).
     */
    void pcpuInitValue(int elem, byte[] value, boolean onallcpus, int cpu) {
        if (onallcpus) {
            pcpuCopyValue(elem, value, true, cpu);
            return;
        }
        for (int c = 0; c < nrCpus; c++) {
            if (c == cpu) {
                copyValueIn(elem, c * roundedValueSize, value, 0, valueSize, c);
            } else {
                zeroValueIn(elem, c * roundedValueSize, valueSize, c);
            }
        }
    }

    /** The value a syscall read returns: value_size bytes, or every CPU's rounded slot (bpf_percpu_hash_copy). */
    byte[] copyValueOut(int elem) {
        byte[] v = store.value(elem, 0, percpu ? valueStride : valueSize);
        zeroSpecialFieldsOfUserCopy(v);
        return v;
    }

    /** Size of a syscall value buffer: value_size, or P * round8(value_size) for per-CPU maps. */
    public int userValueSize() {
        return userValueSize;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Element allocation and freeing

    /** Why the last {@link #allocHtabElem} failed. */
    private Errno allocError;

    /**
     * alloc_htab_elem: obtain an element for a new value, copy key, hash and value into it.
     *
     * @param oldElem the element being replaced (HASH update of an existing key), or -1
     * @return the element, or -1 with {@link #allocError} set (E2BIG when full, ENOMEM)
     */
    int allocHtabElem(int cpu, byte[] key, byte[] value, int hash, boolean onallcpus, int oldElem) {
        int elem;
        if (prealloc) {
            if (oldElem >= 0) {
                if (profile.guardsExtraElemReentry() && freelist.extraInUse(cpu)) {
                    // A replacing update on this CPU is still between its extra swap and the release of the element
                    // it replaced (this update runs nested inside it): taking the extra now would hand out that
                    // element while it is being released. Seen as EBUSY on 6.18.44.
                    allocError = fail(Errno.EBUSY, "CPU " + cpu + "'s extra element is in use by the replacing update"
                            + " this one is nested in");
                    return -1;
                }
                // Replacing: the CPU's spare element takes the new value and the old element becomes the spare,
                // so a full map can still replace keys without touching the freelist.
                elem = freelist.swapExtra(cpu, oldElem);
            } else {
                elem = freelist.pcpuFreelistPop(cpu);
                if (elem < 0) {
                    allocError = fail(Errno.E2BIG, "freelist empty: map full");
                    return -1;
                }
                incElemCount();
            }
        } else {
            if (isMapFull() && oldElem < 0) {
                allocError = fail(Errno.E2BIG, "count " + count + " >= max_entries " + maxEntries);
                return -1;
            }
            incElemCount();
            elem = store.alloc();
            if (elem < 0) {
                decElemCount();
                allocError = fail(Errno.ENOMEM, "element allocation failed");
                return -1;
            }
            if (events.enabled()) {
                events.accept(new MapEvent.ElemAllocated(mapId, elem));
            }
        }
        store.setKey(elem, key);
        store.setHash(elem, hash);
        if (percpu) {
            pcpuInitValue(elem, value, onallcpus, cpu);
        } else {
            copyValueIn(elem, 0, value, 0, valueSize, -1);
        }
        return elem;
    }

    /** free_htab_elem: a preallocated element goes to the current CPU's freelist, otherwise back to memory. */
    void freeHtabElem(int cpu, int elem) {
        freeHtabElem(cpu, elem, CancelReason.DELETE);
    }

    /** {@link #freeHtabElem(int, int)} saying why the element goes (for the release events). */
    void freeHtabElem(int cpu, int elem, CancelReason reason) {
        if (mapInMap != null) {
            mapInMap.putFdValue(elem); // htab_put_fd_value: the inner map reference goes first
        }
        checkAndFreeFields(elem, reason, cpu);
        decElemCount();
        if (prealloc) {
            freelist.pcpuFreelistPush(cpu, elem);
        } else {
            store.free(elem);
            if (events.enabled()) {
                events.accept(new MapEvent.ElemFreed(mapId, elem));
            }
        }
    }

    /** The value's timers and work items; null when its type has none (then releasing costs one test). */
    private AsyncFields asyncFields;

    /**
     * check_and_free_fields: release the special fields of an element's value (all CPUs' slots of a per-CPU
     * value, which can hold no timer or wq: only kptrs, which the engine does not model). Called where the
     * kernel calls it: after the unlink, before the element can be reused.
     */
    void checkAndFreeFields(int elem, CancelReason reason, int cpu) {
        if (runtime.nestedArmed()) {
            // bpf_obj_free_fields is called for every element check_and_free_fields sees, fields or not.
            runtime.attachPointReached(BpfRuntime.AttachPoint.BPF_OBJ_FREE_FIELDS, cpu, mapId, events);
        }
        if (asyncFields != null) {
            asyncFields.release(elem, reason, cpu);
        }
    }

    /** The map's timers and work items, or null when its value type has none. */
    public AsyncFields asyncFields() {
        return asyncFields;
    }

    /**
     * map_release_uref (htab_map_free_internal_structs): the last user reference is gone. A preallocated map
     * releases the timers and work items of every preallocated element (linked, free or spare), any other map
     * those of its linked elements.
     */
    public void htabMapFreeInternalStructs() {
        if (asyncFields != null) {
            asyncFields.releaseUref(prealloc ? allElements() : linkedElements());
        }
    }

    /** htab_map_free: whatever fields are still set go with the map's memory; a map of maps drops its inner maps. */
    public void htabMapFree() {
        if (mapInMap != null) {
            // fd_htab_map_free: every linked element's inner map reference goes
            for (int e : linkedElements()) {
                mapInMap.putFdValue(e);
            }
        }
        if (asyncFields != null) {
            asyncFields.mapFree();
        }
    }

    private int[] allElements() {
        int[] all = new int[store.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    private int[] linkedElements() {
        int[] out = new int[count];
        int k = 0;
        for (int b = 0; b < nBuckets; b++) {
            for (int e : buckets.chain(store, b)) {
                if (k == out.length) {
                    out = java.util.Arrays.copyOf(out, k * 2 + 1);
                }
                out[k++] = e;
            }
        }
        return k == out.length ? out : java.util.Arrays.copyOf(out, k);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lookup

    /** __htab_map_lookup_elem: lockless search; the element or -1. */
    public int htabMapLookupElem(byte[] key) {
        int hash = htabMapHash(key);
        return lookupNullsElemRaw(selectBucket(hash), hash, key);
    }

    /**
     * {@link #htabMapLookupElem} for a map nobody listens to: the same walk and result with no event code, kept
     * small so that the JIT inlines it into the caller. Callers test the listeners once, before calling.
     */
    int htabMapLookupElemUntraced(byte[] key) {
        int hash = Jhash.htabMapHash(key, 0, keySize, hashrnd);
        return lookupNullsElemRawUntraced(hash & (nBuckets - 1), hash, key);
    }

    /** {@link #lookupNullsElemRaw} without events; a word-sized key is compared directly (see keyIsWord). */
    private int lookupNullsElemRawUntraced(int bucket, int hash, byte[] key) {
        while (true) {
            int n = store.findKey(buckets.head(bucket), hash, key, wordKey);
            if (!Buckets.isNulls(n)) {
                return n;
            }
            if (Buckets.nullsValue(n) == bucket) {
                return -1;
            }
        }
    }

    /** {@link #htabMapLookupElemSys(byte[], byte[])} for a map nobody listens to. */
    Errno htabMapLookupElemSysUntraced(byte[] key, byte[] out) {
        int elem = htabMapLookupElemUntraced(key);
        if (elem < 0) {
            return Errno.ENOENT;
        }
        store.readValue(elem, 0, out, 0, userValueSize);
        zeroSpecialFieldsOfUserCopy(out);
        return Errno.OK;
    }

    /** Program lookup into {@code out} for a map nobody listens to (an LRU node still gets its ref bit). */
    Errno htabMapLookupElemProgUntraced(int cpu, byte[] key, byte[] out) {
        int elem = htabMapLookupElemUntraced(key);
        if (elem < 0) {
            return Errno.ENOENT;
        }
        if (lru) {
            bpfLru.bpfLruNodeSetRef(elem);
        }
        store.readValue(elem, percpu ? cpu * roundedValueSize : 0, out, 0, valueSize);
        if (specialStart.length != 0) {
            zeroSpecialFields(out, 1, valueSize);
        }
        return Errno.OK;
    }

    /** Syscall lookup copy (LRU elements are not marked referenced by syscalls). */
    public byte[] htabMapLookupElemSys(byte[] key) {
        int elem = htabMapLookupElem(key);
        return elem < 0 ? null : copyValueOut(elem);
    }

    /** Syscall lookup on {@code cpu} with the command's flags (BPF_F_LOCK: the copy is taken under the spin lock). */
    public byte[] htabMapLookupElemSys(int cpu, byte[] key, long flags) {
        int elem = htabMapLookupElem(key);
        return elem < 0 ? null : copyValueOut(elem, cpu, flags);
    }

    /** Syscall lookup into a caller buffer of {@link #userValueSize()} bytes: no allocation on a hit. */
    public Errno htabMapLookupElemSys(byte[] key, byte[] out) {
        int elem = htabMapLookupElem(key);
        if (elem < 0) {
            return Errno.ENOENT;
        }
        store.readValue(elem, 0, out, 0, percpu ? valueStride : valueSize);
        zeroSpecialFieldsOfUserCopy(out);
        return Errno.OK;
    }

    /**
     * Program-side lookup (htab_map_lookup_elem, htab_percpu_map_lookup_elem, the LRU variants): the value
     * pointer's target, i.e. value_size bytes of the element or of the current CPU's slot; LRU marks the node.
     *
     * @return the element or -1
     */
    public int htabMapLookupElemProg(int cpu, byte[] key) {
        int elem = htabMapLookupElem(key);
        if (elem >= 0 && lru) {
            bpfLru.bpfLruNodeSetRef(elem);
        }
        return elem;
    }

    /**
     * A program's store through the value pointer bpf_map_lookup_elem returned: {@code bytes} at {@code off} of
     * the element's value (a per-CPU map's current-CPU slot), in place; no element is replaced.
     */
    void writeProgValue(int elem, int cpu, int off, byte[] bytes) {
        int slotOff = percpu ? cpu * roundedValueSize : 0;
        copyValueIn(elem, slotOff + off, bytes, 0, bytes.length, percpu ? cpu : -1);
    }

    /** Copy the value_size bytes a program sees for {@code elem} on {@code cpu} into {@code out}. */
    void copyProgValue(int elem, int cpu, byte[] out) {
        store.readValue(elem, percpu ? cpu * roundedValueSize : 0, out, 0, valueSize);
        if (specialStart.length != 0) {
            // the verifier refuses direct access to special fields: a program can only see zeros there
            zeroSpecialFields(out, 1, valueSize);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Update

    /**
     * Dispatch an update to the type's routine; {@code onallcpus} is true for syscalls (per-CPU values come as
     * P rounded slots) and false for programs (one value_size value for the current CPU).
     */
    public Errno update(int cpu, byte[] key, byte[] value, long flags, boolean onallcpus) {
        switch (type) {
            case HASH:
                return htabMapUpdateElem(cpu, key, value, flags);
            case PERCPU_HASH:
                return htabPercpuMapUpdateElem(cpu, key, value, flags, onallcpus);
            case LRU_HASH:
                return htabLruMapUpdateElem(cpu, key, value, flags);
            case HASH_OF_MAPS:
                // the value names an inner map by descriptor; BpfMap resolves it and calls fdHtabMapUpdateElem
                return fail(Errno.EINVAL, "a hash_of_maps value is an inner map descriptor, not bytes");
            default:
                return htabLruPercpuMapUpdateElem(cpu, key, value, flags, onallcpus);
        }
    }

    /** htab_map_update_elem (HASH, spec 5.4). */
    public Errno htabMapUpdateElem(int cpu, byte[] key, byte[] value, long mapFlags) {
        return htabMapUpdateElem(cpu, key, value, mapFlags, null);
    }

    /**
     * htab_map_update_elem; {@code inner} is the inner map a hash_of_maps element gets (6.14 path: the element is
     * replaced like a HASH element), already counted by the caller; the new element takes over that reference.
     */
    private Errno htabMapUpdateElem(int cpu, byte[] key, byte[] value, long mapFlags, BpfMap inner) {
        if (Long.compareUnsigned(mapFlags & ~BPF_F_LOCK, BPF_EXIST) > 0) {
            return fail(Errno.EINVAL, "update flags must be BPF_ANY, BPF_NOEXIST or BPF_EXIST (+F_LOCK)");
        }
        int hash = htabMapHash(key);
        int b = selectBucket(hash);
        if ((mapFlags & BPF_F_LOCK) != 0) {
            if (!hasSpinLock()) {
                return fail(Errno.EINVAL, "BPF_F_LOCK without a bpf_spin_lock in the value");
            }
            // Lockless first try: an existing element is updated in place under its own spin lock.
            int lOld = lookupNullsElemRaw(b, hash, key);
            Errno ret = checkFlags(lOld, mapFlags);
            if (ret != Errno.OK) {
                return fail(ret, ret == Errno.EEXIST ? "key exists (BPF_NOEXIST)" : "key absent (BPF_EXIST)");
            }
            if (lOld >= 0) {
                copyMapValueLocked(lOld, value, cpu);
                return Errno.OK;
            }
        }
        Errno ret = htabLockBucket(b, cpu);
        if (ret != Errno.OK) {
            return ret;
        }
        int lOld = lookupElemRaw(b, hash, key);
        ret = checkFlags(lOld, mapFlags);
        if (ret != Errno.OK) {
            htabUnlockBucket(b, cpu);
            return fail(ret, ret == Errno.EEXIST ? "key exists (BPF_NOEXIST)" : "key absent (BPF_EXIST)");
        }
        if (lOld >= 0 && (mapFlags & BPF_F_LOCK) != 0) {
            copyMapValueLocked(lOld, value, cpu);
            htabUnlockBucket(b, cpu);
            return Errno.OK;
        }
        int lNew = allocHtabElem(cpu, key, value, hash, false, lOld);
        if (lNew < 0) {
            htabUnlockBucket(b, cpu);
            return allocError;
        }
        if (inner != null) {
            mapInMap.store(lNew, inner);
        }
        // Publish the new element before unlinking the old one: a concurrent reader finds one of them.
        linkHead(b, lNew);
        BpfMap oldInner = null;
        if (lOld >= 0) {
            unlink(b, lOld);
            if (prealloc) {
                if (mapInMap != null) {
                    // the old inner map is put after the unlock (it may take locks of its own)
                    oldInner = mapInMap.take(lOld);
                }
                boolean guardExtra = profile.guardsExtraElemReentry();
                if (guardExtra) {
                    freelist.setExtraInUse(cpu, true);
                }
                // The old element is already the CPU's spare: its fields must go before anyone reuses it.
                checkAndFreeFields(lOld, CancelReason.REPLACE, cpu);
                if (guardExtra) {
                    freelist.setExtraInUse(cpu, false);
                }
            }
        }
        htabUnlockBucket(b, cpu);
        if (oldInner != null) {
            oldInner.bpfMapPut();
        }
        if (lOld >= 0 && !prealloc) {
            freeHtabElem(cpu, lOld, CancelReason.REPLACE);
        }
        return Errno.OK;
    }

    /** __htab_percpu_map_update_elem (PERCPU_HASH, spec 5.4): existing elements are written in place. */
    public Errno htabPercpuMapUpdateElem(int cpu, byte[] key, byte[] value, long mapFlags, boolean onallcpus) {
        if (Long.compareUnsigned(mapFlags, BPF_EXIST) > 0) {
            return fail(Errno.EINVAL, "update flags must be BPF_ANY, BPF_NOEXIST or BPF_EXIST");
        }
        int hash = htabMapHash(key);
        int b = selectBucket(hash);
        Errno ret = htabLockBucket(b, cpu);
        if (ret != Errno.OK) {
            return ret;
        }
        int lOld = lookupElemRaw(b, hash, key);
        ret = checkFlags(lOld, mapFlags);
        if (ret != Errno.OK) {
            htabUnlockBucket(b, cpu);
            return fail(ret, ret == Errno.EEXIST ? "key exists (BPF_NOEXIST)" : "key absent (BPF_EXIST)");
        }
        if (lOld >= 0) {
            pcpuCopyValue(lOld, value, onallcpus, cpu);
        } else {
            int lNew = allocHtabElem(cpu, key, value, hash, onallcpus, -1);
            if (lNew < 0) {
                htabUnlockBucket(b, cpu);
                return allocError;
            }
            linkHead(b, lNew);
        }
        htabUnlockBucket(b, cpu);
        return Errno.OK;
    }

    // ---------------------------------------------------------------------------------------------------------
    // hash_of_maps (an fd htab): each value is an inner map, held by the element

    /** Make this map a map of maps with {@code m}'s template (right after creation, before any operation). */
    void attachMapInMap(MapInMap m) {
        if (type != MapType.HASH_OF_MAPS) {
            throw new IllegalStateException("only a hash_of_maps map has inner maps");
        }
        this.mapInMap = m;
    }

    MapInMap mapInMap() {
        return mapInMap;
    }

    /** The inner map element {@code elem} refers to (what a program's lookup returns), or null. */
    BpfMap innerMap(int elem) {
        return mapInMap == null ? null : mapInMap.ref(elem);
    }

    /**
     * bpf_fd_htab_map_update_elem once map_fd_get_ptr has taken {@code inner}'s reference: {@code inner} becomes the
     * value of {@code key}. 6.18 (htab_map_update_elem_in_place): an existing element stays where it is and its
     * pointer is swapped under the bucket lock; a new key takes an element from the freelist (no extra elements).
     * 6.14 (htab_map_update_elem): the element is replaced as in a HASH map. Either way the replaced inner map is put
     * after the unlock. On failure the reference is still the caller's to put.
     */
    Errno fdHtabMapUpdateElem(int cpu, byte[] key, BpfMap inner, long mapFlags) {
        byte[] value = MapInMap.idValue(inner);
        if (!profile.fdHtabUpdatesInPlace()) {
            return htabMapUpdateElem(cpu, key, value, mapFlags, inner);
        }
        if (Long.compareUnsigned(mapFlags, BPF_EXIST) > 0) {
            return fail(Errno.EINVAL, "update flags must be BPF_ANY, BPF_NOEXIST or BPF_EXIST");
        }
        int hash = htabMapHash(key);
        int b = selectBucket(hash);
        Errno ret = htabLockBucket(b, cpu);
        if (ret != Errno.OK) {
            return ret;
        }
        int lOld = lookupElemRaw(b, hash, key);
        ret = checkFlags(lOld, mapFlags);
        if (ret != Errno.OK) {
            htabUnlockBucket(b, cpu);
            return fail(ret, ret == Errno.EEXIST ? "key exists (BPF_NOEXIST)" : "key absent (BPF_EXIST)");
        }
        BpfMap oldInner = null;
        if (lOld >= 0) {
            // In place: a concurrent lookup sees the old or the new inner map, never a missing key.
            oldInner = mapInMap.take(lOld);
            copyValueIn(lOld, 0, value, 0, valueSize, -1);
            mapInMap.store(lOld, inner);
        } else {
            int lNew = allocHtabElem(cpu, key, value, hash, false, -1);
            if (lNew < 0) {
                htabUnlockBucket(b, cpu);
                return allocError;
            }
            mapInMap.store(lNew, inner);
            linkHead(b, lNew);
        }
        htabUnlockBucket(b, cpu);
        if (oldInner != null) {
            oldInner.bpfMapPut();
        }
        return Errno.OK;
    }

    // ---------------------------------------------------------------------------------------------------------
    // LRU paths (spec 9.10). The LRU is reached only through BpfLru; nodes are element indices.

    /** prealloc_lru_pop: a node from the LRU (may evict), counted and keyed; -1 when none (ENOMEM). */
    int preallocLruPop(int cpu, byte[] key, int hash) {
        // Evictions run inside the pop, on this CPU: they lock buckets as this CPU.
        int outer = lruOpCpu;
        lruOpCpu = cpu;
        int node;
        try {
            node = bpfLru.bpfLruPopFree(cpu, hash);
        } finally {
            lruOpCpu = outer;
        }
        if (node < 0) {
            return -1;
        }
        incElemCount();
        store.setKey(node, key);
        store.setHash(node, hash);
        return node;
    }

    /** htab_lru_push_free: release fields, uncount, give the node back to the LRU. */
    void htabLruPushFree(int cpu, int elem) {
        htabLruPushFree(cpu, elem, CancelReason.DELETE);
    }

    /** {@link #htabLruPushFree(int, int)} saying why the element goes (for the release events). */
    void htabLruPushFree(int cpu, int elem, CancelReason reason) {
        checkAndFreeFields(elem, reason, cpu);
        decElemCount();
        bpfLru.bpfLruPushFree(cpu, elem);
    }

    /** htab_lru_map_update_elem (LRU_HASH): pop before the lookup, so even a failing update may evict. */
    public Errno htabLruMapUpdateElem(int cpu, byte[] key, byte[] value, long mapFlags) {
        if (Long.compareUnsigned(mapFlags, BPF_EXIST) > 0) {
            return fail(Errno.EINVAL, "update flags must be BPF_ANY, BPF_NOEXIST or BPF_EXIST");
        }
        int hash = htabMapHash(key);
        int b = selectBucket(hash);
        // The LRU lock must never be taken under a bucket lock, so the node is obtained first.
        int lNew = preallocLruPop(cpu, key, hash);
        if (lNew < 0) {
            return fail(Errno.ENOMEM, "no LRU node could be obtained");
        }
        copyValueIn(lNew, 0, value, 0, valueSize, -1);
        Errno ret = htabLockBucket(b, cpu);
        if (ret != Errno.OK) {
            htabLruPushFree(cpu, lNew);
            return ret;
        }
        int lOld = lookupElemRaw(b, hash, key);
        ret = checkFlags(lOld, mapFlags);
        if (ret != Errno.OK) {
            htabUnlockBucket(b, cpu);
            htabLruPushFree(cpu, lNew); // evictions done by the pop stay done
            return fail(ret, ret == Errno.EEXIST ? "key exists (BPF_NOEXIST)" : "key absent (BPF_EXIST)");
        }
        linkHead(b, lNew);
        if (lOld >= 0) {
            bpfLru.bpfLruNodeSetRef(lNew);
            unlink(b, lOld);
        }
        htabUnlockBucket(b, cpu);
        if (lOld >= 0) {
            htabLruPushFree(cpu, lOld, CancelReason.REPLACE);
        }
        return Errno.OK;
    }

    /** __htab_lru_percpu_map_update_elem (LRU_PERCPU_HASH): BPF_EXIST never pops, so never evicts. */
    public Errno htabLruPercpuMapUpdateElem(int cpu, byte[] key, byte[] value, long mapFlags, boolean onallcpus) {
        if (Long.compareUnsigned(mapFlags, BPF_EXIST) > 0) {
            return fail(Errno.EINVAL, "update flags must be BPF_ANY, BPF_NOEXIST or BPF_EXIST");
        }
        int hash = htabMapHash(key);
        int b = selectBucket(hash);
        int lNew = -1;
        if (mapFlags != BPF_EXIST) {
            lNew = preallocLruPop(cpu, key, hash);
            if (lNew < 0) {
                return fail(Errno.ENOMEM, "no LRU node could be obtained");
            }
        }
        Errno ret = htabLockBucket(b, cpu);
        if (ret == Errno.OK) {
            int lOld = lookupElemRaw(b, hash, key);
            ret = checkFlags(lOld, mapFlags);
            if (ret == Errno.OK) {
                if (lOld >= 0) {
                    bpfLru.bpfLruNodeSetRef(lOld);
                    pcpuCopyValue(lOld, value, onallcpus, cpu);
                } else {
                    pcpuInitValue(lNew, value, onallcpus, cpu);
                    linkHead(b, lNew);
                    lNew = -1;
                }
            }
            htabUnlockBucket(b, cpu);
        }
        if (lNew >= 0) {
            decElemCount();
            bpfLru.bpfLruPushFree(cpu, lNew);
        }
        if (ret != Errno.OK) {
            return fail(ret, ret == Errno.EEXIST ? "key exists (BPF_NOEXIST)" : "key absent (BPF_EXIST)");
        }
        return Errno.OK;
    }

    /**
     * htab_lru_map_delete_node: the LRU's eviction callback. Unlink {@code node} if it is still in the chain its
     * hash designates.
     */
    boolean htabLruMapDeleteNode(int node, int hash) {
        int b = selectBucket(hash);
        int cpu = lruOpCpu; // eviction runs inside the pop of an operation on this CPU
        if (htabLockBucket(b, cpu) != Errno.OK) {
            return false;
        }
        boolean found = false;
        for (int n = buckets.head(b); !Buckets.isNulls(n); n = store.next(n)) {
            if (n == node) {
                unlink(b, node);
                decElemCount();
                found = true;
                break;
            }
        }
        htabUnlockBucket(b, cpu);
        if (found) {
            checkAndFreeFields(node, CancelReason.EVICT, cpu);
        }
        return found;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Delete, lookup-and-delete

    /** htab_map_delete_elem / htab_lru_map_delete_elem. */
    public Errno htabMapDeleteElem(int cpu, byte[] key) {
        int hash = htabMapHash(key);
        int b = selectBucket(hash);
        Errno ret = htabLockBucket(b, cpu);
        if (ret != Errno.OK) {
            return ret;
        }
        int l = lookupElemRaw(b, hash, key);
        if (l >= 0) {
            unlink(b, l);
        }
        htabUnlockBucket(b, cpu);
        if (l < 0) {
            return fail(Errno.ENOENT, "key absent");
        }
        freeElem(cpu, l);
        return Errno.OK;
    }

    private void freeElem(int cpu, int elem) {
        if (lru) {
            htabLruPushFree(cpu, elem);
        } else {
            freeHtabElem(cpu, elem);
        }
    }

    /**
     * __htab_map_lookup_and_delete_elem: copy the value as a syscall lookup would, unlink, free.
     *
     * @return the value, or null (ENOENT)
     */
    public byte[] htabMapLookupAndDeleteElem(int cpu, byte[] key, long flags) {
        ValueResult r = htabMapLookupAndDeleteElemResult(cpu, key, flags);
        return r.isOk() ? r.value() : null;
    }

    /** {@link #htabMapLookupAndDeleteElem} with the errno (ENOENT, or the bucket lock's failure). */
    public ValueResult htabMapLookupAndDeleteElemResult(int cpu, byte[] key, long flags) {
        int hash = htabMapHash(key);
        int b = selectBucket(hash);
        Errno locked = htabLockBucket(b, cpu);
        if (locked != Errno.OK) {
            return ValueResult.error(locked);
        }
        int l = lookupElemRaw(b, hash, key);
        byte[] value = null;
        if (l >= 0) {
            value = copyValueOut(l, cpu, flags);
            unlink(b, l);
        }
        htabUnlockBucket(b, cpu);
        if (l < 0) {
            fail(Errno.ENOENT, "key absent");
            return ValueResult.error(Errno.ENOENT);
        }
        freeElem(cpu, l);
        return ValueResult.ok(value);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Iteration

    /**
     * htab_map_get_next_key (spec 4.4).
     *
     * @param key the current key, or null for the first
     * @return the element holding the next key, or -1 (ENOENT)
     */
    public int htabMapGetNextKey(byte[] key) {
        int i = 0;
        if (key != null) {
            int hash = htabMapHash(key);
            int b = selectBucket(hash);
            int l = lookupNullsElemRaw(b, hash, key);
            if (l >= 0) {
                int nxt = store.next(l);
                if (!Buckets.isNulls(nxt)) {
                    return nxt;
                }
                i = b + 1;
            }
            // an absent key restarts the walk from the first bucket
        }
        for (; i < nBuckets; i++) {
            int head = buckets.head(i);
            if (!Buckets.isNulls(head)) {
                return head;
            }
        }
        return -1;
    }

    /**
     * htab_map_lookup_batch (spec 5.9).
     *
     * @param inBatch the u32 bucket index read from in_batch, or -1 when no in_batch was given
     * @param count   the requested count (u32)
     */
    public BatchResult htabMapLookupBatch(int cpu, long inBatch, long count, long elemFlags, long flags) {
        return lookupAndDeleteBatch(cpu, inBatch, count, elemFlags, flags, false);
    }

    /** htab_map_lookup_and_delete_batch: {@link #htabMapLookupBatch} that also unlinks and frees what it returns. */
    public BatchResult htabMapLookupAndDeleteBatch(int cpu, long inBatch, long count, long elemFlags, long flags) {
        return lookupAndDeleteBatch(cpu, inBatch, count, elemFlags, flags, true);
    }

    /** __htab_map_lookup_and_delete_batch, the shared body of both batch lookups. */
    BatchResult lookupAndDeleteBatch(int cpu, long inBatch, long count, long elemFlags, long flags,
                                     boolean doDelete) {
        if ((elemFlags & ~BPF_F_LOCK) != 0 || ((elemFlags & BPF_F_LOCK) != 0 && !hasSpinLock())) {
            fail(Errno.EINVAL, "batch elem_flags other than BPF_F_LOCK, or F_LOCK without a spin lock");
            return BatchResult.untouched(Errno.EINVAL, count);
        }
        if (flags != 0) {
            fail(Errno.EINVAL, "batch flags must be 0");
            return BatchResult.untouched(Errno.EINVAL, count);
        }
        if (count == 0) {
            return BatchResult.untouched(Errno.OK, 0);
        }
        // From here the kernel has written count := 0.
        long batch = inBatch < 0 ? 0 : inBatch;
        if (batch >= nBuckets) {
            fail(Errno.ENOENT, "in_batch bucket " + batch + " >= n_buckets " + nBuckets);
            return new BatchResult(Errno.ENOENT, 0, null, List.of(), List.of(), null);
        }
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        long total = 0;
        Errno ret = Errno.OK;
        while (true) {
            int b = (int) batch;
            int bucketCnt = buckets.chainLength(store, b);
            if (bucketCnt > 0) {
                // The lock is taken only for a non-empty bucket; the count is then taken again under it.
                Errno lockRet = htabLockBucket(b, cpu);
                if (lockRet != Errno.OK) {
                    ret = lockRet;
                    break;
                }
                bucketCnt = buckets.chainLength(store, b);
                if (bucketCnt > count - total) {
                    if (total == 0) {
                        ret = fail(Errno.ENOSPC, "bucket " + b + " holds " + bucketCnt + " > count " + count);
                    }
                    htabUnlockBucket(b, cpu);
                    break;
                }
                int[] toFree = doDelete ? new int[bucketCnt] : null;
                int k = 0;
                for (int l = buckets.head(b); !Buckets.isNulls(l); ) {
                    int nxt = store.next(l);
                    keys.add(store.key(l));
                    values.add(copyValueOut(l, cpu, elemFlags));
                    if (doDelete) {
                        unlink(b, l);
                        toFree[k] = l;
                    }
                    k++;
                    l = nxt;
                }
                htabUnlockBucket(b, cpu);
                if (doDelete) {
                    // Freed after unlocking, in reverse chain order (the kernel chains them tail-first).
                    for (int j = bucketCnt - 1; j >= 0; j--) {
                        freeElem(cpu, toFree[j]);
                    }
                }
            }
            total += bucketCnt;
            batch++;
            if (batch >= nBuckets) {
                ret = Errno.ENOENT;
                break;
            }
        }
        return new BatchResult(ret, total, BatchResult.cursor(batch), keys, values, null);
    }

    /**
     * generic_map_update_batch: one syscall update per item with {@code elemFlags}, stopping at the first error.
     */
    public BatchResult genericMapUpdateBatch(int cpu, List<byte[]> keys, List<byte[]> values, long elemFlags) {
        return genericMapUpdateBatch(cpu, keys, values, elemFlags, (c, k, v, f) -> update(c, k, v, f, true));
    }

    /** One item of generic_map_update_batch: bpf_map_update_value for the map's type. */
    @FunctionalInterface
    interface ItemUpdate {
        Errno update(int cpu, byte[] key, byte[] value, long flags);
    }

    /** generic_map_update_batch with {@code item} doing each update (a map of maps resolves descriptors there). */
    BatchResult genericMapUpdateBatch(int cpu, List<byte[]> keys, List<byte[]> values, long elemFlags,
                                      ItemUpdate item) {
        long requested = keys.size();
        if ((elemFlags & ~BPF_F_LOCK) != 0 || ((elemFlags & BPF_F_LOCK) != 0 && !hasSpinLock())) {
            fail(Errno.EINVAL, "batch elem_flags must be 0 or BPF_F_LOCK (with a spin lock)");
            return BatchResult.untouched(Errno.EINVAL, requested);
        }
        if (requested == 0) {
            return BatchResult.untouched(Errno.OK, 0);
        }
        int cp;
        Errno err = Errno.OK;
        for (cp = 0; cp < requested; cp++) {
            err = item.update(cpu, keys.get(cp), values.get(cp), elemFlags);
            if (err != Errno.OK) {
                break;
            }
        }
        return new BatchResult(err, cp, null, List.of(), List.of(), null);
    }

    /** generic_map_delete_batch: one delete per key, stopping at the first error. */
    public BatchResult genericMapDeleteBatch(int cpu, List<byte[]> keys, long elemFlags) {
        long requested = keys.size();
        if ((elemFlags & ~BPF_F_LOCK) != 0 || ((elemFlags & BPF_F_LOCK) != 0 && !hasSpinLock())) {
            fail(Errno.EINVAL, "batch elem_flags must be 0 or BPF_F_LOCK (with a spin lock)");
            return BatchResult.untouched(Errno.EINVAL, requested);
        }
        if (requested == 0) {
            return BatchResult.untouched(Errno.OK, 0);
        }
        int cp;
        Errno err = Errno.OK;
        for (cp = 0; cp < requested; cp++) {
            err = htabMapDeleteElem(cpu, keys.get(cp));
            if (err != Errno.OK) {
                break;
            }
        }
        return new BatchResult(err, cp, null, List.of(), List.of(), null);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Nulls race

    /** Start a step-wise lockless lookup of {@code key} on {@code cpu} (see {@link ChainWalker}). */
    public ChainWalker beginLookup(int cpu, byte[] key) {
        int hash = htabMapHash(key);
        return new ChainWalker(this, cpu, key.clone(), hash, selectBucket(hash));
    }

    Buckets buckets() {
        return buckets;
    }

    ElemStore store() {
        return store;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Memory usage (spec 2.5)

    /** htab_map_mem_usage: the memlock figure of the map's fdinfo (non-preallocated maps charge per live element). */
    @Override
    public long memlock() {
        return geometry.memoryUsage(count);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Read-only state (HtabState)

    @Override
    public MapType type() {
        return type;
    }

    @Override
    public int keySize() {
        return keySize;
    }

    @Override
    public int valueSize() {
        return valueSize;
    }

    @Override
    public long maxEntries() {
        return maxEntries;
    }

    @Override
    public int mapFlags() {
        return mapFlags;
    }

    @Override
    public int nBuckets() {
        return nBuckets;
    }

    @Override
    public long elemSize() {
        return elemSize;
    }

    @Override
    public long numEntries() {
        return numEntries;
    }

    @Override
    public int hashrnd() {
        return hashrnd;
    }

    @Override
    public int possibleCpus() {
        return nrCpus;
    }

    @Override
    public int valueStride() {
        return valueStride;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int elemSlots() {
        return store.size();
    }

    @Override
    public int[] chain(int bucket) {
        return buckets.chain(store, bucket);
    }

    @Override
    public int chainEndMarker(int bucket) {
        return buckets.chainEndMarker(store, bucket);
    }

    @Override
    public int bucketHeadLink(int bucket) {
        return buckets.head(bucket);
    }

    @Override
    public int elemNextLink(int elem) {
        return store.next(elem);
    }

    @Override
    public byte[] elemKey(int elem) {
        return store.key(elem);
    }

    @Override
    public int elemHash(int elem) {
        return store.hash(elem);
    }

    @Override
    public int elemBucket(int elem) {
        return selectBucket(store.hash(elem));
    }

    @Override
    public byte[] elemValue(int elem) {
        return store.value(elem, 0, valueStride);
    }

    @Override
    public boolean elemAllocated(int elem) {
        return store.isAllocated(elem);
    }

    @Override
    public int[] freelist(int cpu) {
        return freelist == null ? new int[0] : freelist.list(cpu);
    }

    @Override
    public int extra(int cpu) {
        return freelist == null ? -1 : freelist.extra(cpu);
    }

    /** The LRU of an LRU map (for the LRU views), else null. */
    public BpfLru lru() {
        return bpfLru;
    }

    // ---------------------------------------------------------------------------------------------------------

    static long round8(long x) {
        return (x + 7) & ~7L;
    }
}
