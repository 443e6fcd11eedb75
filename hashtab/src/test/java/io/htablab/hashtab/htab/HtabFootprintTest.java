package io.htablab.hashtab.htab;

import static io.htablab.hashtab.htab.TestMaps.u32;
import static io.htablab.hashtab.htab.TestMaps.u64;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Memory per element and allocation on the hot paths (no listener attached). */
class HtabFootprintTest {

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return mx.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void preallocatedMillionEntryHashStaysUnder80BytesPerElement() {
        HtabAttr attr = new HtabAttr(MapType.HASH, 4, 8, 1 << 20, 0);
        MapOptions o = TestMaps.opts(2).withMemoryLimit(1L << 30);
        long before = allocatedBytes();
        CreateResult r = BpfMap.create(attr, o);
        long used = allocatedBytes() - before;
        assertThat(r.errno()).isEqualTo(Errno.OK);
        assertThat(used / (double) (1 << 20)).as("bytes allocated per element").isLessThanOrEqualTo(80.0);
        assertThat(r.map().state().numEntries()).isEqualTo((1 << 20) + 2);
    }

    @Test
    void lookupAndUpdateAllocateNothingWithoutListeners() {
        BpfMap m = TestMaps.create(MapType.HASH, 4, 8, 1024, 0);
        byte[][] keys = new byte[512][];
        byte[] value = u64(7);
        for (int i = 0; i < keys.length; i++) {
            keys[i] = u32(i);
            m.update(0, keys[i], value, 0);
        }
        byte[] out = new byte[8];
        // warm up so that the JIT has compiled the paths
        for (int round = 0; round < 200; round++) {
            for (byte[] k : keys) {
                m.lookup(0, k, out, 0);
                m.progLookup(1, k, out);
                m.update(round & 1, k, value, ElemFlag.BPF_EXIST);
            }
        }
        int hits = 0;
        long before = allocatedBytes();
        for (int round = 0; round < 50; round++) {
            for (byte[] k : keys) {
                hits += m.lookup(0, k, out, 0) == Errno.OK ? 1 : 0;
                m.progLookup(1, k, out);
                m.update(round & 1, k, value, ElemFlag.BPF_EXIST);
            }
        }
        long used = allocatedBytes() - before;
        assertThat(hits).isEqualTo(50 * 512);
        // 76,800 operations; allow a few kilobytes for assertion objects and JIT-unrelated noise.
        assertThat(used).as("bytes allocated by 76,800 hot-path operations").isLessThan(16 * 1024);
    }
}
