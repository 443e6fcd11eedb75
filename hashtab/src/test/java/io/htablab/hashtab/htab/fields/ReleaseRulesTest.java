package io.htablab.hashtab.htab.fields;

import static io.htablab.hashtab.htab.fields.TimerMaps.u32;
import static io.htablab.hashtab.htab.fields.TimerMaps.u64;
import static io.htablab.hashtab.htab.fields.TimerMaps.u64At;
import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.Htab;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.event.FieldEvent;
import io.htablab.hashtab.htab.event.FieldEvent.CancelReason;
import io.htablab.hashtab.htab.event.HtabEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spec 11.3: where the kernel releases a value's timers and work items. Each test arms a timer whose callback
 * counts, applies one rule, and checks that the callback never runs, that the field is unset again and that the
 * release event names the rule; removing the rule's call site makes the test fail.
 */
class ReleaseRulesTest {

    static final long MS = 1_000_000;

    final BpfRuntime rt = new BpfRuntime();
    final BpfMap counters = TimerMaps.counters(rt);
    final List<HtabEvent> events = new ArrayList<>();

    BpfMap map(MapType type, MapFlag... flags) {
        BpfMap m = TimerMaps.create(rt, type, 8, flags);
        m.addListener(events::add);
        counters.update(0, u32(0), u64(0), 0);
        return m;
    }

    void arm(BpfMap m, int key) {
        assertThat(m.bpfTimerInit(0, u32(key), null, 1).errno()).isEqualTo(Errno.OK);
        assertThat(m.bpfTimerSetCallback(0, u32(key), null,
                BpfCallback.named("count", f -> counters.progValueAdd(f.cpu(), u32(0), 0, 1))).errno())
                .isEqualTo(Errno.OK);
        assertThat(m.bpfTimerStart(0, u32(key), null, 5 * MS, 0).errno()).isEqualTo(Errno.OK);
    }

    long fired() {
        return u64At(counters.lookup(0, u32(0), 0).value(), 0);
    }

    List<CancelReason> reasons() {
        return events.stream().filter(e -> e instanceof FieldEvent.TimerCancelled)
                .map(e -> ((FieldEvent.TimerCancelled) e).reason()).toList();
    }

    void put(BpfMap m, int key) {
        assertThat(m.update(0, u32(key), TimerMaps.value(), 0)).isEqualTo(Errno.OK);
    }

