package io.htablab.hashtab.htab.lock;

import static io.htablab.hashtab.htab.lock.LockTestMaps.keyInBucket;
import static io.htablab.hashtab.htab.lock.LockTestMaps.le;
import static io.htablab.hashtab.htab.lock.LockTestMaps.u32;
import static io.htablab.hashtab.htab.lock.LockTestMaps.u64;
import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime.AttachPoint;
import io.htablab.hashtab.htab.BpfRuntime.NestedProgram;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.Htab;
import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.ValueResult;
import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.event.MapEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A program that fires inside a map operation on the same CPU (as a tracing program attached to a kernel function in
 * the critical section would) and updates a map: 6.18's resilient lock detects the re-entry of the same bucket lock
 * (EDEADLK) and lets another bucket through; 6.14's map_locked guard refuses every bucket whose guard slot this CPU
 * holds (EBUSY), also a different bucket sharing the slot.
 */
class NestedProgramTest {

    private static final int NB = 16; // max_entries 16: 16 buckets, guard slots hash & 7

    @Test
    void sameBucketIsADeadlockOn618AndTheOuterUpdateCompletes() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, NB, 0);
        int a = keyInBucket(1, NB, 1);
        NestedProgram p = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 0, h, a, 2);
        assertThat(h.update(0, u32(a), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(p.fired()).isTrue();
        assertThat(p.result().errno()).isEqualTo(Errno.EDEADLK);
        assertThat(le(h.lookup(0, u32(a), 0).value())).as("the outer update's value").isEqualTo(1);
        assertThat(h.count()).isEqualTo(1);
        List<BucketEvent.BucketLockFailed> failed = t.eventsOf(BucketEvent.BucketLockFailed.class);
        assertThat(failed).singleElement().satisfies(f -> {
            assertThat(f.bucket()).isEqualTo(1);
            assertThat(f.cpu()).isEqualTo(0);
            assertThat(f.errno()).isEqualTo(Errno.EDEADLK);
            assertThat(f.reason()).contains("already holds");
        });
        assertThat(h.state().count()).isEqualTo(1);
        assertThat(t.eventsOf(MapEvent.NestedProgramFired.class)).singleElement()
                .satisfies(e -> assertThat(e.attachPoint()).isEqualTo("lookup_elem_raw"));
    }

    @Test
    void anotherBucketProceedsOn618() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, NB, 0);
        int a = keyInBucket(1, NB, 1);
        int sameSlot = keyInBucket(9, NB, 1); // bucket 9 shares guard slot 1 with bucket 1
        NestedProgram p = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 0, h, sameSlot, 7);
        assertThat(h.update(0, u32(a), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(p.result().errno()).isEqualTo(Errno.OK);
        assertThat(le(h.lookup(0, u32(sameSlot), 0).value())).isEqualTo(7);
        assertThat(h.count()).isEqualTo(2);
        assertThat(t.eventsOf(BucketEvent.BucketLockFailed.class)).isEmpty();
        assertThat(t.eventsOf(BucketEvent.MapLockedChanged.class)).as("6.18 has no guard counters").isEmpty();
    }

    @Test
    void theGuardRefusesTheSlotNotOnlyTheBucketOn614() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_14);
        BpfMap h = t.map(MapType.HASH, NB, 0);
        int a = keyInBucket(1, NB, 1);
        int sameSlot = keyInBucket(9, NB, 1);
        int otherSlot = keyInBucket(2, NB, 1);

        NestedProgram same = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 0, h, a, 2);
        assertThat(h.update(0, u32(a), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(same.result().errno()).isEqualTo(Errno.EBUSY);

        NestedProgram shared = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 0, h, sameSlot, 2);
        assertThat(h.update(0, u32(a), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(shared.result().errno()).as("bucket 9 shares slot 1").isEqualTo(Errno.EBUSY);
        assertThat(h.lookup(0, u32(sameSlot), 0).errno()).isEqualTo(Errno.ENOENT);

        NestedProgram other = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 0, h, otherSlot, 3);
        assertThat(h.update(0, u32(a), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(other.result().errno()).isEqualTo(Errno.OK);
        assertThat(le(h.lookup(0, u32(otherSlot), 0).value())).isEqualTo(3);

        List<BucketEvent.BucketLockFailed> failed = t.eventsOf(BucketEvent.BucketLockFailed.class);
        assertThat(failed).extracting(BucketEvent.BucketLockFailed::bucket).containsExactly(1, 9);
        assertThat(failed).allSatisfy(f -> assertThat(f.errno()).isEqualTo(Errno.EBUSY));
        // the guard counter of slot 1 on CPU 0 goes 1 (outer lock) and back to 0 at each unlock
        List<BucketEvent.MapLockedChanged> slot1 = t.eventsOf(BucketEvent.MapLockedChanged.class).stream()
                .filter(e -> e.slot() == 1).toList();
        assertThat(slot1).extracting(BucketEvent.MapLockedChanged::count).containsExactly(1, 0, 1, 0, 1, 0);
        assertThat(h.state().count()).isEqualTo(2);
    }

    @Test
    void aSmallMapHasOneSlotPerBucket() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_14);
        BpfMap h = t.map(MapType.HASH, 2, 0); // 2 buckets: slot mask min(7, 1) = 1
        int a = keyInBucket(0, 2, 1);
        int b = keyInBucket(1, 2, 1);
        NestedProgram p = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 0, h, b, 5);
        assertThat(h.update(0, u32(a), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(p.result().errno()).isEqualTo(Errno.OK);
        assertThat(((Htab) h.state()).locks().guardSlot(3)).as("slot mask min(7, n_buckets - 1) = 1").isEqualTo(1);
    }

    @Test
    void aLookupTakesNoLockSoItAlwaysRuns() {
        for (KernelProfile profile : KernelProfile.values()) {
            LockTestMaps t = new LockTestMaps(profile);
            BpfMap h = t.map(MapType.HASH, NB, 0);
            int a = keyInBucket(1, NB, 1);
            assertThat(h.update(0, u32(a), u64(4), 0)).isEqualTo(Errno.OK);
            NestedProgram p = t.runtime.armNestedProgram(AttachPoint.LOOKUP_ELEM_RAW, 0, "prog_lookup",
                    c -> h.progLookup(c, u32(a)));
            assertThat(h.delete(0, u32(a))).isEqualTo(Errno.OK);
            assertThat(p.result().errno()).as(profile.scenarioName()).isEqualTo(Errno.OK);
            assertThat(le(p.result().value())).isEqualTo(4);
        }
    }

    @Test
    void theProgramRunsOnlyOnItsCpuAndOnlyOnce() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, NB, 0);
        int a = keyInBucket(1, NB, 1);
        NestedProgram p = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 1, h, a, 9);
        assertThat(h.update(0, u32(a), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(p.fired()).as("armed for CPU 1, the update ran on CPU 0").isFalse();
        assertThat(h.update(1, u32(a), u64(2), 0)).isEqualTo(Errno.OK);
        assertThat(p.result().errno()).isEqualTo(Errno.EDEADLK);
        assertThat(h.update(1, u32(a), u64(3), 0)).isEqualTo(Errno.OK);
        assertThat(t.eventsOf(MapEvent.NestedProgramFired.class)).hasSize(1);
        assertThat(p.firedInMap()).isEqualTo(h.id());
    }

    @Test
    void aLookupNeverReachesLookupElemRaw() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, NB, 0);
        assertThat(h.update(0, u32(1), u64(1), 0)).isEqualTo(Errno.OK);
        NestedProgram p = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 0, h, 1, 2);
        h.lookup(0, u32(1), 0);
        h.getNextKey(0, null);
        h.lookupBatch(0, null, 10, 0, 0);
        assertThat(p.fired()).as("lockless walks use lookup_nulls_elem_raw; batches walk chains themselves").isFalse();
        t.runtime.disarmNestedProgram();
    }

    // ---------------------------------------------------------------------------------------------------------
    // At bpf_obj_free_fields: the release of the replaced element's fields

    @Test
    void replacingInAPreallocatedMapFreesFieldsUnderTheLockOn618() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, NB, 0);
        int a = keyInBucket(1, NB, 1);
        int b = keyInBucket(2, NB, 1);
        int fresh = keyInBucket(3, NB, 1);
        h.update(0, u32(a), u64(1), 0);
        h.update(0, u32(b), u64(1), 0);

        NestedProgram same = t.armUpdate(AttachPoint.BPF_OBJ_FREE_FIELDS, 0, h, a, 7);
        assertThat(h.update(0, u32(a), u64(2), 0)).isEqualTo(Errno.OK);
        assertThat(same.result().errno()).isEqualTo(Errno.EDEADLK);

        NestedProgram replace = t.armUpdate(AttachPoint.BPF_OBJ_FREE_FIELDS, 0, h, b, 7);
        assertThat(h.update(0, u32(a), u64(3), 0)).isEqualTo(Errno.OK);
        assertThat(replace.result().errno()).as("the CPU's extra element is in use by the outer update")
                .isEqualTo(Errno.EBUSY);
        assertThat(le(h.lookup(0, u32(b), 0).value())).isEqualTo(1);

        NestedProgram insert = t.armUpdate(AttachPoint.BPF_OBJ_FREE_FIELDS, 0, h, fresh, 7);
        assertThat(h.update(0, u32(a), u64(4), 0)).isEqualTo(Errno.OK);
        assertThat(insert.result().errno()).as("a new key needs no extra element").isEqualTo(Errno.OK);
        assertThat(le(h.lookup(0, u32(fresh), 0).value())).isEqualTo(7);
        assertThat(le(h.lookup(0, u32(a), 0).value())).isEqualTo(4);
        assertThat(h.count()).isEqualTo(3);
    }

    @Test
    void elsewhereFieldsAreFreedAfterTheUnlock() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap noPrealloc = t.map(MapType.HASH, NB, MapFlag.NO_PREALLOC.bit());
        int a = keyInBucket(1, NB, 1);
        noPrealloc.update(0, u32(a), u64(1), 0);
        NestedProgram p = t.armUpdate(AttachPoint.BPF_OBJ_FREE_FIELDS, 0, noPrealloc, a, 7);
        assertThat(noPrealloc.update(0, u32(a), u64(2), 0)).isEqualTo(Errno.OK);
        assertThat(p.result().errno()).isEqualTo(Errno.OK);
        assertThat(le(noPrealloc.lookup(0, u32(a), 0).value())).as("the nested update came last").isEqualTo(7);

        BpfMap prealloc = t.map(MapType.HASH, NB, 0);
        prealloc.update(0, u32(a), u64(1), 0);
        NestedProgram d = t.armUpdate(AttachPoint.BPF_OBJ_FREE_FIELDS, 0, prealloc, a, 8);
        assertThat(prealloc.delete(0, u32(a))).isEqualTo(Errno.OK);
        assertThat(d.result().errno()).isEqualTo(Errno.OK);
        assertThat(le(prealloc.lookup(0, u32(a), 0).value())).isEqualTo(8);
    }

    @Test
    void before615TheNestedReplacementTakesTheExtraElementBeingReleased() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_14);
        BpfMap h = t.map(MapType.HASH, NB, 0);
        int a = keyInBucket(1, NB, 1);
        int b = keyInBucket(2, NB, 1);
        h.update(0, u32(a), u64(1), 0);
        h.update(0, u32(b), u64(1), 0);
        int bOld = h.state().chain(2)[0];
        int aOld = h.state().chain(1)[0];
        NestedProgram p = t.armUpdate(AttachPoint.BPF_OBJ_FREE_FIELDS, 0, h, b, 7);
        assertThat(h.update(0, u32(a), u64(2), 0)).isEqualTo(Errno.OK);
        assertThat(p.result().errno()).isEqualTo(Errno.OK);
        // the outer update parked a's old element as CPU 0's extra; the nested one took it for b
        assertThat(h.state().chain(2)).containsExactly(aOld);
        assertThat(h.state().extra(0)).isEqualTo(bOld);
        assertThat(le(h.lookup(0, u32(a), 0).value())).isEqualTo(2);
        assertThat(le(h.lookup(0, u32(b), 0).value())).isEqualTo(7);
        assertThat(h.count()).isEqualTo(2);
    }

    @Test
    void evictionRunsUnderTheLruLocksSoANestedLruUpdateCannotPop() {
        for (KernelProfile profile : KernelProfile.values()) {
            LockTestMaps t = new LockTestMaps(profile);
            BpfMap lru = t.map(MapType.LRU_HASH, 4, 0);
            for (int k = 1; k <= 4; k++) {
                assertThat(lru.update(0, u32(k), u64(k), 0)).isEqualTo(Errno.OK);
            }
            NestedProgram p = t.armUpdate(AttachPoint.BPF_OBJ_FREE_FIELDS, 0, lru, 99, 9);
            t.events.clear();
            assertThat(lru.update(0, u32(5), u64(5), 0)).as(profile.scenarioName()).isEqualTo(Errno.OK);
            assertThat(p.fired()).as("the eviction released the victim's fields").isTrue();
            assertThat(p.result().errno()).as("no LRU node: the local list lock is this CPU's")
                    .isEqualTo(Errno.ENOMEM);
            LruEvent.LruLockFailed f = t.eventsOf(LruEvent.LruLockFailed.class).get(0);
            assertThat(f.local()).isTrue();
            assertThat(f.errno()).isEqualTo(Errno.EDEADLK);
            assertThat(f.reason()).contains(profile == KernelProfile.V6_18 ? "already holds" : "would hang");
            assertThat(lru.lookup(0, u32(99), 0).errno()).isEqualTo(Errno.ENOENT);
            assertThat(lru.lookup(0, u32(5), 0).errno()).isEqualTo(Errno.OK);
            assertThat(lru.state().count()).isEqualTo(lru.count());
        }
    }

    @Test
    void nestedProgramsMayTouchAnotherMap() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_14);
        BpfMap h = t.map(MapType.HASH, NB, 0);
        BpfMap other = t.map(MapType.HASH, NB, 0);
        int a = keyInBucket(1, NB, 1);
        NestedProgram p = t.armUpdate(AttachPoint.LOOKUP_ELEM_RAW, 0, other, a, 6);
        assertThat(h.update(0, u32(a), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(p.result().errno()).as("the guard is per map").isEqualTo(Errno.OK);
        assertThat(le(other.lookup(0, u32(a), 0).value())).isEqualTo(6);
        ValueResult r = p.result();
        assertThat(r.value()).isNull();
    }
}
