package io.htablab.hashtab.htab;

import static io.htablab.hashtab.htab.TestMaps.le;
import static io.htablab.hashtab.htab.TestMaps.u32;
import static io.htablab.hashtab.htab.TestMaps.u64;
import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.MapEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BPF_MAP_TYPE_HASH_OF_MAPS (map_in_map.c, the fd-htab parts of hashtab.c): creation with an inner map template,
 * updates whose value is an inner map's descriptor, lookups that return its id (syscall) or the map (program), the
 * references the outer map holds, and the 6.18/6.14 difference in how an existing key is updated. Every verdict
 * here was also checked on the live 6.18.44 kernel (see kernel.MapInMapKernelTest for the automated comparison).
 */
class MapInMapTest {

    private static final int ZS = MapFlag.ZERO_SEED.bit();

    private final BpfRuntime runtime = new BpfRuntime();
    private final List<HtabEvent> events = new ArrayList<>();

    private MapOptions opts() {
        return MapOptions.defaults().withPossibleCpus(2).withCreatingCpu(0).withRuntime(runtime)
                .withEvents(events::add);
    }

    private BpfMap hash(int key, int value, long max, int flags) {
        CreateResult r = BpfMap.create(new HtabAttr(MapType.HASH, key, value, max, flags), opts());
        assertThat(r.errno()).as(r.detail()).isEqualTo(Errno.OK);
        return r.map();
    }

    private CreateResult outer(int key, int value, long max, int flags, int innerFd) {
        return BpfMap.create(new HtabAttr(MapType.HASH_OF_MAPS, key, value, max, flags).withInnerMapFd(innerFd),
                opts());
    }

    private BpfMap outer(long max, int flags, BpfMap template) {
        CreateResult r = outer(4, 4, max, flags, template.fd());
        assertThat(r.errno()).as(r.detail()).isEqualTo(Errno.OK);
        return r.map();
    }

    private static byte[] fd(BpfMap m) {
        return u32(m.fd());
    }

    @Test
    void creationChecksInTheKernelsOrder() {
        BpfMap inner = hash(4, 8, 4, ZS);
        assertThat(outer(4, 8, 4, 0, inner.fd()).errno()).as("value_size must be 4").isEqualTo(Errno.EINVAL);
        assertThat(outer(4, 4, 4, 0, 0).errno()).as("no inner= passes fd 0, not a map").isEqualTo(Errno.EINVAL);
        assertThat(outer(4, 4, 4, 0, 999).errno()).isEqualTo(Errno.EBADF);
        assertThat(outer(0, 4, 4, 0, 999).errno()).as("htab_map_alloc_check before the template")
                .isEqualTo(Errno.EINVAL);
        assertThat(outer(4, 4, 0, 0, 999).errno()).isEqualTo(Errno.EINVAL);
        assertThat(outer(4, 4, 4, 0x1000, 999).errno()).as("BPF_F_INNER_MAP is not a hash flag")
                .isEqualTo(Errno.EINVAL);
        assertThat(outer(4, 4, 4, MapFlag.NO_COMMON_LRU.bit(), inner.fd()).errno()).isEqualTo(Errno.EINVAL);
        assertThat(outer(4, 4, (1L << 31) + 1, 0, 999).errno()).as("the template before the sizing")
                .isEqualTo(Errno.EBADF);
        assertThat(outer(4, 4, (1L << 31) + 1, 0, inner.fd()).errno()).isEqualTo(Errno.E2BIG);
        assertThat(outer(4, 4, 1L << 28, 0, inner.fd()).errno()).isEqualTo(Errno.E2BIG);
        BpfMap o = outer(4, ZS, inner);
        assertThat(outer(4, 4, 4, 0, o.fd()).errno()).as("one level only").isEqualTo(Errno.EINVAL);
        assertThat(outer(4, 4, 4, MapFlag.NUMA_NODE.bit(), inner.fd()).errno()).isEqualTo(Errno.OK);
        assertThat(BpfMap.create(new HtabAttr(MapType.HASH, 4, 4, 4, 0).withInnerMapFd(999), opts()).errno())
                .as("other types ignore inner_map_fd").isEqualTo(Errno.OK);
        assertThat(o.info()).isEqualTo(new MapInfo(MapType.HASH_OF_MAPS, 4, 4, 4, ZS));
        assertThat(o.innerMapTemplate()).isEqualTo(new MapInfo(MapType.HASH, 4, 8, 4, ZS));
    }

