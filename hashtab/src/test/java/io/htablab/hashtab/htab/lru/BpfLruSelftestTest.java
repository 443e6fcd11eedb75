package io.htablab.hashtab.htab.lru;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_EXIST;
import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_NOEXIST;
import static io.htablab.hashtab.htab.lru.LruTestTable.EEXIST;
import static io.htablab.hashtab.htab.lru.LruTestTable.EINVAL;
import static io.htablab.hashtab.htab.lru.LruTestTable.ENOENT;
import static io.htablab.hashtab.htab.lru.LruTestTable.keysOf;
import static io.htablab.hashtab.htab.lru.LruTestTable.range;
import static io.htablab.hashtab.htab.lru.LruTestTable.union;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The expectations of the kernel selftest test_lru_map.c (spec section 12), replayed through the
 * test table for LRU_HASH and LRU_PERCPU_HASH, common and per-CPU LRU, and several CPU counts. As in
 * the selftest, {@code tgtFree} is 128 for the common LRU and 4 for the per-CPU LRU, and map sizes
 * are derived from it; everything runs on CPU 0 except sanity5.
 */
class BpfLruSelftestTest {

    private static final int LOCAL_FREE_TARGET = 128;
    private static final int PERCPU_FREE_TARGET = 4;

    static Stream<Arguments> configs() {
        List<Arguments> out = new ArrayList<>();
        for (int cpus : new int[] {1, 2, 3, 4}) {
            for (boolean percpuHash : new boolean[] {false, true}) {
                for (boolean noCommon : new boolean[] {false, true}) {
                    out.add(Arguments.of(cpus, percpuHash, noCommon));
                }
            }
        }
        return out.stream();
    }

    private static int tgtFree(boolean noCommon) {
        return noCommon ? PERCPU_FREE_TARGET : LOCAL_FREE_TARGET;
    }

    /** The selftest's inverse of target_free = (size / P) / 2. */
    private static int mapSizeFor(int tgtFree, int cpus) {
        return tgtFree * cpus * 2;
    }

