package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.FieldEvent;
import io.htablab.hashtab.htab.event.FreelistEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.event.MapEvent;
import io.htablab.visualizer.model.fields.MapTypes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The visualizer's picture of one map, built only by folding the engine's events in order. It never
 * asks the engine anything, so any earlier state can be rebuilt by refolding (or from a copy).
 *
 * <p>Links use the engine's encoding: an element index ({@code >= 0}) or {@code ~marker} for the nulls
 * marker that ends a chain (the marker value is the bucket index the chain belongs to).
 */
public final class MapModel {
    public static final int NONE = -1;

    private MapEvent.MapCreated geometry;
    private int count;

    // chains
    private int[] bucketHead = new int[0];
    private int[] elemNext = new int[0];
    private int[] elemHash = new int[0];
    private byte[][] elemKey = new byte[0][];
    /** Copy-on-write: a ValueCopied replaces the array, so copies of the model may share them. */
    private byte[][] elemValue = new byte[0][];
    private byte[] elemLoc = new byte[0];
    private int[] elemWhere = new int[0];
    private int elemSlots;

    // per-CPU freelist and extras
    private int[] freeHead = new int[0];
    private int[] freeSize = new int[0];
    private int[] freeNext = new int[0];
    private int[] extra = new int[0];

    /** Locked buckets and the CPU holding each. */
    private Map<Integer, Integer> locks = new LinkedHashMap<>();
    /** Failed acquisitions still relevant (their operation runs), by bucket. */
    private Map<Integer, CpuState.LockFailure> lockFailures = new LinkedHashMap<>();
    /** The key/value C types, when the session knows them (null otherwise). */
    private MapTypes types;
    /** Operations interrupted by a nested one on this map (a program run inside a held lock), outermost first. */
    private List<OpContext> outerOps = List.of();

    private LruModel lru;

    /** Bumped by every change of chains (link, unlink, creation) and of values: cheap "did it change" checks. */
    private long structureVersion;
    private long valueVersion;
    private OpContext op = OpContext.IDLE;
    private ReaderState reader = ReaderState.NONE;

    /** An inconsistency between the stream and this model (should stay empty). */
    private List<String> anomalies = new ArrayList<>();

    public MapModel copy() {
        MapModel m = new MapModel();
        m.geometry = geometry;
        m.count = count;
        m.bucketHead = bucketHead.clone();
        m.elemNext = elemNext.clone();
        m.elemHash = elemHash.clone();
        m.elemKey = elemKey.clone();
        m.elemValue = elemValue.clone();
        m.elemLoc = elemLoc.clone();
        m.elemWhere = elemWhere.clone();
        m.elemSlots = elemSlots;
        m.freeHead = freeHead.clone();
        m.freeSize = freeSize.clone();
        m.freeNext = freeNext.clone();
        m.extra = extra.clone();
        m.locks = new LinkedHashMap<>(locks);
        m.lockFailures = new LinkedHashMap<>(lockFailures);
        m.types = types;
        m.outerOps = outerOps;
        m.lru = lru == null ? null : lru.copy();
        m.op = op;
        m.structureVersion = structureVersion;
        m.valueVersion = valueVersion;
        m.reader = reader;
        m.anomalies = new ArrayList<>(anomalies);
        return m;
    }

    // ------------------------------------------------------------------ folding

    public void apply(HtabEvent event, Actor actor) {
        if (event instanceof MapEvent e) {
            applyMap(e);
        } else if (event instanceof BucketEvent e) {
            applyBucket(e, actor);
        } else if (event instanceof FreelistEvent e) {
            applyFreelist(e);
        } else if (event instanceof LruEvent e) {
            if (e instanceof LruEvent.Populated p) {
                lru = new LruModel(p);
            } else if (lru != null) {
                lru.apply(e);
            }
            if (e instanceof LruEvent.EvictAttempted ev && ev.evicted()) {
                op = op.withEvicted(ev.node());
            }
        } else if (event instanceof FieldEvent) {
            // special fields are not drawn yet
        }
        if (actor == Actor.MAIN) {
            op = op.withLast(event);
        }
    }

