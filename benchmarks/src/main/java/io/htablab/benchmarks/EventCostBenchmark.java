package io.htablab.benchmarks;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.HtabEvent;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * What events cost: the HASH lookup-hit and update-existing paths of {@link HashBenchmark} with
 * <ul>
 *   <li>{@code none}: no listener (the map's sink list is empty);</li>
 *   <li>{@code disabledSink}: one listener whose {@code enabled()} is false, so every event site runs its test
 *       through a real sink but builds nothing;</li>
 *   <li>{@code countingSink}: one enabled listener that counts events (the engine builds every event record);</li>
 *   <li>{@code noEventCode}: {@link FlatHashBaseline}, the same algorithm and layout with no event code at all,
 *       standing in for an engine compiled without events.</li>
 * </ul>
 * "No listener costs nothing" holds when {@code none} matches {@code noEventCode} within the noise; the gap
 * between them bounds what the event tests (and the API layer) cost.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class EventCostBenchmark {

    @Param({"1024", "1048576"})
    public int size;

    @Param({"none", "disabledSink", "countingSink", "noEventCode"})
    public String variant;

    private BpfMap map;
    private FlatHashBaseline flat;
    private CountingSink counting;
    private byte[][] hit;
    private int n;
    private int hitIdx;
    private int updIdx;
    private final byte[] out = new byte[Engine.VALUE_SIZE];
    private final byte[] value = Keys.value(7);

    /** An enabled listener that only counts. */
    static final class CountingSink implements EventSink {
        long events;

        @Override
        public void accept(HtabEvent event) {
            events++;
        }
    }

    /** A listener that is attached but asks for nothing. */
    static final class DisabledSink implements EventSink {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void accept(HtabEvent event) {
            throw new AssertionError("a disabled sink received an event");
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        n = size / 4 * 3;
        byte[][] present = Keys.range(0, n);
        hit = Keys.shuffled(present, Keys.SEED);
        if (variant.equals("noEventCode")) {
            flat = new FlatHashBaseline(size, Engine.HASH_SEED);
            for (int i = 0; i < n; i++) {
                if (flat.update(present[i], Keys.value(i)) != 0) {
                    throw new IllegalStateException("baseline fill failed at " + i);
                }
            }
            return;
        }
        map = Engine.create(MapType.HASH, size);
        for (int i = 0; i < n; i++) {
            Engine.check(map.update(0, present[i], Keys.value(i), ElemFlag.BPF_NOEXIST), "fill");
        }
        switch (variant) {
            case "none":
                break;
            case "disabledSink":
                map.addListener(new DisabledSink());
                break;
            case "countingSink":
                counting = new CountingSink();
                map.addListener(counting);
                break;
            default:
                throw new IllegalArgumentException("unknown variant " + variant);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (counting != null && counting.events == 0) {
            throw new IllegalStateException("the counting sink saw no events");
        }
    }

    private static int advance(int i, int n) {
        int next = i + 1;
        return next == n ? 0 : next;
    }

    @Benchmark
    public int lookupHit() {
        hitIdx = advance(hitIdx, n);
        if (flat != null) {
            return flat.lookup(hit[hitIdx], out);
        }
        return map.lookup(0, hit[hitIdx], out, 0).ordinal();
    }

    @Benchmark
    public int updateExisting() {
        updIdx = advance(updIdx, n);
        if (flat != null) {
            return flat.update(hit[updIdx], value);
        }
        return map.update(0, hit[updIdx], value, ElemFlag.BPF_ANY).ordinal();
    }
}
