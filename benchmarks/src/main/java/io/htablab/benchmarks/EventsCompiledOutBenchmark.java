package io.htablab.benchmarks;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.MapType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What event support costs a map nobody listens to, measured on the engine itself: the same HASH and LRU_HASH
 * operations run once in a normal JVM ({@code *WithEventCode}) and once in a JVM started with
 * {@code -Dhtablab.events=compiled-out} ({@code *EventsCompiledOut}), where every event site is a constant
 * {@code false} that the JIT removes. Equal scores mean a listener-free map pays nothing for events.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class EventsCompiledOutBenchmark {

    @Param({"1024", "1048576"})
    public int size;

    @Param({"HASH", "LRU_HASH"})
    public MapType type;

    private BpfMap map;
    private byte[][] hit;
    private byte[][] fresh;
    private int n;
    private int hitIdx;
    private int freshIdx;
    private final byte[] out = new byte[Engine.VALUE_SIZE];
    private final byte[] value = Keys.value(7);

    @Setup(Level.Trial)
    public void setup() {
        n = size / 4 * 3;
        byte[][] present = Keys.range(0, n);
        hit = Keys.shuffled(present, Keys.SEED);
        fresh = Keys.shuffled(Keys.range(n, size), Keys.SEED + 1);
        map = Engine.create(type, size);
        for (int i = 0; i < n; i++) {
            Engine.check(map.update(0, present[i], Keys.value(i), ElemFlag.BPF_NOEXIST), "fill");
        }
    }

    private int lookup() {
        int i = hitIdx + 1 == n ? 0 : hitIdx + 1;
        hitIdx = i;
        return map.progLookup(0, hit[i], out).ordinal();
    }

    /** HASH: replace an existing key (extra-element swap); LRU: a key that may have been evicted (pop + maybe evict). */
    private int update() {
        int i = freshIdx + 1 == fresh.length ? 0 : freshIdx + 1;
        freshIdx = i;
        byte[] key = type == MapType.HASH ? hit[i % n] : fresh[i];
        return map.update(0, key, value, ElemFlag.BPF_ANY).ordinal();
    }

    @Benchmark
    @Fork(1)
    public int lookupWithEventCode() {
        return lookup();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dhtablab.events=compiled-out")
    public int lookupEventsCompiledOut() {
        return lookup();
    }

    @Benchmark
    @Fork(1)
    public int updateWithEventCode() {
        return update();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dhtablab.events=compiled-out")
    public int updateEventsCompiledOut() {
        return update();
    }
}