    private void applyMap(MapEvent e) {
        if (e instanceof MapEvent.MapCreated c) {
            create(c);
        } else if (e instanceof MapEvent.OpStarted s) {
            if (op.running()) {
                // a nested operation (a program fired inside this one): the outer one resumes after it
                List<OpContext> outer = new ArrayList<>(outerOps);
                outer.add(op);
                outerOps = List.copyOf(outer);
            }
            op = OpContext.started(s.op(), s.cpu(), s.key());
        } else if (e instanceof MapEvent.OpFinished f) {
            op = op.finished(f.result());
            if (!outerOps.isEmpty()) {
                op = outerOps.get(outerOps.size() - 1);
                outerOps = List.copyOf(outerOps.subList(0, outerOps.size() - 1));
            }
        } else if (e instanceof MapEvent.CounterChanged c) {
            count = c.count();
        } else if (e instanceof MapEvent.ElemAllocated a) {
            ensureElems(a.elem() + 1);
            elemLoc[a.elem()] = (byte) ElemLocation.IN_FLIGHT.ordinal();
            elemWhere[a.elem()] = NONE;
        } else if (e instanceof MapEvent.ElemFreed f) {
            if (f.elem() < elemSlots) {
                elemLoc[f.elem()] = (byte) ElemLocation.UNALLOCATED.ordinal();
                elemWhere[f.elem()] = NONE;
            }
        } else if (e instanceof MapEvent.ValueCopied v) {
            ensureElems(v.elem() + 1);
            int stride = geometry == null ? v.offset() + v.bytes().length : geometry.valueStride();
            byte[] old = elemValue[v.elem()];
            byte[] now = new byte[Math.max(stride, v.offset() + v.bytes().length)];
            if (old != null) {
                System.arraycopy(old, 0, now, 0, Math.min(old.length, now.length));
            }
            System.arraycopy(v.bytes(), 0, now, v.offset(), v.bytes().length);
            elemValue[v.elem()] = now;
            valueVersion++;
            op = op.withWritten(v.elem());
        } else if (e instanceof MapEvent.Error err) {
            op = op.withError(err.errno(), err.reason());
        }
    }

    private void create(MapEvent.MapCreated c) {
        structureVersion++;
        valueVersion++;
        geometry = c;
        count = 0;
        bucketHead = new int[c.nBuckets()];
        for (int b = 0; b < bucketHead.length; b++) {
            bucketHead[b] = ~b;
        }
        int p = c.possibleCpus();
        freeHead = new int[p];
        Arrays.fill(freeHead, NONE);
        freeSize = new int[p];
        extra = new int[p];
        Arrays.fill(extra, NONE);
        elemSlots = 0;
        int initial = (int) Math.min(c.numEntries(), Integer.MAX_VALUE - 8);
        resizeElems(Math.max(initial, 16));
        if (c.prealloc()) {
            elemSlots = initial;
            // preallocated elements exist from the start; their first home arrives as freelist/LRU events
            Arrays.fill(elemLoc, 0, initial, (byte) (c.type().isLru() ? ElemLocation.LRU : ElemLocation.IN_FLIGHT)
                    .ordinal());
        }
        locks = new LinkedHashMap<>();
        lockFailures = new LinkedHashMap<>();
        outerOps = List.of();
        lru = null;
        op = OpContext.IDLE;
        reader = ReaderState.NONE;
    }

    private void applyBucket(BucketEvent e, Actor actor) {
        if (e instanceof BucketEvent.HashComputed h) {
            if (actor == Actor.READER) {
                reader = ReaderState.begin(h.key(), h.hash(), h.bucket(), bucketHead[h.bucket()]);
            } else {
                op = op.withHash(h.key(), h.seed(), h.hash(), h.bucket());
            }
        } else if (e instanceof BucketEvent.BucketLocked l) {
            // an eviction's lock reports no CPU (-1): it runs inside this map's operation, on its CPU
            locks.put(l.bucket(), l.cpu() >= 0 ? l.cpu() : Math.max(0, op.cpu()));
        } else if (e instanceof BucketEvent.BucketUnlocked u) {
            locks.remove(u.bucket());
        } else if (e instanceof BucketEvent.NodeVisited v) {
            if (actor == Actor.READER) {
                reader = reader.visit(v.bucket(), v.elem(), v.keyMatch(), elemNext[v.elem()]);
            } else {
                op = op.withVisit(v.bucket(), v.elem(), v.hashMatch(), v.keyMatch());
            }
        } else if (e instanceof BucketEvent.NullsReached n) {
            if (actor == Actor.READER) {
                reader = reader.nulls(n.bucket(), n.marker(), n.restart(), bucketHead[n.bucket()]);
            } else {
                op = op.withNulls(n.bucket(), n.marker(), n.restart());
            }
        } else if (e instanceof BucketEvent.ElemLinked l) {
            link(l.bucket(), l.elem(), l.key(), l.hash());
            op = op.withLinked(l.elem());
        } else if (e instanceof BucketEvent.ElemUnlinked u) {
            unlink(u.bucket(), u.elem());
            op = op.withUnlinked(u.elem());
        }
    }

