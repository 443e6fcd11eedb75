package io.htablab.hashtab.htab;

import static io.htablab.hashtab.htab.TestMaps.create;
import static io.htablab.hashtab.htab.TestMaps.flags;
import static io.htablab.hashtab.htab.TestMaps.hex;
import static io.htablab.hashtab.htab.TestMaps.le;
import static io.htablab.hashtab.htab.TestMaps.u32;
import static io.htablab.hashtab.htab.TestMaps.u64;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worked examples of the spec (sections 2.5, 4.4/5.9, 8.1/8.2, 8.4, 5.10), one test each. */
class HtabWorkedExamplesTest {

    private static final int ZS = MapFlag.ZERO_SEED.bit();

    @Test
    void memlockExamplesOfSection2_5() {
        assertThat(create(MapType.HASH, 4, 8, 4, 0).memlock()).isEqualTo(1360);
        assertThat(create(MapType.HASH, 5, 3, 100, 0).memlock()).isEqualTo(9488);
        assertThat(create(MapType.PERCPU_HASH, 4, 12, 10, 0).memlock()).isEqualTo(2112);
        BpfMap dyn = create(MapType.HASH, 4, 4, 300, MapFlag.NO_PREALLOC.bit());
        for (int k = 0; k < 5; k++) {
            assertThat(dyn.update(0, u32(k), u32(k), 0)).isEqualTo(Errno.OK);
        }
        assertThat(dyn.memlock()).isEqualTo(9448);
    }

    /** The two LRU memlock examples need a map object; the LRU itself is another module's work. */
    @Test
    void memlockOfLruMapsByFormula() {
        // LRU k4 v4 max7: 832 + 16*8 + 64 + (48+8+8)*7 = 1472; rounded NO_COMMON_LRU max 8: + 64 more.
        long lru = 832 + 16 * 8 + 4 * 2 * 8 + (48 + 8 + 8) * 7;
        long lruPercpu = 832 + 16 * 8 + 4 * 2 * 8 + (48 + 8 + 8) * 8;
        assertThat(lru).isEqualTo(1472);
        assertThat(lruPercpu).isEqualTo(1536);
    }

    private BpfMap batchExampleMap() {
        BpfMap m = create(MapType.HASH, 4, 4, 8, ZS);
        for (int k : new int[] {1, 2, 3, 4, 5, 9, 12}) {
            assertThat(m.update(0, u32(k), u32(k * 10), 0)).isEqualTo(Errno.OK);
        }
        return m;
    }

    private static List<Long> keys(BatchResult r) {
        List<Long> out = new ArrayList<>();
        r.keys().forEach(k -> out.add(le(k)));
        return out;
    }

    @Test
    void batchWorkedExampleChainsAndIteration() {
        BpfMap m = batchExampleMap();
        HtabState s = m.state();
        int[][] chains = new int[8][];
        for (int b = 0; b < 8; b++) {
            chains[b] = s.chain(b);
        }
        assertThat(keysOf(s, chains[1])).containsExactly(4L);
        assertThat(keysOf(s, chains[2])).containsExactly(2L);
        assertThat(keysOf(s, chains[3])).containsExactly(1L);
        assertThat(keysOf(s, chains[5])).containsExactly(12L, 9L);
        assertThat(keysOf(s, chains[6])).containsExactly(5L);
        assertThat(keysOf(s, chains[7])).containsExactly(3L);
        List<Long> order = new ArrayList<>();
        byte[] k = null;
        while (true) {
            KeyResult r = m.getNextKey(0, k);
            if (!r.isOk()) {
                assertThat(r.errno()).isEqualTo(Errno.ENOENT);
                break;
            }
            order.add(le(r.key()));
            k = r.key();
        }
        assertThat(order).containsExactly(4L, 2L, 1L, 12L, 9L, 5L, 3L);
    }

    private static List<Long> keysOf(HtabState s, int[] elems) {
        List<Long> out = new ArrayList<>();
        for (int e : elems) {
            out.add(le(s.elemKey(e)));
        }
        return out;
    }