    /** The timer went: no firing, and a fresh element of the key starts with the field unset. */
    void assertReleased(BpfMap m, int key, CancelReason reason) {
        rt.clock().advance(10 * MS);
        assertThat(fired()).as("callback of a released timer").isZero();
        assertThat(reasons()).containsExactly(reason);
        if (m.lookup(0, u32(key), 0).errno() != Errno.OK) {
            put(m, key);
        }
        assertThat(m.bpfTimerInit(0, u32(key), null, 1).errno()).as("field unset again").isEqualTo(Errno.OK);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void deleteReleases(boolean prealloc) {
        BpfMap m = prealloc ? map(MapType.HASH) : map(MapType.HASH, MapFlag.NO_PREALLOC);
        put(m, 1);
        arm(m, 1);
        assertThat(m.delete(0, u32(1))).isEqualTo(Errno.OK);
        assertReleased(m, 1, CancelReason.DELETE);
    }

    @Test
    void programDeleteReleases() {
        BpfMap m = map(MapType.LRU_HASH);
        put(m, 1);
        arm(m, 1);
        assertThat(m.progDelete(1, u32(1))).isEqualTo(Errno.OK);
        assertReleased(m, 1, CancelReason.DELETE);
    }

    @Test
    void lookupAndDeleteReleases() {
        BpfMap m = map(MapType.HASH);
        put(m, 1);
        arm(m, 1);
        assertThat(m.lookupAndDelete(0, u32(1), 0).errno()).isEqualTo(Errno.OK);
        assertReleased(m, 1, CancelReason.DELETE);
    }

    @Test
    void deleteBatchReleases() {
        BpfMap m = map(MapType.HASH);
        put(m, 1);
        put(m, 2);
        arm(m, 1);
        assertThat(m.deleteBatch(0, List.of(u32(2), u32(1)), 0).count()).isEqualTo(2);
        assertReleased(m, 1, CancelReason.DELETE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hash", "lru_hash"})
    void lookupAndDeleteBatchReleases(String type) {
        BpfMap m = map(MapType.fromScenarioName(type));
        put(m, 1);
        arm(m, 1);
        assertThat(m.lookupAndDeleteBatch(0, null, 8, 0, 0).count()).isEqualTo(1);
        assertReleased(m, 1, CancelReason.DELETE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hash", "hash+no_prealloc", "lru_hash", "lru_hash+no_common_lru"})
    void replacementByUpdateReleasesTheOldElement(String variant) {
        BpfMap m = switch (variant) {
            case "hash" -> map(MapType.HASH);
            case "hash+no_prealloc" -> map(MapType.HASH, MapFlag.NO_PREALLOC);
            case "lru_hash" -> map(MapType.LRU_HASH);
            default -> map(MapType.LRU_HASH, MapFlag.NO_COMMON_LRU);
        };
        put(m, 1);
        arm(m, 1);
        assertThat(m.update(0, u32(1), TimerMaps.value(), ElemFlag.BPF_EXIST)).isEqualTo(Errno.OK);
        assertReleased(m, 1, CancelReason.REPLACE);
    }

    @Test
    void programUpdateReplacementReleasesToo() {
        BpfMap m = map(MapType.HASH);
        put(m, 1);
        arm(m, 1);
        assertThat(m.progUpdate(1, u32(1), TimerMaps.value(), ElemFlag.BPF_ANY)).isEqualTo(Errno.OK);
        assertReleased(m, 1, CancelReason.REPLACE);
    }

    @Test
    void aFailedUpdateKeepsTheTimer() {
        BpfMap m = map(MapType.HASH);
        put(m, 1);
        arm(m, 1);
        assertThat(m.update(0, u32(1), TimerMaps.value(), ElemFlag.BPF_NOEXIST)).isEqualTo(Errno.EEXIST);
        assertThat(m.update(0, u32(2), TimerMaps.value(), ElemFlag.BPF_EXIST)).isEqualTo(Errno.ENOENT);
        rt.clock().advance(10 * MS);
        assertThat(fired()).isEqualTo(1);
        assertThat(reasons()).isEmpty();
    }

    @Test
    void inPlaceLockedUpdateKeepsTheTimer() {
        // struct { struct bpf_spin_lock l; __u32 n; struct bpf_timer t; }
        MapBtf btf = new MapBtf("__u32", 4, "struct lv", 24, new FieldRecord(List.of(
                new SpecialField(FieldKind.SPIN_LOCK, 0, 4, "l"), new SpecialField(FieldKind.TIMER, 8, 16, "t"))),
                null, null);
        BpfMap m = BpfMap.create(new io.htablab.hashtab.htab.HtabAttr(MapType.HASH, 4, 24, 4,
                MapFlag.ZERO_SEED.bit()).withBtf(btf), io.htablab.hashtab.htab.MapOptions.defaults()
                .withPossibleCpus(2).withRuntime(rt)).map();
        m.addListener(events::add);
        counters.update(0, u32(0), u64(0), 0);
        assertThat(m.update(0, u32(1), new byte[24], 0)).isEqualTo(Errno.OK);
        arm(m, 1);
        assertThat(m.update(0, u32(1), new byte[24], ElemFlag.BPF_F_LOCK)).isEqualTo(Errno.OK);
        assertThat(m.update(0, u32(1), new byte[24], ElemFlag.BPF_F_LOCK | ElemFlag.BPF_EXIST))
                .isEqualTo(Errno.OK);
        rt.clock().advance(10 * MS);
        assertThat(fired()).as("F_LOCK copies in place: the timer stays armed").isEqualTo(1);
        assertThat(reasons()).isEmpty();
    }

    @Test
    void lruEvictionReleasesAfterUnlinking() {
        BpfMap m = map(MapType.LRU_HASH);
        put(m, 0);
        arm(m, 0);
        int k = 100;
        // Arming looked key 0 up from a program, which marked it referenced; newer keys must be referenced too
        // for the LRU's rotation to age key 0 out.
        while (m.lookup(0, u32(0), 0).errno() == Errno.OK && k < 2000) {
            put(m, k);
            m.progLookup(0, u32(k++));
        }
        assertThat(m.lookup(0, u32(0), 0).errno()).as("key 0 evicted").isEqualTo(Errno.ENOENT);
        rt.clock().advance(10 * MS);
        assertThat(fired()).isZero();
        assertThat(reasons()).containsExactly(CancelReason.EVICT);
    }

    @Test
    void closeOfAPreallocatedMapReleasesEveryPreallocatedElementAndForbidsInit() {
        BpfMap m = map(MapType.HASH);
        put(m, 1);
        arm(m, 1);
        Htab h = (Htab) m.state();
        // A program holding a stale value pointer can initialise the timer of an element on the freelist and of a
        // spare; the kernel's uref release still finds them because it walks every preallocated element.
        int free = h.freelist(1)[0];
        int spare = h.extra(0);
        AsyncFields af = h.asyncFields();
        assertThat(af.bpfTimerInit(free, 0, 0, 1).errno()).isEqualTo(Errno.OK);
        assertThat(af.bpfTimerInit(spare, 0, 0, 1).errno()).isEqualTo(Errno.OK);
        assertThat(m.closeFd()).isEqualTo(Errno.OK);
        assertThat(af.all()).isEmpty();
        assertThat(reasons()).containsExactly(CancelReason.CLOSE, CancelReason.CLOSE, CancelReason.CLOSE);
        rt.clock().advance(10 * MS);
        assertThat(fired()).isZero();
        // programs still run; a timer can no longer be initialised (set_callback finds it unset first)
        assertThat(m.bpfTimerInit(0, u32(1), null, 1).errno()).isEqualTo(Errno.EPERM);
        assertThat(m.bpfTimerSetCallback(0, u32(1), null, f -> { }).errno()).isEqualTo(Errno.EINVAL);
        assertThat(m.bpfWqInit(0, u32(1), null, 0).errno()).isEqualTo(Errno.EPERM);
        assertThat(m.progUpdate(0, u32(3), TimerMaps.value(), 0)).isEqualTo(Errno.OK);
        assertThat(m.bpfTimerInit(0, u32(3), null, 1).errno()).isEqualTo(Errno.EPERM);
        assertThat(m.closeFd()).isEqualTo(Errno.EBADF);
    }

    @Test
    void closeOfAMapAllocatedOnDemandVisitsOnlyLinkedElements() {
        BpfMap m = map(MapType.HASH, MapFlag.NO_PREALLOC);
        put(m, 1);
        put(m, 2);
        arm(m, 1);
        Htab h = (Htab) m.state();
        AsyncFields af = h.asyncFields();
        int unlinked = 1000; // an element index no chain holds (a stale pointer into freed memory)
        assertThat(af.bpfTimerInit(unlinked, 0, 0, 1).errno()).isEqualTo(Errno.OK);
        m.closeFd();
        assertThat(af.all()).extracting(BpfAsync::elem).containsExactly(unlinked);
        assertThat(reasons()).containsExactly(CancelReason.CLOSE);
        // a timer that survived the uref drop: set_callback now answers EPERM
        assertThat(af.bpfTimerSetCallback(unlinked, 0, 0, f -> { }).errno()).isEqualTo(Errno.EPERM);
        m.mapFree();
        assertThat(af.all()).isEmpty();
        assertThat(reasons()).containsExactly(CancelReason.CLOSE, CancelReason.MAP_FREE);
        assertThat(rt.mapById(m.id())).isNull();
    }

    @Test
    void mapFreeClosesFirst() {
        BpfMap m = map(MapType.LRU_HASH);
        put(m, 1);
        arm(m, 1);
        m.mapFree();
        rt.clock().advance(10 * MS);
        assertThat(fired()).isZero();
        assertThat(reasons()).containsExactly(CancelReason.CLOSE);
        assertThat(m.hasUserRefs()).isFalse();
    }

    @Test
    void callbackDeletingItsOwnElementDoesNotWaitAndStaysDeleted() {
        BpfMap m = map(MapType.HASH);
        put(m, 1);
        List<HelperResult> afterDelete = new ArrayList<>();
        m.bpfTimerInit(0, u32(1), null, 1);
        m.bpfTimerSetCallback(0, u32(1), null, BpfCallback.named("suicide", f -> {
            counters.progValueAdd(f.cpu(), u32(0), 0, 1);
            f.timerStart(MS, 0);                       // re-armed first ...
            m.progDelete(f.cpu(), f.key());            // ... then its element goes
            afterDelete.add(f.timerStart(MS, 0));      // the field is unset now
        }));
        m.bpfTimerStart(0, u32(1), null, MS, 0);
        rt.clock().advance(10 * MS);
        assertThat(fired()).isEqualTo(1);
        assertThat(afterDelete).extracting(HelperResult::errno).containsExactly(Errno.EINVAL);
        FieldEvent.TimerCancelled c = events.stream().filter(e -> e instanceof FieldEvent.TimerCancelled)
                .map(e -> (FieldEvent.TimerCancelled) e).findFirst().orElseThrow();
        assertThat(c.reason()).isEqualTo(CancelReason.DELETE);
        assertThat(c.deferred()).as("released inside a timer callback: not waited for").isTrue();
        assertThat(c.wasArmed()).isTrue();
        assertThat(rt.clock().armedTimers()).isEmpty();
    }

    @Test
    void releaseOutsideACallbackIsNotDeferred() {
        BpfMap m = map(MapType.HASH);
        put(m, 1);
        arm(m, 1);
        m.delete(0, u32(1));
        FieldEvent.TimerCancelled c = events.stream().filter(e -> e instanceof FieldEvent.TimerCancelled)
                .map(e -> (FieldEvent.TimerCancelled) e).findFirst().orElseThrow();
        assertThat(c.deferred()).isFalse();
        assertThat(c.wasArmed()).isTrue();
    }
}