    private void link(int bucket, int elem, byte[] key, int hash) {
        structureVersion++;
        ensureElems(elem + 1);
        elemNext[elem] = bucketHead[bucket];
        bucketHead[bucket] = elem;
        elemKey[elem] = key;
        elemHash[elem] = hash;
        elemLoc[elem] = (byte) ElemLocation.BUCKET.ordinal();
        elemWhere[elem] = bucket;
    }

    private void unlink(int bucket, int elem) {
        structureVersion++;
        if (bucketHead[bucket] == elem) {
            bucketHead[bucket] = elemNext[elem];
        } else {
            int p = bucketHead[bucket];
            int guard = 0;
            while (p >= 0 && elemNext[p] != elem && guard++ <= elemSlots) {
                p = elemNext[p];
            }
            if (p >= 0 && elemNext[p] == elem) {
                elemNext[p] = elemNext[elem];
            } else {
                anomalies.add("unlink of e" + elem + " not found in bucket " + bucket);
            }
        }
        // the element keeps its own next link: a lockless reader standing on it walks on from there
        for (int c = 0; c < extra.length; c++) {
            if (extra[c] == elem) {
                // a replacing update parked the old element as this CPU's extra before unlinking it
                elemLoc[elem] = (byte) ElemLocation.EXTRA.ordinal();
                elemWhere[elem] = c;
                return;
            }
        }
        elemLoc[elem] = (byte) (isLru() ? ElemLocation.LRU : ElemLocation.IN_FLIGHT).ordinal();
        elemWhere[elem] = NONE;
    }

    private void applyFreelist(FreelistEvent e) {
        if (e instanceof FreelistEvent.Pop p) {
            if (freeHead[p.listCpu()] != p.elem()) {
                anomalies.add("pop of e" + p.elem() + " but CPU " + p.listCpu() + "'s head is e"
                        + freeHead[p.listCpu()]);
            }
            freeHead[p.listCpu()] = freeNext[p.elem()];
            freeNext[p.elem()] = NONE;
            freeSize[p.listCpu()]--;
            elemLoc[p.elem()] = (byte) ElemLocation.IN_FLIGHT.ordinal();
            elemWhere[p.elem()] = NONE;
            op = op.withFreelist(p.elem(), p.listCpu(), false);
        } else if (e instanceof FreelistEvent.Push p) {
            ensureElems(p.elem() + 1);
            freeNext[p.elem()] = freeHead[p.listCpu()];
            freeHead[p.listCpu()] = p.elem();
            freeSize[p.listCpu()]++;
            elemLoc[p.elem()] = (byte) ElemLocation.FREELIST.ordinal();
            elemWhere[p.elem()] = p.listCpu();
            op = op.withFreelist(p.elem(), p.listCpu(), true);
        } else if (e instanceof FreelistEvent.ExtraInit x) {
            extra[x.cpu()] = x.elem();
            elemLoc[x.elem()] = (byte) ElemLocation.EXTRA.ordinal();
            elemWhere[x.elem()] = x.cpu();
        } else if (e instanceof FreelistEvent.ExtraSwap s) {
            extra[s.cpu()] = s.oldElem();
            if (elemLoc[s.newElem()] == ElemLocation.EXTRA.ordinal()) {
                elemLoc[s.newElem()] = (byte) ElemLocation.IN_FLIGHT.ordinal();
                elemWhere[s.newElem()] = NONE;
            }
            if (elemLoc[s.oldElem()] != ElemLocation.BUCKET.ordinal()) {
                elemLoc[s.oldElem()] = (byte) ElemLocation.EXTRA.ordinal();
                elemWhere[s.oldElem()] = s.cpu();
            }
            op = op.withFreelist(s.oldElem(), s.cpu(), true);
        }
    }

