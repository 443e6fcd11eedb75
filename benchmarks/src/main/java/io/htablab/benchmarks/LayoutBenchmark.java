package io.htablab.benchmarks;

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
 * Experiment behind the recommended engine fix: HASH lookup hit (same keys, order and fill as
 * {@link HashBenchmark}) on the engine's current structure-of-arrays layout ({@link FlatHashBaseline}: separate
 * next/hash/keys/values arrays) against one interleaved element region ({@link FlatAosPrototype}). Neither has
 * event code, so the difference is the layout alone.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class LayoutBenchmark {

    @Param({"1024", "65536", "1048576"})
    public int size;

    @Param({"splitArrays", "interleaved"})
    public String layout;

    private FlatHashBaseline split;
    private FlatAosPrototype interleaved;
    private byte[][] hit;
    private int n;
    private int idx;
    private final byte[] out = new byte[Engine.VALUE_SIZE];

    @Setup(Level.Trial)
    public void setup() {
        n = size / 4 * 3;
        byte[][] present = Keys.range(0, n);
        hit = Keys.shuffled(present, Keys.SEED);
        if (layout.equals("splitArrays")) {
            split = new FlatHashBaseline(size, Engine.HASH_SEED);
            for (int i = 0; i < n; i++) {
                split.update(present[i], Keys.value(i));
            }
        } else {
            interleaved = new FlatAosPrototype(size, Engine.HASH_SEED);
            for (int i = 0; i < n; i++) {
                interleaved.insert(present[i], Keys.value(i));
            }
        }
        for (byte[] k : hit) {
            if (lookup(k) != 0) {
                throw new IllegalStateException(layout + ": a present key missed");
            }
        }
    }

    private int lookup(byte[] key) {
        return split != null ? split.lookup(key, out) : interleaved.lookup(key, out);
    }

    @Benchmark
    public int lookupHit() {
        int i = idx + 1;
        idx = i == n ? 0 : i;
        return lookup(hit[idx]);
    }
}
