package io.htablab.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.MapType;
import java.util.ArrayList;
import java.util.List;
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
 * The LRU issue's matrix: a 4B/8B LRU_HASH (common LRU, 2 possible CPUs, all operations on CPU 0) of
 * {@code size} max_entries, filled with {@code size} keys, against Caffeine {@code maximumSize(size)}.
 * <ul>
 *   <li>{@code progLookupHit}: bpf_map_lookup_elem from a program (sets the node's ref bit) / Caffeine get;</li>
 *   <li>{@code syscallLookupHit}: BPF_MAP_LOOKUP_ELEM (no ref bit) / the same Caffeine get;</li>
 *   <li>{@code updateWithEviction}: a key not in the map into the full map (BPF_ANY), which evicts / Caffeine put
 *       of a new key (value copied into a fresh array).</li>
 * </ul>
 * New keys come from a stream twice the map's size, so a key comes round again only long after it was evicted.
 * Kind {@code caffeine} is the builder exactly as the issue names it, whose eviction work runs on
 * ForkJoinPool.commonPool (another core); {@code caffeineSameThread} adds {@code executor(Runnable::run)} so
 * that, like the engine, all work is done by the measured thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class LruBenchmark {

    @Param({"1024", "65536", "1048576"})
    public int size;

    @Param({"engine", "caffeine", "caffeineSameThread"})
    public String kind;

    private BpfMap map;
    private Cache<ByteKey, byte[]> cache;
    private byte[][] hit;
    private ByteKey[] hitWrapped;
    private byte[][] fresh;
    private ByteKey[] freshWrapped;
    private int hitIdx;
    private int freshIdx;
    private final byte[] out = new byte[Engine.VALUE_SIZE];
    private final byte[] value = Keys.value(7);

    @Setup(Level.Trial)
    public void setup() {
        byte[][] fill = Keys.range(0, size);
        byte[][] stream = Keys.range(size, 2 * size);
        List<byte[]> present = new ArrayList<>();
        if (kind.equals("engine")) {
            map = Engine.create(MapType.LRU_HASH, size);
            for (int i = 0; i < size; i++) {
                Engine.check(map.update(0, fill[i], Keys.value(i), ElemFlag.BPF_ANY), "fill");
            }
            for (byte[] k : fill) {
                if (map.lookup(0, k, out, 0).isOk()) {
                    present.add(k);
                }
            }
            fresh = stream;
        } else {
            Caffeine<Object, Object> b = Caffeine.newBuilder().maximumSize(size);
            if (kind.equals("caffeineSameThread")) {
                b = b.executor(Runnable::run);
            } else if (!kind.equals("caffeine")) {
                throw new IllegalArgumentException("unknown kind " + kind);
            }
            cache = b.build();
            ByteKey[] wrapped = Keys.wrap(fill);
            for (int i = 0; i < size; i++) {
                cache.put(wrapped[i], Keys.value(i));
            }
            cache.cleanUp();
            for (int i = 0; i < size; i++) {
                if (cache.getIfPresent(wrapped[i]) != null) {
                    present.add(fill[i]);
                }
            }
            freshWrapped = Keys.wrap(stream);
        }
        if (present.size() < size / 2) {
            throw new IllegalStateException(kind + ": only " + present.size() + " of " + size + " keys stayed");
        }
        hit = Keys.shuffled(present.toArray(new byte[0][]), Keys.SEED);
        hitWrapped = Keys.wrapCopies(hit);
    }

    private static int advance(int i, int n) {
        int next = i + 1;
        return next == n ? 0 : next;
    }

    private int cacheGet() {
        byte[] v = cache.getIfPresent(hitWrapped[hitIdx]);
        if (v == null) {
            return 0;
        }
        System.arraycopy(v, 0, out, 0, out.length);
        return 1;
    }

    @Benchmark
    public int progLookupHit() {
        hitIdx = advance(hitIdx, hit.length);
        if (map != null) {
            return map.progLookup(0, hit[hitIdx], out).ordinal();
        }
        return cacheGet();
    }

    @Benchmark
    public int syscallLookupHit() {
        hitIdx = advance(hitIdx, hit.length);
        if (map != null) {
            return map.lookup(0, hit[hitIdx], out, 0).ordinal();
        }
        return cacheGet();
    }

    @Benchmark
    public int updateWithEviction() {
        if (map != null) {
            freshIdx = advance(freshIdx, fresh.length);
            return map.update(0, fresh[freshIdx], value, ElemFlag.BPF_ANY).ordinal();
        }
        freshIdx = advance(freshIdx, freshWrapped.length);
        cache.put(freshWrapped[freshIdx], value.clone());
        return 1;
    }
}