    private void ensureElems(int n) {
        if (n > elemSlots) {
            if (n > elemNext.length) {
                resizeElems(Math.max(n, elemNext.length * 2));
            }
            elemSlots = n;
        }
    }

    private void resizeElems(int cap) {
        int old = elemNext.length;
        elemNext = Arrays.copyOf(elemNext, cap);
        elemHash = Arrays.copyOf(elemHash, cap);
        elemKey = Arrays.copyOf(elemKey, cap);
        elemValue = Arrays.copyOf(elemValue, cap);
        elemLoc = Arrays.copyOf(elemLoc, cap);
        elemWhere = Arrays.copyOf(elemWhere, cap);
        freeNext = Arrays.copyOf(freeNext, cap);
        for (int i = old; i < cap; i++) {
            elemNext[i] = ~0;
            elemWhere[i] = NONE;
            freeNext[i] = NONE;
        }
    }

    void setTypes(MapTypes t) {
        types = t == null || geometry == null ? null : t.fitting(geometry.keySize(), geometry.valueSize());
    }

    void lockFailed(CpuState.LockFailure f) {
        lockFailures.put(f.bucket(), f);
    }

    void clearLockFailure(int cpu) {
        lockFailures.values().removeIf(f -> f.cpu() == cpu);
    }

    // ------------------------------------------------------------------ read-only accessors

    /** The map's scenario name ("" when it has none or does not exist yet). */
    public String name() {
        return geometry == null ? "" : geometry.name();
    }

    /** The id the engine gave the map, or -1 before MapCreated. */
    public int id() {
        return geometry == null ? -1 : geometry.mapId();
    }

    /** The key/value C types when known (maps from C declarations or with btf_key/btf_value), else null. */
    public MapTypes types() {
        return types;
    }

    /** The key as C would write it when its type is known ({@code {.pid=7, .port=80}}), else hex. */
    public String keyText(byte[] key) {
        return types == null || !types.hasKey() ? Hex.of(key) : types.keyText(key);
    }

    /** Failed bucket-lock acquisitions of running operations, by bucket. */
    public Map<Integer, CpuState.LockFailure> lockFailures() {
        return java.util.Collections.unmodifiableMap(lockFailures);
    }

    public boolean exists() {
        return geometry != null;
    }

    public MapEvent.MapCreated geometry() {
        return geometry;
    }

    public MapType type() {
        return geometry == null ? null : geometry.type();
    }

    public boolean isLru() {
        return geometry != null && geometry.type().isLru();
    }

    public boolean isPercpu() {
        return geometry != null && geometry.type().isPercpu();
    }

    public boolean isPrealloc() {
        return geometry != null && geometry.prealloc();
    }

    public int nBuckets() {
        return bucketHead.length;
    }

    public int possibleCpus() {
        return geometry == null ? 0 : geometry.possibleCpus();
    }

    public int count() {
        return count;
    }

    public int elemSlots() {
        return elemSlots;
    }

    public int bucketHeadLink(int bucket) {
        return bucketHead[bucket];
    }

    public int elemNextLink(int elem) {
        return elemNext[elem];
    }