    @Test
    void innerMapsMustMatchTheTemplateExceptInMaxEntries() {
        BpfMap template = hash(4, 8, 4, ZS);
        BpfMap o = outer(4, ZS, template);
        assertThat(o.update(0, u32(1), fd(hash(4, 8, 100, ZS)), 0)).as("max_entries is not compared")
                .isEqualTo(Errno.OK);
        assertThat(o.update(0, u32(2), fd(hash(4, 8, 4, 0)), 0)).as("flags differ").isEqualTo(Errno.EINVAL);
        assertThat(o.update(0, u32(2), fd(hash(8, 8, 4, ZS)), 0)).isEqualTo(Errno.EINVAL);
        assertThat(o.update(0, u32(2), fd(hash(4, 4, 4, ZS)), 0)).isEqualTo(Errno.EINVAL);
        CreateResult percpu = BpfMap.create(new HtabAttr(MapType.PERCPU_HASH, 4, 8, 4, ZS), opts());
        assertThat(o.update(0, u32(2), fd(percpu.map()), 0)).as("type differs").isEqualTo(Errno.EINVAL);
        assertThat(o.update(0, u32(2), fd(o), 0)).isEqualTo(Errno.EINVAL);
        assertThat(o.update(0, u32(2), fd(hash(4, 8, 4, ZS | MapFlag.RDONLY.bit())), 0))
                .as("RDONLY restricts the descriptor, not the map").isEqualTo(Errno.OK);
        assertThat(o.update(0, u32(3), u32(999), 0)).isEqualTo(Errno.EBADF);
        assertThat(o.update(0, u32(3), u32(1), 0)).as("stdout is open but no map").isEqualTo(Errno.EINVAL);
        assertThat(o.update(0, u32(3), fd(template), ElemFlag.BPF_F_LOCK)).isEqualTo(Errno.EINVAL);
        assertThat(o.update(0, u32(3), fd(template), 3)).isEqualTo(Errno.EINVAL);
        assertThat(o.count()).isEqualTo(2);
    }

    @Test
    void lookupsReturnTheInnerMapsIdAndProgramsTheMapItself() {
        BpfMap template = hash(4, 8, 4, ZS);
        BpfMap o = outer(4, ZS, template);
        BpfMap inner = hash(4, 8, 4, ZS);
        assertThat(inner.update(0, u32(7), u64(70), 0)).isEqualTo(Errno.OK);
        assertThat(o.update(0, u32(1), fd(inner), 0)).isEqualTo(Errno.OK);

        assertThat(le(o.lookup(0, u32(1), 0).value())).isEqualTo(inner.id());
        assertThat(le(o.progLookup(0, u32(1)).value())).isEqualTo(inner.id());
        assertThat(o.lookup(0, u32(2), 0).errno()).isEqualTo(Errno.ENOENT);
        BpfMap viaProgram = o.progLookupInnerMap(0, u32(1));
        assertThat(viaProgram).isSameAs(inner);
        assertThat(le(viaProgram.progLookup(0, u32(7)).value())).isEqualTo(70);
        assertThat(o.progLookupInnerMap(0, u32(2))).isNull();
        assertThat(o.progUpdate(0, u32(1), u32(inner.fd()), 0)).as("the verifier allows only lookups")
                .isEqualTo(Errno.EINVAL);
        assertThat(o.progDelete(0, u32(1))).isEqualTo(Errno.EINVAL);
        assertThat(o.lookupAndDelete(0, u32(1), 0).errno()).isEqualTo(Errno.ENOTSUPP);
        assertThat(o.getNextKey(0, null).key()).containsExactly(u32(1));
    }

    @Test
    void anExistingKeyIsUpdatedInPlaceOn618AndReplacedOn614() {
        for (KernelProfile p : KernelProfile.values()) {
            runtime.setProfile(p);
            BpfMap template = hash(4, 8, 4, ZS);
            BpfMap o = outer(1, ZS, template); // one bucket: chain order shows what moved
            BpfMap a = hash(4, 8, 4, ZS);
            BpfMap b = hash(4, 8, 4, ZS);
            o.update(0, u32(1), fd(a), 0);
            if (p == KernelProfile.V6_14) {
                // the 6.14 map has extra elements: max 1, but a replacement still works and a new key does not
                assertThat(o.state().extra(0)).isNotNegative();
            } else {
                assertThat(o.state().extra(0)).as("6.18: no extra elements for fd maps").isEqualTo(-1);
            }
            int elem = o.state().chain(0)[0];
            assertThat(o.update(0, u32(1), fd(b), 0)).isEqualTo(Errno.OK);
            assertThat(le(o.lookup(0, u32(1), 0).value())).isEqualTo(b.id());
            int after = o.state().chain(0)[0];
            if (p == KernelProfile.V6_18) {
                assertThat(after).as("in place").isEqualTo(elem);
            } else {
                assertThat(after).as("replaced through the extra element").isNotEqualTo(elem);
                assertThat(o.state().extra(0)).isEqualTo(elem);
            }
            assertThat(a.outerRefs()).isZero();
            assertThat(b.outerRefs()).isEqualTo(1);
            assertThat(o.update(0, u32(2), fd(a), 0)).as(p + ": full").isEqualTo(Errno.E2BIG);
            assertThat(a.outerRefs()).as("a failed update puts the reference again").isZero();
        }
    }