    private static void ok(LruTestTable t, int err, String what) {
        assertThat(err).as(what).isZero();
        assertThat(t.lru.checkInvariants(t::isLinked)).as("invariants after " + what).isEmpty();
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity0_flagsAndOneReferencedKeySurvives(int cpus, boolean percpuHash, boolean noCommon) {
        LruTestTable t = new LruTestTable(noCommon ? 2 * cpus : 2, cpus, percpuHash, noCommon);
        ok(t, t.update(1, BPF_NOEXIST), "insert 1");
        assertThat(t.update(1, BPF_NOEXIST)).isEqualTo(EEXIST);
        assertThat(t.update(1, -1)).isEqualTo(EINVAL);
        assertThat(t.lookup(2)).isFalse();
        assertThat(t.update(2, BPF_EXIST)).isEqualTo(ENOENT);
        ok(t, t.update(2, BPF_NOEXIST), "insert 2");
        assertThat(t.lookup(3)).isFalse();
        assertThat(t.progLookup(1)).isTrue();
        ok(t, t.update(3, BPF_NOEXIST), "insert 3");
        assertThat(t.lookup(2)).as("2 evicted").isFalse();
        ok(t, t.delete(1), "lookup-and-delete 1");
        assertThat(t.keys()).isEqualTo(keysOf(3));
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity1_unreferencedRecycledBeforeReferenced(int cpus, boolean percpuHash, boolean noCommon) {
        assumeTrue(!noCommon, "common LRU only");
        int tgt = tgtFree(noCommon);
        int batch = tgt / 2;
        int base = mapSizeFor(tgt, cpus);
        LruTestTable t = new LruTestTable(base + batch, cpus, percpuHash, noCommon);
        for (long k = 1; k <= base; k++) {
            ok(t, t.update(k, BPF_NOEXIST), "fill " + k);
        }
        for (long k = 1; k <= batch; k++) {
            assertThat(t.progLookup(k)).isTrue();
        }
        for (long k = base + 1; k <= 2L * base; k++) {
            ok(t, t.update(k, BPF_NOEXIST), "insert " + k);
        }
        assertThat(t.keys()).isEqualTo(union(range(1, batch), range(base + 1, 2L * base)));
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity2_oldestFirstAndUpdateNeedingANodeShrinks(int cpus, boolean percpuHash, boolean noCommon) {
        assumeTrue(!noCommon, "common LRU only");
        int tgt = tgtFree(noCommon);
        int batch = tgt / 2;
        int base = mapSizeFor(tgt, cpus);
        LruTestTable t = new LruTestTable(base + batch, cpus, percpuHash, noCommon);
        for (long k = 1; k <= base; k++) {
            ok(t, t.update(k, BPF_NOEXIST), "fill " + k);
        }
        // The node needed by this update comes from a shrink that evicts the oldest keys, 1 included.
        if (percpuHash) {
            ok(t, t.update(1, BPF_NOEXIST), "reinsert 1");
            ok(t, t.delete(1), "delete 1");
        } else {
            assertThat(t.update(1, BPF_EXIST)).isEqualTo(ENOENT);
        }
        for (long k = 1; k <= batch; k++) {
            assertThat(t.lookup(k)).as("key %d evicted", k).isFalse();
            ok(t, t.update(k, BPF_NOEXIST), "reinsert " + k);
            assertThat(t.progLookup(k)).isTrue();
        }
        long key = base + 1;
        for (; key < base + 1 + batch; key++) {
            ok(t, t.update(key, BPF_NOEXIST), "unreferenced " + key);
        }
        long end = key + base;
        for (; key < end; key++) {
            ok(t, t.update(key, BPF_NOEXIST), "insert " + key);
        }
        assertThat(t.keys()).isEqualTo(union(range(1, batch), range(base + 1 + batch, end - 1)));
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity3_referencingAllButLastBatchReplacesExactlyThem(int cpus, boolean percpuHash, boolean noCommon) {
        assumeTrue(!noCommon, "common LRU only");
        int batch = (tgtFree(noCommon) / cpus) / 2;
        assumeTrue(batch > 0, "more CPUs than the target gives a refill for");
        int size = mapSizeFor(batch, cpus);
        LruTestTable t = new LruTestTable(size, cpus, percpuHash, noCommon);
        assertThat(t.lru.targetFree()).isEqualTo(batch);
        for (long k = 1; k <= size; k++) {
            ok(t, t.update(k, BPF_NOEXIST), "fill " + k);
        }
        for (long k = 1; k <= size - batch; k++) {
            assertThat(t.progLookup(k)).isTrue();
        }
        for (long k = size + 1; k <= size + batch; k++) {
            ok(t, t.update(k, BPF_NOEXIST), "insert " + k);
        }
        assertThat(t.keys()).isEqualTo(union(range(1, size - batch), range(size + 1, size + batch)));
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity4_deletion(int cpus, boolean percpuHash, boolean noCommon) {
        int tgt = tgtFree(noCommon);
        int size = noCommon ? 3 * tgt * cpus : 3 * mapSizeFor(tgt, cpus);
        LruTestTable t = new LruTestTable(size, cpus, percpuHash, noCommon);
        for (long k = 1; k <= 2L * tgt; k++) {
            ok(t, t.update(k, BPF_NOEXIST), "insert " + k);
        }
        assertThat(t.update(1, BPF_NOEXIST)).isEqualTo(EEXIST);
        for (long k = 1; k <= tgt; k++) {
            assertThat(t.progLookup(k)).isTrue();
        }
        for (long k = tgt + 1; k <= 2L * tgt; k++) {
            ok(t, t.delete(k), "delete " + k);
            assertThat(t.delete(k)).isEqualTo(ENOENT);
        }
        for (long k = 2L * tgt + 1; k <= 4L * tgt; k++) {
            ok(t, t.update(k, BPF_NOEXIST), "insert " + k);
        }
        assertThat(t.evicted).isEmpty();
        assertThat(t.keys()).isEqualTo(union(range(1, tgt), range(2L * tgt + 1, 4L * tgt)));
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity5_oneEntryMapUsedFromEachCpuInTurn(int cpus, boolean percpuHash, boolean noCommon) {
        assumeTrue(!noCommon, "common LRU only");
        LruTestTable t = new LruTestTable(1, cpus, percpuHash, noCommon);
        long key = 0;
        ok(t, t.onCpu(0).update(key, BPF_NOEXIST), "insert 0");
        for (int c = 0; c < cpus; c++) {
            t.onCpu(c);
            assertThat(t.progLookup(key)).as("last key %d visible on cpu %d", key, c).isTrue();
            ok(t, t.update(key + 1, BPF_NOEXIST), "insert " + (key + 1) + " on cpu " + c);
            assertThat(t.progLookup(key + 1)).isTrue();
            assertThat(t.lookup(key)).as("key %d evicted", key).isFalse();
            key++;
        }
        assertThat(t.keys()).isEqualTo(keysOf(cpus));
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity6_refreshedKeysSurviveRotation(int cpus, boolean percpuHash, boolean noCommon) {
        assumeTrue(noCommon, "per-CPU LRU only");
        int tgt = tgtFree(noCommon);
        LruTestTable t = new LruTestTable(2 * tgt * cpus, cpus, percpuHash, noCommon);
        long key = 1;
        for (; key <= tgt; key++) {
            ok(t, t.update(key, BPF_NOEXIST), "insert " + key);
        }
        for (; key <= 2L * tgt; key++) {
            for (long stable = 1; stable <= tgt; stable++) {
                assertThat(t.progLookup(stable)).isTrue();
            }
            ok(t, t.update(key, BPF_NOEXIST), "insert " + key);
        }
        for (; key <= 3L * tgt; key++) {
            ok(t, t.update(key, BPF_NOEXIST), "insert " + key);
        }
        assertThat(t.keys()).isEqualTo(union(range(1, tgt), range(2L * tgt + 1, 3L * tgt)));
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity7_syscallLookupDoesNotProtect(int cpus, boolean percpuHash, boolean noCommon) {
        LruTestTable t = twoKeys(cpus, percpuHash, noCommon);
        assertThat(t.progLookup(1)).isTrue();
        assertThat(t.lookup(2)).isTrue();
        ok(t, t.update(3, BPF_NOEXIST), "insert 3");
        assertThat(t.keys()).isEqualTo(keysOf(1, 3));
    }

    @ParameterizedTest(name = "P={0} percpuHash={1} noCommon={2}")
    @MethodSource("configs")
    void sanity8_programLookupProtects(int cpus, boolean percpuHash, boolean noCommon) {
        LruTestTable t = twoKeys(cpus, percpuHash, noCommon);
        assertThat(t.lookup(1)).isTrue();
        assertThat(t.progLookup(2)).isTrue();
        ok(t, t.update(3, BPF_NOEXIST), "insert 3");
        assertThat(t.keys()).isEqualTo(keysOf(2, 3));
    }

    private static LruTestTable twoKeys(int cpus, boolean percpuHash, boolean noCommon) {
        LruTestTable t = new LruTestTable(noCommon ? 2 * cpus : 2, cpus, percpuHash, noCommon);
        ok(t, t.update(1, BPF_NOEXIST), "insert 1");
        assertThat(t.update(1, BPF_NOEXIST)).isEqualTo(EEXIST);
        assertThat(t.update(2, BPF_EXIST)).isEqualTo(ENOENT);
        ok(t, t.update(2, BPF_NOEXIST), "insert 2");
        assertThat(t.lookup(3)).isFalse();
        Set<Long> before = t.keys();
        assertThat(before).isEqualTo(keysOf(1, 2));
        return t;
    }
}