    @Test
    void batchWorkedExampleResults() {
        BpfMap m = batchExampleMap();
        BatchResult r = m.lookupBatch(0, null, 1, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.OK);
        assertThat(r.count()).isEqualTo(1);
        assertThat(keys(r)).containsExactly(4L);
        assertThat(r.outBucket()).isEqualTo(2);

        r = m.lookupBatch(0, null, 3, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.OK);
        assertThat(keys(r)).containsExactly(4L, 2L, 1L);
        assertThat(r.outBucket()).isEqualTo(5);

        r = m.lookupBatch(0, null, 10, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.count()).isEqualTo(7);
        assertThat(keys(r)).containsExactly(4L, 2L, 1L, 12L, 9L, 5L, 3L);
        assertThat(r.values()).extracting(TestMaps::le).containsExactly(40L, 20L, 10L, 120L, 90L, 50L, 30L);
        assertThat(r.outBucket()).isEqualTo(8);

        // chained with count=2
        r = m.lookupBatch(0, null, 2, 0, 0);
        assertThat(keys(r)).containsExactly(4L, 2L);
        assertThat(r.outBucket()).isEqualTo(3);
        r = m.lookupBatch(0, r.outBatch(), 2, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.OK);
        assertThat(keys(r)).containsExactly(1L);
        assertThat(r.outBucket()).isEqualTo(5);
        r = m.lookupBatch(0, r.outBatch(), 2, 0, 0);
        assertThat(keys(r)).containsExactly(12L, 9L);
        assertThat(r.outBucket()).isEqualTo(6);
        r = m.lookupBatch(0, r.outBatch(), 2, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(keys(r)).containsExactly(5L, 3L);
        assertThat(r.outBucket()).isEqualTo(8);

        r = m.lookupBatch(0, u32(5), 1, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOSPC);
        assertThat(r.count()).isZero();
        assertThat(r.outBucket()).isEqualTo(5);
        r = m.lookupBatch(0, u32(4), 1, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOSPC);
        assertThat(r.outBucket()).isEqualTo(5);
        r = m.lookupBatch(0, u32(8), 1, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.count()).isZero();
        assertThat(r.outBatch()).isNull();

        r = m.lookupBatch(0, null, 3, 4, 0);
        assertThat(r.errno()).isEqualTo(Errno.EINVAL);
        assertThat(r.count()).as("count untouched").isEqualTo(3);
        assertThat(r.outBatch()).isNull();
        r = m.lookupBatch(0, null, 3, 0, 1);
        assertThat(r.errno()).isEqualTo(Errno.EINVAL);
        assertThat(r.count()).isEqualTo(3);
        r = m.lookupBatch(0, null, 0, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.OK);
        assertThat(r.count()).isZero();
        assertThat(r.outBatch()).isNull();
    }

    @Test
    void batchOnEmptyMapEndsAtNBuckets() {
        BpfMap m = create(MapType.HASH, 4, 4, 8, ZS);
        BatchResult r = m.lookupBatch(0, null, 4, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.count()).isZero();
        assertThat(r.outBucket()).isEqualTo(8);
        assertThat(hex(r.outBatch())).isEqualTo("08000000");
    }

    @Test
    void lookupAndDeleteBatchFreesTailFirstOntoCurrentCpu() {
        BpfMap m = batchExampleMap();
        HtabState s = m.state();
        int[] bucket5 = s.chain(5); // [12, 9]
        BatchResult r = m.lookupAndDeleteBatch(1, u32(5), 2, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.OK);
        assertThat(keys(r)).containsExactly(12L, 9L);
        assertThat(r.outBucket()).isEqualTo(6);
        int[] fl1 = s.freelist(1);
        // freed in reverse chain order: 9's element first, then 12's, so 12's is the head
        assertThat(fl1[0]).isEqualTo(bucket5[0]);
        assertThat(fl1[1]).isEqualTo(bucket5[1]);
        assertThat(m.count()).isEqualTo(5);
    }

    /** Spec 8.1/8.2: HASH max 4, P=2: lists [e2,e1,e0] and [e5,e4,e3]; extras e2, e1; CPU0 left with [e0]. */
    @Test
    void freelistPopulationAndExtras() {
        BpfMap m = create(MapType.HASH, 4, 4, 4, 0);
        HtabState s = m.state();
        assertThat(s.extra(0)).isEqualTo(2);
        assertThat(s.extra(1)).isEqualTo(1);
        assertThat(s.freelist(0)).containsExactly(0);
        assertThat(s.freelist(1)).containsExactly(5, 4, 3);
    }

    @Test
    void extrasTakenFromTheCreatingCpuFirst() {
        CreateResult cr = BpfMap.create(new HtabAttr(MapType.HASH, 4, 4, 4, 0),
                TestMaps.opts(2).withCreatingCpu(1));
        HtabState s = cr.map().state();
        assertThat(s.extra(0)).isEqualTo(5);
        assertThat(s.extra(1)).isEqualTo(4);
        assertThat(s.freelist(0)).containsExactly(2, 1, 0);
        assertThat(s.freelist(1)).containsExactly(3);
    }

    @Test
    void percpuHashHasNoExtrasAndUnevenPopulation() {
        BpfMap m = create(MapType.PERCPU_HASH, 4, 4, 5, 0, 3);
        HtabState s = m.state();
        assertThat(s.freelist(0)).containsExactly(1, 0);
        assertThat(s.freelist(1)).containsExactly(3, 2);
        assertThat(s.freelist(2)).containsExactly(4);
        assertThat(s.extra(0)).isEqualTo(-1);
    }

    @Test
    void replacementSwapsWithTheCpuExtraWithoutFreelistTraffic() {
        BpfMap m = create(MapType.HASH, 4, 4, 4, ZS);
        HtabState s = m.state();
        m.update(0, u32(1), u32(1), 0); // pops e0 from CPU0
        int first = s.chain(s.elemBucket(0))[0];
        assertThat(first).isEqualTo(0);
        assertThat(m.update(1, u32(1), u32(2), 0)).isEqualTo(Errno.OK);
        // CPU1's extra (e1) now holds key 1, and e0 is CPU1's extra
        assertThat(s.extra(1)).isEqualTo(0);
        assertThat(s.chain(s.elemBucket(1))).contains(1);
        assertThat(s.freelist(0)).isEmpty();
        assertThat(s.freelist(1)).containsExactly(5, 4, 3);
        assertThat(m.count()).isEqualTo(1);
    }

    /**
     * Spec 8.4: PERCPU_HASH k4 v4 max4; A..D inserted on CPU0 with distinct padding, deleted A..D on CPU1, then
     * four program inserts on CPU0 reuse D's, C's, B's, A's elements.
     */
    @Test
    void paddingReuseExample() {
        BpfMap m = create(MapType.PERCPU_HASH, 4, 4, 4, ZS);
        HtabState s = m.state();
        int[] elemOf = new int[4];
        for (int i = 0; i < 4; i++) {
            byte[] v = new byte[16];
            for (int j = 0; j < 16; j++) {
                v[j] = (byte) (0x10 * (i + 1) + j);
            }
            assertThat(m.update(0, u32(100 + i), v, 0)).isEqualTo(Errno.OK);
            elemOf[i] = findElem(s, 100 + i);
        }
        for (int i = 0; i < 4; i++) {
            assertThat(m.delete(1, u32(100 + i))).isEqualTo(Errno.OK);
        }
        assertThat(s.freelist(1)).containsExactly(elemOf[3], elemOf[2], elemOf[1], elemOf[0]);
        for (int i = 0; i < 4; i++) {
            assertThat(m.progUpdate(0, u32(200 + i), u32(0xAA), 0)).isEqualTo(Errno.OK);
            int e = findElem(s, 200 + i);
            assertThat(e).isEqualTo(elemOf[3 - i]);
            ValueResult r = m.lookup(0, u32(200 + i), 0);
            byte[] v = r.value();
            int old = 3 - i;
            // CPU0 slot: the program's value, padding of the old element kept
            assertThat(le(java.util.Arrays.copyOfRange(v, 0, 4))).isEqualTo(0xAA);
            assertThat(v[4]).isEqualTo((byte) (0x10 * (old + 1) + 4));
            // CPU1 slot: value_size zero bytes, padding kept
            assertThat(le(java.util.Arrays.copyOfRange(v, 8, 12))).isZero();
            assertThat(v[12]).isEqualTo((byte) (0x10 * (old + 1) + 12));
        }
    }

    static int findElem(HtabState s, long key) {
        for (int b = 0; b < s.nBuckets(); b++) {
            for (int e : s.chain(b)) {
                if (le(s.elemKey(e)) == key) {
                    return e;
                }
            }
        }
        return -1;
    }

    /** Spec 5.10 examples: update batch of 3 new keys into a full-after-2 map; delete batch whose first key is absent. */
    @Test
    void genericBatchExamples() {
        BpfMap m = create(MapType.HASH, 4, 8, 2, ZS);
        BatchResult r = m.updateBatch(0, List.of(u32(1), u32(2), u32(3)), List.of(u64(1), u64(2), u64(3)), 0);
        assertThat(r.errno()).isEqualTo(Errno.E2BIG);
        assertThat(r.count()).isEqualTo(2);
        assertThat(m.count()).isEqualTo(2);
        r = m.deleteBatch(0, List.of(u32(7), u32(1)), 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.count()).isZero();
        assertThat(m.count()).isEqualTo(2);
        r = m.updateBatch(0, List.of(u32(1)), List.of(u64(9)), ElemFlag.BPF_NOEXIST);
        assertThat(r.errno()).isEqualTo(Errno.EINVAL);
        assertThat(r.count()).isEqualTo(1);
        r = m.updateBatch(0, List.of(), List.of(), 0);
        assertThat(r.errno()).isEqualTo(Errno.OK);
        assertThat(r.count()).isZero();
        r = m.updateBatch(0, List.of(u32(1), u32(1)), List.of(u64(5), u64(6)), 0);
        assertThat(r.count()).isEqualTo(2);
        assertThat(le(m.lookup(0, u32(1), 0).value())).isEqualTo(6);
    }

    @Test
    void chainEndsCarryTheirBucketsMarker() {
        BpfMap m = batchExampleMap();
        HtabState s = m.state();
        for (int b = 0; b < 8; b++) {
            assertThat(s.chainEndMarker(b)).isEqualTo(b);
        }
        assertThat(s.bucketHeadLink(0)).isEqualTo(~0);
        assertThat(s.bucketHeadLink(4)).isEqualTo(~4);
        int[] c5 = s.chain(5);
        assertThat(s.elemNextLink(c5[1])).isEqualTo(~5);
        assertThat(flags(MapFlag.ZERO_SEED)).isEqualTo(ZS);
    }
}