    @Test
    void theOuterMapHoldsItsInnerMapsAndReleasesThem() {
        BpfMap template = hash(4, 8, 4, ZS);
        BpfMap o = outer(8, ZS, template);
        BpfMap inner = hash(4, 8, 4, ZS);
        o.update(0, u32(1), fd(inner), 0);
        o.update(0, u32(2), fd(inner), 0);
        assertThat(inner.outerRefs()).isEqualTo(2);
        assertThat(inner.closeFd()).isEqualTo(Errno.OK);
        assertThat(runtime.mapById(inner.id())).as("outlives its descriptor").isSameAs(inner);
        assertThat(le(o.lookup(0, u32(1), 0).value())).isEqualTo(inner.id());
        assertThat(o.update(0, u32(3), u32(inner.fd()), 0)).as("but its descriptor is gone").isEqualTo(Errno.EBADF);

        assertThat(o.delete(0, u32(1))).isEqualTo(Errno.OK);
        assertThat(inner.outerRefs()).isEqualTo(1);
        assertThat(events).noneMatch(e -> e instanceof MapEvent.MapFreed f && f.mapId() == inner.id());
        BatchResult r = o.lookupAndDeleteBatch(0, null, 8, 0, 0);
        assertThat(r.count()).isEqualTo(1);
        assertThat(le(r.values().get(0))).isEqualTo(inner.id());
        assertThat(inner.outerRefs()).isZero();
        assertThat(events).anyMatch(e -> e instanceof MapEvent.MapFreed f && f.mapId() == inner.id());
        assertThat(runtime.mapById(inner.id())).as("freed with its last reference").isNull();

        List<MapEvent.InnerMapStored> stored = events.stream().filter(MapEvent.InnerMapStored.class::isInstance)
                .map(MapEvent.InnerMapStored.class::cast).toList();
        List<MapEvent.InnerMapReleased> released = events.stream().filter(MapEvent.InnerMapReleased.class::isInstance)
                .map(MapEvent.InnerMapReleased.class::cast).toList();
        assertThat(stored).hasSize(2).allSatisfy(e -> assertThat(e.innerMapId()).isEqualTo(inner.id()));
        assertThat(released).extracting(MapEvent.InnerMapReleased::elem)
                .containsExactlyInAnyOrderElementsOf(stored.stream().map(MapEvent.InnerMapStored::elem).toList());
    }

    @Test
    void freeingTheOuterMapPutsEveryInnerMap() {
        BpfMap template = hash(4, 8, 4, ZS);
        BpfMap o = outer(8, ZS | MapFlag.NO_PREALLOC.bit(), template);
        BpfMap inner = hash(4, 8, 4, ZS);
        o.update(0, u32(1), fd(inner), 0);
        o.update(0, u32(2), fd(inner), 0);
        o.mapFree();
        assertThat(inner.outerRefs()).isZero();
        assertThat(inner.hasUserRefs()).isTrue();
    }

    @Test
    void batchesCarryDescriptorsInAndIdsOut() {
        BpfMap template = hash(4, 8, 4, ZS);
        BpfMap o = outer(8, ZS, template);
        BpfMap a = hash(4, 8, 4, ZS);
        BpfMap b = hash(4, 8, 4, ZS);
        BatchResult u = o.updateBatch(0, List.of(u32(1), u32(2), u32(3)), List.of(fd(a), fd(b), u32(999)), 0);
        assertThat(u.errno()).isEqualTo(Errno.EBADF);
        assertThat(u.count()).isEqualTo(2);
        BatchResult l = o.lookupBatch(0, null, 8, 0, 0);
        assertThat(l.values()).extracting(TestMaps::le).containsExactlyInAnyOrder((long) a.id(), (long) b.id());
        BatchResult d = o.deleteBatch(0, List.of(u32(1), u32(2)), 0);
        assertThat(d.count()).isEqualTo(2);
        assertThat(a.outerRefs() + b.outerRefs()).isZero();
    }

    @Test
    void memoryUsageByProfile() {
        BpfMap template = hash(4, 8, 4, ZS);
        // 6.18 (checked on 6.18.44: 1232 and 9360): no extra elements, but the per-CPU pointer slots are charged
        assertThat(outer(4, ZS, template).memlock()).isEqualTo(832 + 16 * 4 + 4 * 2 * 8 + 64 * 4 + 8 * 2);
        CreateResult k5 = outer(5, 4, 100, ZS, template.fd());
        assertThat(k5.map().memlock()).isEqualTo(9360);
        BpfMap noPrealloc = outer(4, ZS | MapFlag.NO_PREALLOC.bit(), template);
        assertThat(noPrealloc.memlock()).isEqualTo(960);
        noPrealloc.update(0, u32(1), fd(template), 0);
        assertThat(noPrealloc.memlock()).isEqualTo(960 + 72);
        runtime.setProfile(KernelProfile.V6_14);
        assertThat(outer(4, ZS, template).memlock()).as("6.14: P extra elements too")
                .isEqualTo(832 + 16 * 4 + 4 * 2 * 8 + 64 * 6 + 8 * 2);
    }
}
