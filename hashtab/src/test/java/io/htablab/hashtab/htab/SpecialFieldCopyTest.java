package io.htablab.hashtab.htab;

import static io.htablab.hashtab.htab.TestMaps.u32;
import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.FieldEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.MapEvent;
import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.MapBtf;
import io.htablab.hashtab.htab.fields.SpecialField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's copy rules for special fields (spec 11.2, 11.4) on a hand-made record: user writes skip the fields,
 * every read shows zeros there, BPF_F_LOCK updates in place under the element's lock (events show it), and
 * map_check_btf's refusals come in the kernel's order.
 */
class SpecialFieldCopyTest {

    /** value: a@0 (8 bytes), lock@8 (4), b@12 (4), timer@16 (16), c@32 (8) = 40 bytes. */
    static final FieldRecord RECORD = new FieldRecord(List.of(new SpecialField(FieldKind.SPIN_LOCK, 8, 4, "lock"),
            new SpecialField(FieldKind.TIMER, 16, 16, "timer")));

    static BpfMap map(List<HtabEvent> events) {
        HtabAttr a = new HtabAttr(MapType.HASH, 4, 40, 4, MapFlag.ZERO_SEED.bit())
                .withBtf(MapBtf.of("__u32", 4, "struct v", 40, RECORD));
        CreateResult r = BpfMap.create(a, TestMaps.opts(2));
        assertThat(r.errno()).isEqualTo(Errno.OK);
        if (events != null) {
            r.map().addListener(events::add);
        }
        return r.map();
    }

    static byte[] ones() {
        byte[] v = new byte[40];
        Arrays.fill(v, (byte) 0xff);
        return v;
    }

