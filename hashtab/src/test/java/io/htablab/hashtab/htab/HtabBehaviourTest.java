package io.htablab.hashtab.htab;

import static io.htablab.hashtab.htab.ElemFlag.BPF_ANY;
import static io.htablab.hashtab.htab.ElemFlag.BPF_EXIST;
import static io.htablab.hashtab.htab.ElemFlag.BPF_F_LOCK;
import static io.htablab.hashtab.htab.ElemFlag.BPF_NOEXIST;
import static io.htablab.hashtab.htab.TestMaps.create;
import static io.htablab.hashtab.htab.TestMaps.flags;
import static io.htablab.hashtab.htab.TestMaps.hex;
import static io.htablab.hashtab.htab.TestMaps.le;
import static io.htablab.hashtab.htab.TestMaps.u32;
import static io.htablab.hashtab.htab.TestMaps.u64;
import static io.htablab.hashtab.htab.TestMaps.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Kernel behaviour from spec sections 2, 5, 6, 7 and 12, and the kernel outputs of oracle examples 01, 02, 05-08. */
class HtabBehaviourTest {

    private static final int ZS = MapFlag.ZERO_SEED.bit();

    private static Errno createErr(MapType t, long k, long v, long max, int fl, int numa) {
        return BpfMap.create(new HtabAttr(t, k, v, max, fl, numa), TestMaps.opts(2)).errno();
    }

