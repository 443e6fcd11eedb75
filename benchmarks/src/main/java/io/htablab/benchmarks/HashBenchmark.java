package io.htablab.benchmarks;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.MapType;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The engine issue's matrix: a preallocated 4B/8B HASH map of {@code size} max_entries filled to 75%, single
 * thread, keys in a pre-shuffled random order (one array index advanced per call), against
 * {@link ConcurrentHashMap} and {@link HashMap} holding the same keys as {@link ByteKey}s, with values copied
 * out into the caller's buffer on lookup and into a fresh array on update, as the kernel copies them.
 *
 * <p>Each (benchmark, size, kind) runs in its own forked JVM, so the {@link Subject} call site only ever sees
 * one implementation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class HashBenchmark {

    @Param({"1024", "65536", "1048576"})
    public int size;

    @Param({"engine", "concurrentHashMap", "hashMap"})
    public String kind;

    private Subject subject;
    private int n;
    private int hitIdx;
    private int missIdx;
    private int updIdx;
    private int churnIdx;
    private final byte[] out = new byte[Engine.VALUE_SIZE];

    @Setup(Level.Trial)
    public void setup() {
        n = size / 4 * 3;
        byte[][] present = Keys.range(0, n);
        byte[][] hit = Keys.shuffled(present, Keys.SEED);
        byte[][] miss = Keys.shuffled(Keys.range(n, n), Keys.SEED + 1);
        switch (kind) {
            case "engine":
                subject = new EngineSubject(size, present, hit, miss);
                break;
            case "concurrentHashMap":
                subject = new JavaMapSubject(new ConcurrentHashMap<>(size), present, hit, miss);
                break;
            case "hashMap":
                subject = new JavaMapSubject(new HashMap<>(size), present, hit, miss);
                break;
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
        // Sanity: every hit key hits and every miss key misses before anything is measured.
        for (int i = 0; i < n; i++) {
            if (subject.lookupHit(i, out) != 1 || subject.lookupMiss(i, out) != 0) {
                throw new IllegalStateException(kind + ": key set broken at " + i);
            }
        }
    }

    private static int advance(int i, int n) {
        int next = i + 1;
        return next == n ? 0 : next;
    }

    @Benchmark
    public int lookupHit() {
        hitIdx = advance(hitIdx, n);
        return subject.lookupHit(hitIdx, out);
    }

    @Benchmark
    public int lookupMiss() {
        missIdx = advance(missIdx, n);
        return subject.lookupMiss(missIdx, out);
    }

    @Benchmark
    public int updateExisting() {
        updIdx = advance(updIdx, n);
        return subject.updateExisting(updIdx);
    }

    /** One delete of a present key followed by the insert of that key again: the map stays 75% full. */
    @Benchmark
    public int updateDeleteChurn() {
        churnIdx = advance(churnIdx, n);
        return subject.churn(churnIdx);
    }

    /** One map under test; each method returns 1 on success / hit and 0 otherwise. */
    abstract static class Subject {
        abstract int lookupHit(int i, byte[] out);

        abstract int lookupMiss(int i, byte[] out);

        abstract int updateExisting(int i);

        abstract int churn(int i);
    }

    static final class EngineSubject extends Subject {
        private final BpfMap map;
        private final byte[][] hit;
        private final byte[][] miss;
        private final byte[] value = Keys.value(7);

        EngineSubject(int maxEntries, byte[][] present, byte[][] hit, byte[][] miss) {
            this.map = Engine.create(MapType.HASH, maxEntries);
            for (int i = 0; i < present.length; i++) {
                Engine.check(map.update(0, present[i], Keys.value(i), ElemFlag.BPF_NOEXIST), "fill");
            }
            this.hit = hit;
            this.miss = miss;
        }

        @Override
        int lookupHit(int i, byte[] out) {
            return map.lookup(0, hit[i], out, 0).isOk() ? 1 : 0;
        }

        @Override
        int lookupMiss(int i, byte[] out) {
            return map.lookup(0, miss[i], out, 0).isOk() ? 1 : 0;
        }

        @Override
        int updateExisting(int i) {
            return map.update(0, hit[i], value, ElemFlag.BPF_ANY).isOk() ? 1 : 0;
        }

        @Override
        int churn(int i) {
            byte[] k = hit[i];
            return (map.delete(0, k).isOk() ? 1 : 0) & (map.update(0, k, value, ElemFlag.BPF_ANY).isOk() ? 1 : 0);
        }
    }

    static final class JavaMapSubject extends Subject {
        private final Map<ByteKey, byte[]> map;
        private final ByteKey[] hit;
        private final ByteKey[] miss;
        private final byte[] value = Keys.value(7);

        JavaMapSubject(Map<ByteKey, byte[]> map, byte[][] present, byte[][] hit, byte[][] miss) {
            this.map = map;
            ByteKey[] presentKeys = Keys.wrap(present);
            for (int i = 0; i < present.length; i++) {
                map.put(presentKeys[i], Keys.value(i));
            }
            // The access-order keys are distinct objects (and arrays) equal to the stored ones, as a caller's are.
            this.hit = Keys.wrapCopies(hit);
            this.miss = Keys.wrapCopies(miss);
        }

        private static int copyOut(byte[] v, byte[] out) {
            if (v == null) {
                return 0;
            }
            System.arraycopy(v, 0, out, 0, out.length);
            return 1;
        }

        @Override
        int lookupHit(int i, byte[] out) {
            return copyOut(map.get(hit[i]), out);
        }

        @Override
        int lookupMiss(int i, byte[] out) {
            return copyOut(map.get(miss[i]), out);
        }

        @Override
        int updateExisting(int i) {
            return map.put(hit[i], value.clone()) != null ? 1 : 0;
        }

        @Override
        int churn(int i) {
            ByteKey k = hit[i];
            return (map.remove(k) != null ? 1 : 0) & (map.put(k, value.clone()) == null ? 1 : 0);
        }
    }
}