    /** Bucket's chain, head first, following the links (stops after elemSlots steps on a cycle). */
    public int[] chain(int bucket) {
        int n = 0;
        int[] out = new int[4];
        for (int p = bucketHead[bucket]; p >= 0 && n <= elemSlots; p = elemNext[p]) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = p;
        }
        return Arrays.copyOf(out, n);
    }

    public int chainLength(int bucket) {
        int n = 0;
        for (int p = bucketHead[bucket]; p >= 0 && n <= elemSlots; p = elemNext[p]) {
            n++;
        }
        return n;
    }

    /** The nulls marker value at the end of the chain starting at {@code link}. */
    public int chainEndMarker(int bucket) {
        int p = bucketHead[bucket];
        int guard = 0;
        while (p >= 0 && guard++ <= elemSlots) {
            p = elemNext[p];
        }
        return p < 0 ? ~p : NONE;
    }

    public byte[] elemKey(int elem) {
        return elemKey[elem];
    }

    public int elemHash(int elem) {
        return elemHash[elem];
    }

    /** The element's value area (valueStride bytes), or null if nothing was ever written. */
    public byte[] elemValue(int elem) {
        return elemValue[elem];
    }

    /** CPU {@code cpu}'s slot of a per-CPU value, or the whole value of a plain map ({@code valueSize} bytes). */
    public byte[] elemValueSlot(int elem, int cpu) {
        byte[] v = elemValue[elem];
        if (v == null || geometry == null) {
            return null;
        }
        int size = geometry.valueSize();
        int off = isPercpu() ? cpu * (int) roundUp8(size) : 0;
        if (off + size > v.length) {
            return null;
        }
        return Arrays.copyOfRange(v, off, off + size);
    }

    public ElemLocation elemLocation(int elem) {
        return ElemLocation.values()[elemLoc[elem]];
    }

    /** The bucket (BUCKET) or CPU (FREELIST, EXTRA) the element is at, else -1. */
    public int elemWhere(int elem) {
        return elemWhere[elem];
    }

    public int[] freelist(int cpu) {
        int[] out = new int[Math.max(0, freeSize[cpu])];
        int n = 0;
        for (int p = freeHead[cpu]; p >= 0 && n < out.length; p = freeNext[p]) {
            out[n++] = p;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    public int freelistSize(int cpu) {
        return freeSize[cpu];
    }

    public int extra(int cpu) {
        return extra[cpu];
    }

    public Map<Integer, Integer> locks() {
        return java.util.Collections.unmodifiableMap(locks);
    }

    public LruModel lru() {
        return lru;
    }

    public OpContext op() {
        return op;
    }

    /** Changes whenever a chain changes (views use it to skip redrawing what did not change). */
    public long structureVersion() {
        return structureVersion;
    }

    /** Changes whenever a value is written. */
    public long valueVersion() {
        return valueVersion;
    }

    public ReaderState reader() {
        return reader;
    }

    public List<String> anomalies() {
        return java.util.Collections.unmodifiableList(anomalies);
    }

    /** The kernel's memlock figure for this map at the current count. */
    public long memlock() {
        if (geometry == null) {
            return 0;
        }
        io.htablab.hashtab.htab.HtabAttr attr = new io.htablab.hashtab.htab.HtabAttr(geometry.type(),
                geometry.keySize(), geometry.valueSize(), geometry.maxEntries(), geometry.mapFlags());
        io.htablab.hashtab.htab.HtabGeometry g = io.htablab.hashtab.htab.HtabGeometry.compute(attr,
                geometry.possibleCpus());
        return g.isOk() ? g.memoryUsage(count) : 0;
    }

    static long roundUp8(long n) {
        return (n + 7) & ~7L;
    }

    /** A canonical text of the whole state, for equality checks in tests. */
    public String fingerprint() {
        StringBuilder sb = new StringBuilder();
        sb.append(geometry).append(" count=").append(count).append('\n');
        for (int b = 0; b < bucketHead.length; b++) {
            sb.append('b').append(b).append(':').append(bucketHead[b]);
        }
        sb.append('\n');
        for (int e = 0; e < elemSlots; e++) {
            sb.append('e').append(e).append(' ').append(elemNext[e]).append(' ').append(elemHash[e]).append(' ')
                    .append(Hex.of(elemKey[e])).append(' ').append(Hex.of(elemValue[e])).append(' ')
                    .append(elemLoc[e]).append(' ').append(elemWhere[e]).append(' ').append(freeNext[e])
                    .append('\n');
        }
        sb.append(Arrays.toString(freeHead)).append(Arrays.toString(freeSize)).append(Arrays.toString(extra))
                .append(locks).append(lockFailures).append(outerOps.size()).append('\n');
        sb.append(types == null ? "untyped" : types.key() + " / " + types.value()).append('\n');
        if (lru != null) {
            sb.append(lru.fingerprint());
        }
        sb.append(op).append('\n').append(reader);
        return sb.toString();
    }
}