    /** Oracle example 07 plus the remaining checks of spec 2.3/2.4. */
    @Test
    void creationChecksInKernelOrder() {
        assertThat(createErr(MapType.LRU_HASH, 4, 4, 4, flags(MapFlag.NO_PREALLOC), 0)).isEqualTo(Errno.ENOTSUPP);
        assertThat(createErr(MapType.HASH, 4, 4, 4, flags(MapFlag.NO_COMMON_LRU), 0)).isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.PERCPU_HASH, 4, 4, 0, 0, 0)).isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.HASH, 0, 4, 4, 0, 0)).isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.HASH, 4, 0, 4, 0, 0)).isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.PERCPU_HASH, 4, 32776, 4, 0, 0)).isEqualTo(Errno.E2BIG);
        assertThat(createErr(MapType.PERCPU_HASH, 4, 32768, 4, 0, 0)).isEqualTo(Errno.OK);
        assertThat(createErr(MapType.HASH, 4, 4, 4, flags(MapFlag.RDONLY, MapFlag.WRONLY), 0))
                .isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.HASH, 4, 4, 4, flags(MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG), 0))
                .isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.HASH, 4, 4, 4, flags(MapFlag.NUMA_NODE), 0)).isEqualTo(Errno.OK);
        assertThat(createErr(MapType.HASH, 4, 4, 4, flags(MapFlag.NUMA_NODE), 64)).isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.PERCPU_HASH, 4, 4, 4, flags(MapFlag.NUMA_NODE), 0)).isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.LRU_HASH, 4, 4, 4, flags(MapFlag.NUMA_NODE, MapFlag.NO_COMMON_LRU), 0))
                .isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.HASH, 4, 4, 4, 0x20, 0)).as("STACK_BUILD_ID is outside the mask")
                .isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.HASH, 4, 4, 4, 0x200, 0)).isEqualTo(Errno.EINVAL);
        assertThat(createErr(MapType.HASH, 4, 4, 4, MapFlag.TOKEN_FD, 0)).as("TOKEN_FD is stripped")
                .isEqualTo(Errno.OK);
        assertThat(createErr(MapType.HASH, 4, 4_194_304 - 48 - 4, 4, 0, 0)).isEqualTo(Errno.E2BIG);
        assertThat(createErr(MapType.HASH, 4, 4, (1L << 31) + 1, 0, 0)).isEqualTo(Errno.E2BIG);
        assertThat(createErr(MapType.HASH, 4, 4, (1L << 27) + 1, 0, 0)).as("n_buckets 2^28")
                .isEqualTo(Errno.E2BIG);
        // RDONLY+WRONLY (generic) is checked before the flag mask (type pre-check)
        assertThat(createErr(MapType.HASH, 4, 4, 4, flags(MapFlag.RDONLY, MapFlag.WRONLY) | 0x200, 0))
                .isEqualTo(Errno.EINVAL);
        // ENOTSUPP precedes the size checks
        assertThat(createErr(MapType.LRU_HASH, 0, 4, 4, flags(MapFlag.NO_PREALLOC), 0)).isEqualTo(Errno.ENOTSUPP);
    }

    @Test
    void privilegeChecks() {
        HtabAttr zs = new HtabAttr(MapType.HASH, 4, 4, 4, ZS | 0x20);
        assertThat(BpfMap.create(zs, TestMaps.opts(2).withCapabilities(true, false)).errno())
                .as("ZERO_SEED without CAP_SYS_ADMIN is checked before the flag mask").isEqualTo(Errno.EPERM);
        HtabAttr lruNoPrealloc = new HtabAttr(MapType.LRU_HASH, 4, 4, 4, MapFlag.NO_PREALLOC.bit());
        assertThat(BpfMap.create(lruNoPrealloc, TestMaps.opts(2).withCapabilities(false, false)).errno())
                .isEqualTo(Errno.ENOTSUPP);
        assertThat(BpfMap.create(new HtabAttr(MapType.HASH, 4, 4, 4, 0),
                TestMaps.opts(2).withCapabilities(false, false)).errno()).isEqualTo(Errno.EPERM);
    }

    @Test
    void geometryAndInfo() {
        BpfMap m = create(MapType.HASH, 5, 3, 100, ZS | flags(MapFlag.RDONLY));
        assertThat(m.nBuckets()).isEqualTo(128);
        assertThat(m.state().elemSize()).isEqualTo(48 + 8 + 8);
        assertThat(m.state().numEntries()).isEqualTo(102);
        assertThat(m.hashrnd()).isZero();
        assertThat(m.info()).isEqualTo(new MapInfo(MapType.HASH, 5, 3, 100, ZS));
        BpfMap p = create(MapType.PERCPU_HASH, 4, 12, 10, 0, 3);
        assertThat(p.state().elemSize()).isEqualTo(48 + 8 + 8);
        assertThat(p.userValueSize()).isEqualTo(3 * 16);
        assertThat(p.state().numEntries()).isEqualTo(10);
        CreateResult seeded = BpfMap.create(new HtabAttr(MapType.HASH, 4, 4, 4, 0),
                TestMaps.opts(2).withSeed(0x12345678));
        assertThat(seeded.map().hashrnd()).isEqualTo(0x12345678);
        CreateResult zeroWins = BpfMap.create(new HtabAttr(MapType.HASH, 4, 4, 4, ZS),
                TestMaps.opts(2).withSeed(0x12345678));
        assertThat(zeroWins.map().hashrnd()).isZero();
    }

    @Test
    void javaArgumentErrorsAreEinvalWithDetailAndChangeNothing() {
        BpfMap m = create(MapType.HASH, 4, 8, 8, ZS);
        m.update(0, u32(1), u64(1), 0);
        OpResult r = m.updateWithDetail(0, u32(1), u32(1), 0);
        assertThat(r.errno()).isEqualTo(Errno.EINVAL);
        assertThat(r.detail()).contains("value is 4 bytes").contains("8");
        ValueResult lr = m.lookup(0, new byte[] {1, 0}, 0);
        assertThat(lr.errno()).isEqualTo(Errno.EINVAL);
        assertThat(lr.detail()).contains("key is 2 bytes");
        assertThat(m.lookup(2, u32(1), 0).detail()).contains("cpu 2");
        assertThat(m.lookup(-1, u32(1), 0).errno()).isEqualTo(Errno.EINVAL);
        assertThat(m.lookupBatch(0, new byte[3], 1, 0, 0).detail()).contains("4 bytes");
        assertThat(le(m.lookup(0, u32(1), 0).value())).isEqualTo(1);
        assertThat(m.count()).isEqualTo(1);
        assertThat(BpfMap.create(new HtabAttr(MapType.HASH, 4, 4, 4, 0), TestMaps.opts(65)).detail())
                .contains("possibleCpus");
    }

    /** Oracle example 01. */
    @Test
    void basicCrudExample() {
        BpfMap h = create(MapType.HASH, 4, 8, 8, ZS);
        assertThat(h.update(0, u32(1), u64(100), BPF_ANY)).isEqualTo(Errno.OK);
        assertThat(h.update(0, u32(1), u64(101), BPF_NOEXIST)).isEqualTo(Errno.EEXIST);
        assertThat(h.update(0, u32(2), u64(200), BPF_EXIST)).isEqualTo(Errno.ENOENT);
        assertThat(h.update(0, u32(2), u64(200), BPF_NOEXIST)).isEqualTo(Errno.OK);
        assertThat(h.update(0, u32(2), u64(201), BPF_EXIST)).isEqualTo(Errno.OK);
        assertThat(h.update(0, unhex("03000000"), unhex("2c01000000000000"), BPF_ANY)).isEqualTo(Errno.OK);
        assertThat(hex(h.lookup(0, u32(1), 0).value())).isEqualTo("6400000000000000");
        assertThat(hex(h.lookup(0, u32(2), 0).value())).isEqualTo("c900000000000000");
        assertThat(h.lookup(0, u32(9), 0).errno()).isEqualTo(Errno.ENOENT);
        assertThat(h.lookup(0, u32(1), BPF_F_LOCK).errno()).isEqualTo(Errno.EINVAL);
        assertThat(h.update(0, u32(1), u64(1), BPF_F_LOCK)).isEqualTo(Errno.EINVAL);
        assertThat(hex(h.getNextKey(0, null).key())).isEqualTo("02000000");
        assertThat(hex(h.getNextKey(0, u32(1)).key())).isEqualTo("03000000");
        assertThat(h.getNextKey(0, u32(3)).errno()).isEqualTo(Errno.ENOENT);
        assertThat(hex(h.getNextKey(0, u32(42)).key())).isEqualTo("02000000");
        assertThat(h.delete(0, u32(2))).isEqualTo(Errno.OK);
        assertThat(h.delete(0, u32(2))).isEqualTo(Errno.ENOENT);
        assertThat(hex(h.lookupAndDelete(0, u32(3), 0).value())).isEqualTo("2c01000000000000");
        assertThat(h.lookupAndDelete(0, u32(3), 0).errno()).isEqualTo(Errno.ENOENT);
        assertThat(h.count()).isEqualTo(1);
        assertThat(MapFlag.describe(h.info().mapFlags())).isEqualTo("zero_seed");
    }

    /** Oracle example 02 (prealloc, no_prealloc and per-CPU parts). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fullMapE2big(boolean noPrealloc) {
        BpfMap pre = create(MapType.HASH, 4, 4, 3, ZS | (noPrealloc ? MapFlag.NO_PREALLOC.bit() : 0));
        for (int k = 1; k <= 3; k++) {
            assertThat(pre.update(0, u32(k), u32(k), 0)).isEqualTo(Errno.OK);
        }
        assertThat(pre.update(0, u32(4), u32(4), 0)).isEqualTo(Errno.E2BIG);
        assertThat(pre.update(0, u32(4), u32(4), BPF_NOEXIST)).isEqualTo(Errno.E2BIG);
        assertThat(pre.update(0, u32(4), u32(4), BPF_EXIST)).isEqualTo(Errno.ENOENT);
        assertThat(pre.update(0, u32(3), u32(33), 0)).isEqualTo(Errno.OK);
        assertThat(pre.progUpdate(0, u32(5), u32(5), 0)).isEqualTo(Errno.E2BIG);
        assertThat(pre.delete(0, u32(1))).isEqualTo(Errno.OK);
        assertThat(pre.update(0, u32(4), u32(4), 0)).isEqualTo(Errno.OK);
        assertThat(dumpKeys(pre)).containsExactly(4L, 2L, 3L);
        assertThat(le(pre.lookup(0, u32(3), 0).value())).isEqualTo(33);
    }

    @Test
    void fullPercpuMapAndBatchStop() {
        BpfMap pc = create(MapType.PERCPU_HASH, 4, 4, 2, ZS);
        assertThat(pc.update(0, u32(1), pc.percpuValue(u32(1)), 0)).isEqualTo(Errno.OK);
        assertThat(pc.update(0, u32(2), pc.percpuValue(u32(2)), 0)).isEqualTo(Errno.OK);
        assertThat(pc.update(0, u32(3), pc.percpuValue(u32(3)), 0)).isEqualTo(Errno.E2BIG);
        assertThat(pc.update(0, u32(2), pc.percpuValue(u32(7), u32(8)), 0)).isEqualTo(Errno.OK);
        BatchResult r = pc.updateBatch(0, List.of(u32(1), u32(4), u32(2)),
                List.of(pc.percpuValue(u32(5)), pc.percpuValue(u32(4)), pc.percpuValue(u32(6))), 0);
        assertThat(r.errno()).isEqualTo(Errno.E2BIG);
        assertThat(r.count()).isEqualTo(1);
        assertThat(dumpKeys(pc)).containsExactly(2L, 1L);
        assertThat(pc.percpuSlots(pc.lookup(0, u32(2), 0).value())).extracting(TestMaps::hex)
                .containsExactly("07000000", "08000000");
        assertThat(pc.percpuSlots(pc.lookup(0, u32(1), 0).value())).extracting(TestMaps::hex)
                .containsExactly("05000000", "05000000");
        assertThat(MapFlag.describe(pc.info().mapFlags())).isEqualTo("zero_seed");
    }

    /** Oracle example 05, percpu_hash part. */
    @Test
    void percpuValuesFromSyscallsAndPrograms() {
        BpfMap p = create(MapType.PERCPU_HASH, 4, 6, 4, ZS);
        assertThat(p.userValueSize()).isEqualTo(16);
        assertThat(p.update(0, u32(1), p.percpuValue(unhex("010000000100"), unhex("020000000200")), 0))
                .isEqualTo(Errno.OK);
        assertThat(p.update(0, u32(2), p.percpuValue(unhex("0a0b0c0d0e0f")), 0)).isEqualTo(Errno.OK);
        assertThat(slots(p, 1)).containsExactly("010000000100", "020000000200");
        assertThat(slots(p, 2)).containsExactly("0a0b0c0d0e0f", "0a0b0c0d0e0f");
        assertThat(hex(p.progLookup(0, u32(1)).value())).isEqualTo("010000000100");
        assertThat(hex(p.progLookup(1, u32(1)).value())).isEqualTo("020000000200");
        assertThat(p.progUpdate(1, u32(1), unhex("090000000900"), 0)).isEqualTo(Errno.OK);
        assertThat(slots(p, 1)).containsExactly("010000000100", "090000000900");
        assertThat(p.progUpdate(1, u32(3), unhex("030000000300"), 0)).isEqualTo(Errno.OK);
        assertThat(slots(p, 3)).containsExactly("000000000000", "030000000300");
        assertThat(hex(p.progLookup(0, u32(3)).value())).isEqualTo("000000000000");
        assertThat(hex(p.progLookupPercpu(0, u32(3), 1).value())).isEqualTo("030000000300");
        assertThat(p.progLookupPercpu(0, u32(3), 2).errno()).isEqualTo(Errno.ENOENT);
        assertThat(p.percpuSlots(p.lookupAndDelete(0, u32(1), 0).value())).extracting(TestMaps::hex)
                .containsExactly("010000000100", "090000000900");
        assertThat(dumpKeys(p)).containsExactly(2L, 3L);
        // per-CPU flag rule: F_LOCK is simply an invalid flag for the type
        assertThat(p.progUpdate(0, u32(2), unhex("000000000000"), BPF_F_LOCK)).isEqualTo(Errno.EINVAL);
        assertThat(p.progUpdate(0, u32(2), unhex("000000000000"), 3)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void syscallPercpuWritesCopyWholeRoundedSlotsPaddingIncluded() {
        BpfMap p = create(MapType.PERCPU_HASH, 4, 6, 4, ZS);
        byte[] v = unhex("11111111111199992222222222228888");
        assertThat(p.update(0, u32(1), v, 0)).isEqualTo(Errno.OK);
        assertThat(hex(p.lookup(0, u32(1), 0).value())).isEqualTo("11111111111199992222222222228888");
        byte[] out = new byte[16];
        assertThat(p.lookup(1, u32(1), out, 0)).isEqualTo(Errno.OK);
        assertThat(hex(out)).isEqualTo("11111111111199992222222222228888");
    }

    /** Oracle example 08 (access flags). */
    @Test
    void accessFlags() {
        BpfMap ro = create(MapType.HASH, 4, 4, 4, ZS | flags(MapFlag.RDONLY));
        assertThat(ro.update(0, u32(1), u32(1), 0)).isEqualTo(Errno.EPERM);
        assertThat(ro.progUpdate(0, u32(1), u32(1), 0)).isEqualTo(Errno.OK);
        assertThat(hex(ro.lookup(0, u32(1), 0).value())).isEqualTo("01000000");
        assertThat(ro.delete(0, u32(1))).isEqualTo(Errno.EPERM);
        assertThat(ro.lookupAndDelete(0, u32(1), 0).errno()).isEqualTo(Errno.EPERM);
        BatchResult b = ro.updateBatch(0, List.of(u32(2)), List.of(u32(2)), 0);
        assertThat(b.errno()).isEqualTo(Errno.EPERM);
        assertThat(b.count()).isEqualTo(1);
        assertThat(ro.deleteBatch(0, List.of(u32(1)), 0).errno()).isEqualTo(Errno.EPERM);
        assertThat(ro.lookupAndDeleteBatch(0, null, 4, 0, 0).count()).isEqualTo(4);
        assertThat(ro.lookupBatch(0, null, 4, 0, 0).errno()).isEqualTo(Errno.ENOENT);
        assertThat(ro.info().mapFlags()).isEqualTo(ZS);

        BpfMap wo = create(MapType.HASH, 4, 4, 4, ZS | flags(MapFlag.WRONLY));
        assertThat(wo.update(0, u32(1), u32(1), 0)).isEqualTo(Errno.OK);
        assertThat(wo.lookup(0, u32(1), 0).errno()).isEqualTo(Errno.EPERM);
        assertThat(wo.lookup(0, u32(1), 8).errno()).as("flag mask before permission").isEqualTo(Errno.EINVAL);
        assertThat(wo.getNextKey(0, null).errno()).isEqualTo(Errno.EPERM);
        BatchResult wb = wo.lookupBatch(0, null, 4, 0, 0);
        assertThat(wb.errno()).isEqualTo(Errno.EPERM);
        assertThat(wb.count()).isEqualTo(4);
        assertThat(wb.outBatch()).isNull();
        assertThat(wo.lookupAndDelete(0, u32(1), 0).errno()).isEqualTo(Errno.EPERM);
        assertThat(hex(wo.progLookup(0, u32(1)).value())).isEqualTo("01000000");
        assertThat(wo.delete(0, u32(1))).isEqualTo(Errno.OK);

        BpfMap rp = create(MapType.HASH, 4, 4, 4, ZS | flags(MapFlag.RDONLY_PROG));
        assertThat(rp.update(0, u32(1), u32(1), 0)).isEqualTo(Errno.OK);
        assertThat(hex(rp.progLookup(0, u32(1)).value())).isEqualTo("01000000");
        assertThat(rp.progUpdate(0, u32(1), u32(2), 0)).isEqualTo(Errno.EACCES);
        assertThat(rp.progDelete(0, u32(1))).isEqualTo(Errno.EACCES);
        assertThat(rp.count()).isEqualTo(1);

        BpfMap wp = create(MapType.HASH, 4, 4, 4, ZS | flags(MapFlag.WRONLY_PROG));
        assertThat(wp.update(0, u32(1), u32(1), 0)).isEqualTo(Errno.OK);
        assertThat(wp.progLookup(0, u32(1)).errno()).isEqualTo(Errno.EACCES);
        assertThat(wp.progUpdate(0, u32(1), u32(2), 0)).isEqualTo(Errno.OK);
        assertThat(hex(wp.lookup(0, u32(1), 0).value())).isEqualTo("02000000");
        assertThat(MapFlag.describe(wp.info().mapFlags())).isEqualTo("zero_seed,wronly_prog");
    }

    /** Oracle example 06. */
    @Test
    void batchExample() {
        BpfMap h = create(MapType.HASH, 4, 4, 8, ZS);
        List<byte[]> ks = new java.util.ArrayList<>();
        List<byte[]> vs = new java.util.ArrayList<>();
        for (int k = 1; k <= 8; k++) {
            ks.add(u32(k));
            vs.add(u32(10L * k));
        }
        assertThat(h.updateBatch(0, ks, vs, 0).count()).isEqualTo(8);
        assertThat(h.lookupBatch(0, null, 0, 0, 0).count()).isZero();
        BatchResult r = h.lookupBatch(0, u32(2), 1, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOSPC);
        assertThat(hex(r.outBatch())).isEqualTo("02000000");
        r = h.lookupBatch(0, null, 3, 0, 0);
        assertThat(r.keys()).extracting(TestMaps::hex).containsExactly("04000000", "07000000", "02000000");
        assertThat(hex(r.outBatch())).isEqualTo("03000000");
        r = h.lookupBatch(0, u32(3), 3, 0, 0);
        assertThat(r.count()).isEqualTo(2);
        assertThat(hex(r.outBatch())).isEqualTo("06000000");
        r = h.lookupBatch(0, u32(6), 3, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.values()).extracting(TestMaps::hex).containsExactly("3c000000", "32000000", "1e000000");
        r = h.lookupAndDeleteBatch(0, u32(5), 3, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.count()).isEqualTo(3);
        assertThat(dumpKeys(h)).containsExactly(4L, 7L, 2L, 1L, 8L);
        r = h.updateBatch(0, List.of(u32(6), u32(9)), List.of(u32(61), u32(90)), BPF_NOEXIST);
        assertThat(r.errno()).isEqualTo(Errno.EINVAL);
        assertThat(r.count()).isEqualTo(2);
        r = h.updateBatch(0, List.of(u32(6), u32(9), u32(10), u32(11)),
                List.of(u32(61), u32(90), u32(100), u32(110)), 0);
        assertThat(r.errno()).isEqualTo(Errno.E2BIG);
        assertThat(r.count()).isEqualTo(3);
        r = h.deleteBatch(0, List.of(u32(1), u32(99), u32(2)), 0);
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.count()).isEqualTo(1);
        r = h.lookupBatch(0, null, 100, 0, 0);
        assertThat(r.keys()).extracting(TestMaps::le).containsExactly(10L, 4L, 7L, 2L, 8L, 9L, 6L);
        assertThat(hex(r.outBatch())).isEqualTo("08000000");
    }

    /** test_maps.c expectations (spec 12), run with and without NO_PREALLOC. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void testMapsHashmapExpectations(boolean noPrealloc) {
        BpfMap m = create(MapType.HASH, 8, 8, 2, noPrealloc ? MapFlag.NO_PREALLOC.bit() : 0);
        byte[] k1 = u64(1);
        byte[] k2 = u64(2);
        assertThat(m.update(0, k1, u64(1234), BPF_ANY)).isEqualTo(Errno.OK);
        assertThat(m.update(0, k1, u64(1235), BPF_NOEXIST)).isEqualTo(Errno.EEXIST);
        assertThat(m.update(0, k1, u64(1235), -1)).isEqualTo(Errno.EINVAL);
        assertThat(le(m.lookup(0, k1, 0).value())).isEqualTo(1234);
        assertThat(le(m.lookupAndDelete(0, k1, 0).value())).isEqualTo(1234);
        assertThat(m.lookup(0, k1, 0).errno()).isEqualTo(Errno.ENOENT);
        assertThat(m.update(0, k1, u64(1234), BPF_ANY)).isEqualTo(Errno.OK);
        assertThat(m.update(0, k2, u64(1234), BPF_EXIST)).isEqualTo(Errno.ENOENT);
        assertThat(m.update(0, k2, u64(1234), BPF_NOEXIST)).isEqualTo(Errno.OK);
        assertThat(m.update(0, u64(0), u64(1234), BPF_NOEXIST)).isEqualTo(Errno.E2BIG);
        assertThat(m.update(0, k1, u64(1), BPF_EXIST)).isEqualTo(Errno.OK);
        assertThat(m.update(0, k2, u64(2), BPF_ANY)).isEqualTo(Errno.OK);
        assertThat(m.update(0, u64(0), u64(1234), BPF_ANY)).isEqualTo(Errno.E2BIG);
        assertThat(m.delete(0, u64(0))).isEqualTo(Errno.ENOENT);
        KeyResult first = m.getNextKey(0, null);
        assertThat(m.getNextKey(0, u64(0)).key()).isEqualTo(first.key());
        Set<Long> seen = new HashSet<>();
        seen.add(le(first.key()));
        KeyResult second = m.getNextKey(0, first.key());
        seen.add(le(second.key()));
        assertThat(seen).containsExactlyInAnyOrder(1L, 2L);
        assertThat(m.getNextKey(0, second.key()).errno()).isEqualTo(Errno.ENOENT);
        assertThat(m.delete(0, k1)).isEqualTo(Errno.OK);
        assertThat(m.delete(0, k2)).isEqualTo(Errno.OK);
        assertThat(m.getNextKey(0, null).errno()).isEqualTo(Errno.ENOENT);
        assertThat(m.getNextKey(0, k1).errno()).isEqualTo(Errno.ENOENT);
        assertThat(m.count()).isZero();
    }

    @Test
    void zeroSeedMapsIterateIdentically() {
        BpfMap a = create(MapType.HASH, 4, 4, 64, ZS);
        BpfMap b = create(MapType.HASH, 4, 4, 64, ZS);
        for (int k = 0; k < 64; k++) {
            a.update(0, u32(k * 7919L), u32(k), 0);
            b.update(1, u32(k * 7919L), u32(k), 0);
        }
        assertThat(dumpKeys(a)).containsExactlyElementsOf(dumpKeys(b));
    }

    @Test
    void walkWhileUpdatingWithExistVisitsEveryKeyOnce() {
        BpfMap m = create(MapType.HASH, 4, 4, 1000, 0);
        for (int k = 0; k < 1000; k++) {
            m.update(0, u32(k), u32(k), 0);
        }
        // As test_hashmap_walk: fetch the next key first, then update the current one with BPF_EXIST (which
        // moves it to its chain head).
        Set<Long> seen = new HashSet<>();
        byte[] key = m.getNextKey(0, null).key();
        boolean nextValid = true;
        int steps = 0;
        while (nextValid) {
            KeyResult next = m.getNextKey(0, key);
            nextValid = next.isOk();
            assertThat(seen.add(le(key))).isTrue();
            assertThat(m.update(steps % 2, key, u32(le(key) + 1), BPF_EXIST)).isEqualTo(Errno.OK);
            key = next.key();
            steps++;
        }
        assertThat(steps).isEqualTo(1000);
        assertThat(seen).hasSize(1000);
        for (int k = 0; k < 1000; k++) {
            assertThat(le(m.lookup(0, u32(k), 0).value())).isEqualTo(k + 1);
        }
    }

    @Test
    void largeKeysFillExactly() {
        BpfMap m = create(MapType.HASH, 4100, 4, 512, 0);
        for (int k = 0; k < 512; k++) {
            byte[] key = new byte[4100];
            key[4099] = (byte) k;
            key[0] = (byte) (k >> 8);
            assertThat(m.update(0, key, u32(k), BPF_NOEXIST)).isEqualTo(Errno.OK);
        }
        byte[] extra = new byte[4100];
        extra[1] = 1;
        assertThat(m.update(0, extra, u32(1), BPF_NOEXIST)).isEqualTo(Errno.E2BIG);
        assertThat(dumpKeys(m)).hasSize(512);
    }

    @Test
    void memoryLimitGivesEnomem() {
        CreateResult r = BpfMap.create(new HtabAttr(MapType.HASH, 4, 4, 1 << 20, 0),
                TestMaps.opts(2).withMemoryLimit(1 << 20));
        assertThat(r.errno()).isEqualTo(Errno.ENOMEM);
        CreateResult d = BpfMap.create(new HtabAttr(MapType.HASH, 4, 4, 1 << 20, MapFlag.NO_PREALLOC.bit()),
                TestMaps.opts(2).withMemoryLimit(1 << 23));
        assertThat(d.errno()).isEqualTo(Errno.OK);
    }

    static List<Long> dumpKeys(BpfMap m) {
        List<Long> out = new java.util.ArrayList<>();
        byte[] k = null;
        while (true) {
            KeyResult r = m.getNextKey(0, k);
            if (!r.isOk()) {
                return out;
            }
            out.add(le(r.key()));
            k = r.key();
        }
    }

    private static List<String> slots(BpfMap p, long key) {
        return p.percpuSlots(p.lookup(0, u32(key), 0).value()).stream().map(TestMaps::hex).toList();
    }
}