    static boolean zeroAt(byte[] v, int from, int to) {
        for (int i = from; i < to; i++) {
            if (v[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void userWritesSkipSpecialFieldsAndReadsShowZerosThere() {
        BpfMap m = map(null);
        assertThat(m.update(0, u32(1), ones(), 0)).isEqualTo(Errno.OK);
        byte[] stored = m.state().elemValue(m.state().chain(m.state().elemBucket(first(m)))[0]);
        assertThat(zeroAt(stored, 8, 12)).as("the lock word was not written").isTrue();
        assertThat(zeroAt(stored, 16, 32)).as("the timer was not written").isTrue();
        assertThat(stored[0]).isEqualTo((byte) 0xff);
        assertThat(stored[12]).isEqualTo((byte) 0xff);
        assertThat(stored[39]).isEqualTo((byte) 0xff);
        ValueResult v = m.lookup(0, u32(1), 0);
        assertThat(zeroAt(v.value(), 8, 12) && zeroAt(v.value(), 16, 32)).isTrue();
        assertThat(m.progLookup(0, u32(1)).value()).isEqualTo(v.value());
        byte[] out = new byte[40];
        assertThat(m.lookup(0, u32(1), out, 0)).isEqualTo(Errno.OK);
        assertThat(out).isEqualTo(v.value());
    }

    private static int first(BpfMap m) {
        for (int b = 0; b < m.nBuckets(); b++) {
            if (m.state().chain(b).length > 0) {
                return m.state().chain(b)[0];
            }
        }
        throw new AssertionError("empty map");
    }

    @Test
    void lockedUpdateIsInPlaceUnderTheElementLock() {
        List<HtabEvent> events = new ArrayList<>();
        BpfMap m = map(events);
        m.update(0, u32(1), ones(), 0);
        int elem = first(m);
        events.clear();
        byte[] v = new byte[40];
        v[0] = 7;
        assertThat(m.update(1, u32(1), v, ElemFlag.BPF_F_LOCK)).isEqualTo(Errno.OK);
        assertThat(first(m)).as("the same element: no replacement").isEqualTo(elem);
        assertThat(events).noneMatch(e -> e instanceof BucketEvent.ElemLinked || e instanceof BucketEvent.ElemUnlinked
                || e instanceof BucketEvent.BucketLocked);
        List<HtabEvent> lockEvents = events.stream().filter(e -> e instanceof FieldEvent).toList();
        assertThat(lockEvents).containsExactly(new FieldEvent.SpinLockAcquired(m.id(), elem, 1, 8),
                new FieldEvent.SpinLockReleased(m.id(), elem, 1, 8));
        int acquired = events.indexOf(lockEvents.get(0));
        int released = events.indexOf(lockEvents.get(1));
        assertThat(events.subList(acquired, released)).anyMatch(e -> e instanceof MapEvent.ValueCopied);

        events.clear();
        assertThat(m.update(0, u32(1), v, 0)).isEqualTo(Errno.OK);
        assertThat(first(m)).as("a plain update replaces the element").isNotEqualTo(elem);
        assertThat(events).noneMatch(e -> e instanceof FieldEvent);

        events.clear();
        assertThat(m.lookup(0, u32(1), ElemFlag.BPF_F_LOCK).value()[0]).isEqualTo((byte) 7);
        assertThat(events).filteredOn(e -> e instanceof FieldEvent).hasSize(2);
    }

    @Test
    void lockFlagsFollowTheKernelsChecks() {
        BpfMap m = map(null);
        byte[] v = new byte[40];
        assertThat(m.update(0, u32(1), v, ElemFlag.BPF_F_LOCK | ElemFlag.BPF_EXIST)).isEqualTo(Errno.ENOENT);
        assertThat(m.update(0, u32(1), v, ElemFlag.BPF_F_LOCK | ElemFlag.BPF_NOEXIST)).isEqualTo(Errno.OK);
        assertThat(m.update(0, u32(1), v, ElemFlag.BPF_F_LOCK | ElemFlag.BPF_NOEXIST)).isEqualTo(Errno.EEXIST);
        assertThat(m.update(0, u32(1), v, ElemFlag.BPF_F_LOCK | 3)).isEqualTo(Errno.EINVAL);
        assertThat(m.lookupAndDelete(0, u32(1), ElemFlag.BPF_F_LOCK).errno()).isEqualTo(Errno.OK);
        assertThat(m.lookupBatch(0, null, 4, ElemFlag.BPF_F_LOCK, 0).errno()).isEqualTo(Errno.ENOENT);

        BpfMap plain = TestMaps.create(MapType.HASH, 4, 40, 4, 0);
        assertThat(plain.update(0, u32(1), v, ElemFlag.BPF_F_LOCK)).isEqualTo(Errno.EINVAL);
        assertThat(plain.lookup(0, u32(1), ElemFlag.BPF_F_LOCK).errno()).isEqualTo(Errno.EINVAL);
        assertThat(plain.lookupBatch(0, null, 4, ElemFlag.BPF_F_LOCK, 0).errno()).isEqualTo(Errno.EINVAL);
    }

    @Test
    void mapCheckBtfRefusesInTheKernelsOrder() {
        MapBtf lock = MapBtf.of("__u32", 4, "struct v", 40, RECORD);
        HtabAttr hash = new HtabAttr(MapType.HASH, 4, 40, 4, 0);
        assertThat(HtabGeometry.compute(hash.withBtf(lock), 2).errno()).isEqualTo(Errno.OK);
        // sizes first, then access flags, then field placement by map type
        assertThat(HtabGeometry.compute(new HtabAttr(MapType.HASH, 4, 48, 4, MapFlag.RDONLY_PROG.bit()).withBtf(lock), 2)
                .errno()).isEqualTo(Errno.EINVAL);
        assertThat(HtabGeometry.compute(new HtabAttr(MapType.PERCPU_HASH, 4, 40, 4, MapFlag.WRONLY_PROG.bit()).withBtf(lock), 2)
                .errno()).isEqualTo(Errno.EACCES);
        HtabGeometry lru = HtabGeometry.compute(new HtabAttr(MapType.LRU_HASH, 4, 40, 4, 0).withBtf(lock), 2);
        assertThat(lru.errno()).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(lru.reason()).contains("bpf_spin_lock").contains("BPF_MAP_TYPE_LRU_HASH");
        // errors of the map attributes themselves come before any BTF check
        assertThat(HtabGeometry.compute(new HtabAttr(MapType.LRU_HASH, 4, 40, 4, MapFlag.NO_PREALLOC.bit()).withBtf(lock), 2)
                .errno()).isEqualTo(Errno.ENOTSUPP);
        MapBtf noKey = new MapBtf(null, -1, "struct v", 40, RECORD, Errno.OK, null);
        assertThat(HtabGeometry.compute(hash.withBtf(noKey), 2).errno()).isEqualTo(Errno.EINVAL);
        MapBtf unloadable = new MapBtf("__u32", 4, "struct v", 40, FieldRecord.EMPTY, Errno.OK, null, Errno.E2BIG, "two locks");
        HtabGeometry g = HtabGeometry.compute(new HtabAttr(MapType.HASH, 0, 40, 4, 0).withBtf(unloadable), 2);
        assertThat(g.errno()).as("BPF_BTF_LOAD fails before the create looks at anything").isEqualTo(Errno.E2BIG);
        // a record the kernel could not parse leaves a map without fields
        MapBtf unparsed = new MapBtf("__u32", 4, "struct v", 40, FieldRecord.EMPTY, Errno.E2BIG, "two timers");
        assertThat(HtabGeometry.compute(new HtabAttr(MapType.PERCPU_HASH, 4, 40, 4, MapFlag.RDONLY_PROG.bit())
                .withBtf(unparsed), 2).errno()).isEqualTo(Errno.OK);
    }
}
