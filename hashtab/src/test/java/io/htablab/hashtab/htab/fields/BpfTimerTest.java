package io.htablab.hashtab.htab.fields;

import static io.htablab.hashtab.htab.fields.TimerMaps.u32;
import static io.htablab.hashtab.htab.fields.TimerMaps.u64;
import static io.htablab.hashtab.htab.fields.TimerMaps.u64At;
import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.event.FieldEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** bpf_timer's state machine and return codes on the virtual clock (kernel/bpf/helpers.c). */
class BpfTimerTest {

    static final long MS = 1_000_000;

    BpfRuntime rt;
    BpfMap m;
    BpfMap counters;
    List<String> log;

    @BeforeEach
    void setUp() {
        rt = new BpfRuntime();
        m = TimerMaps.create(rt, MapType.HASH, 8);
        counters = TimerMaps.counters(rt);
        log = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            assertThat(counters.update(0, u32(k), u64(0), 0)).isEqualTo(Errno.OK);
            assertThat(m.update(0, u32(k), TimerMaps.value(), 0)).isEqualTo(Errno.OK);
        }
    }

    /** Adds 1 to counter {@code k} and logs "name@cpu:time". */
    BpfCallback count(String name, int k) {
        return BpfCallback.named(name, f -> {
            counters.progValueAdd(f.cpu(), u32(k), 0, 1);
            log.add(name + "@" + f.cpu() + ":" + rt.clock().nowNs() / MS);
        });
    }

    long counter(int k) {
        return u64At(counters.lookup(0, u32(k), 0).value(), 0);
    }

    Errno err(HelperResult r) {
        return r.errno();
    }

    void armed(int key, String cb, long ns, long flags, int cpu) {
        assertThat(m.bpfTimerInit(cpu, u32(key), null, 1).isOk()).isTrue();
        assertThat(m.bpfTimerSetCallback(cpu, u32(key), null, count(cb, key)).isOk()).isTrue();
        assertThat(m.bpfTimerStart(cpu, u32(key), null, ns, flags).isOk()).isTrue();
    }

    @Test
    void initChecksClockThenBusyThenSucceedsOnce() {
        assertThat(err(m.bpfTimerInit(0, u32(0), null, 2))).isEqualTo(Errno.EINVAL); // PROCESS_CPUTIME
        assertThat(err(m.bpfTimerInit(0, u32(0), null, 8))).isEqualTo(Errno.EINVAL); // REALTIME_ALARM
        assertThat(err(m.bpfTimerInit(0, u32(0), null, 16))).isEqualTo(Errno.EINVAL); // >= MAX_CLOCKS
        assertThat(err(m.bpfTimerInit(0, u32(0), null, 1 | 16))).isEqualTo(Errno.EINVAL);
        assertThat(err(m.bpfTimerInit(0, u32(0), null, 1))).isEqualTo(Errno.OK);
        assertThat(err(m.bpfTimerInit(0, u32(0), null, 1))).isEqualTo(Errno.EBUSY);
        assertThat(err(m.bpfTimerInit(0, u32(0), null, 99))).isEqualTo(Errno.EINVAL); // flags first
        assertThat(err(m.bpfTimerInit(0, u32(1), null, 0))).isEqualTo(Errno.OK); // realtime
        assertThat(err(m.bpfTimerInit(0, u32(2), null, 7))).isEqualTo(Errno.OK); // boottime
        assertThat(err(m.bpfTimerInit(0, u32(9), null, 1))).isEqualTo(Errno.ENOENT); // no element
        assertThat(m.state().count()).isEqualTo(4);
    }

    @Test
    void uninitialisedTimerRefusesEveryHelper() {
        assertThat(err(m.bpfTimerSetCallback(0, u32(0), null, count("a", 0)))).isEqualTo(Errno.EINVAL);
        assertThat(err(m.bpfTimerStart(0, u32(0), null, MS, 0))).isEqualTo(Errno.EINVAL);
        assertThat(err(m.bpfTimerCancel(0, u32(0), null))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void startNeedsKnownFlagsAndACallback() {
        m.bpfTimerInit(0, u32(0), null, 1);
        assertThat(err(m.bpfTimerStart(0, u32(0), null, MS, 0))).isEqualTo(Errno.EINVAL); // no callback
        m.bpfTimerSetCallback(0, u32(0), null, count("a", 0));
        assertThat(err(m.bpfTimerStart(0, u32(0), null, MS, 4))).isEqualTo(Errno.EINVAL);
        assertThat(err(m.bpfTimerStart(0, u32(0), null, MS, 3))).isEqualTo(Errno.OK);
    }

    @Test
    void firesAtExpiryOnTheArmingCpuAndNotBefore() {
        armed(1, "a", 5 * MS, 0, 1);
        rt.clock().advance(4 * MS);
        assertThat(counter(1)).isZero();
        rt.clock().advance(MS);
        assertThat(counter(1)).isEqualTo(1);
        assertThat(log).containsExactly("a@1:5");
        rt.clock().advance(100 * MS);
        assertThat(counter(1)).as("a fired timer stays disarmed").isEqualTo(1);
    }

    @Test
    void timersFireInExpiryOrderTiesInArmingOrder() {
        armed(0, "late", 3 * MS, 0, 0);
        armed(1, "tieA", 2 * MS, 0, 1);
        armed(2, "tieB", 2 * MS, 0, 0);
        armed(3, "early", 1 * MS, 0, 0);
        rt.clock().advance(10 * MS);
        assertThat(log).containsExactly("early@0:1", "tieA@1:2", "tieB@0:2", "late@0:3");
    }

    @Test
    void rearmingMovesATimerToTheEndOfItsTie() {
        armed(1, "a", 2 * MS, 0, 0);
        armed(2, "b", 2 * MS, 0, 0);
        m.bpfTimerStart(0, u32(1), null, 2 * MS, 0);
        rt.clock().advance(2 * MS);
        assertThat(log).containsExactly("b@0:2", "a@0:2");
    }

    @Test
    void cancelReturnsOneWhenArmedZeroWhenNotAndDropsTheCallback() {
        armed(1, "a", 5 * MS, 0, 0);
        HelperResult r = m.bpfTimerCancel(0, u32(1), null);
        assertThat(r.errno()).isEqualTo(Errno.OK);
        assertThat(r.value()).isEqualTo(1);
        assertThat(m.bpfTimerCancel(0, u32(1), null).value()).isZero();
        rt.clock().advance(10 * MS);
        assertThat(counter(1)).isZero();
        assertThat(err(m.bpfTimerStart(0, u32(1), null, MS, 0))).as("the callback went with the cancel")
                .isEqualTo(Errno.EINVAL);
        assertThat(err(m.bpfTimerInit(0, u32(1), null, 1))).as("still initialised").isEqualTo(Errno.EBUSY);
        m.bpfTimerSetCallback(0, u32(1), null, count("a", 1));
        assertThat(err(m.bpfTimerStart(0, u32(1), null, MS, 0))).isEqualTo(Errno.OK);
        rt.clock().advance(MS);
        assertThat(counter(1)).isEqualTo(1);
        assertThat(m.bpfTimerCancel(0, u32(1), null).value()).as("fired: not active").isZero();
    }

    @Test
    void callbackThatRestartsItselfFiresPeriodically() {
        m.bpfTimerInit(0, u32(1), null, 1);
        m.bpfTimerSetCallback(0, u32(1), null, BpfCallback.named("tick", f -> {
            log.add("tick:" + rt.clock().nowNs() / MS);
            assertThat(f.timerStart(3 * MS, 0).errno()).isEqualTo(Errno.OK);
        }));
        m.bpfTimerStart(0, u32(1), null, MS, 0);
        rt.clock().advance(10 * MS);
        assertThat(log).containsExactly("tick:1", "tick:4", "tick:7", "tick:10");
    }

    @Test
    void callbackCancellingItsOwnTimerGetsEdeadlk() {
        List<HelperResult> seen = new ArrayList<>();
        m.bpfTimerInit(0, u32(1), null, 1);
        m.bpfTimerSetCallback(0, u32(1), null, BpfCallback.named("c", f -> seen.add(f.timerCancel())));
        m.bpfTimerStart(0, u32(1), null, MS, 0);
        rt.clock().advance(MS);
        assertThat(seen).extracting(HelperResult::errno).containsExactly(Errno.EDEADLK);
    }

    @Test
    void callbackMayCancelAnotherTimer() {
        List<HelperResult> seen = new ArrayList<>();
        armed(2, "victim", 5 * MS, 0, 0);
        m.bpfTimerInit(0, u32(1), null, 1);
        m.bpfTimerSetCallback(0, u32(1), null, BpfCallback.named("c",
                f -> seen.add(m.bpfTimerCancel(f.cpu(), u32(2), null))));
        m.bpfTimerStart(0, u32(1), null, MS, 0);
        rt.clock().advance(10 * MS);
        assertThat(seen).extracting(HelperResult::value).containsExactly(1L);
        assertThat(counter(2)).isZero();
    }

    @Test
    void absoluteExpiryIsReadOnTheTimersClock() {
        rt.clock().advance(10 * MS);
        armed(1, "abs", 12 * MS, AsyncFields.BPF_F_TIMER_ABS, 0);
        armed(2, "past", 3 * MS, AsyncFields.BPF_F_TIMER_ABS, 0);
        rt.clock().advance(0);
        assertThat(log).containsExactly("past@0:10");
        rt.clock().advance(2 * MS);
        assertThat(log).containsExactly("past@0:10", "abs@0:12");
    }

    @Test
    void monotonicTimersStopDuringSuspendBoottimeOnesDoNot() {
        m.bpfTimerInit(0, u32(1), null, ClockId.MONOTONIC.id());
        m.bpfTimerInit(0, u32(2), null, ClockId.BOOTTIME.id());
        for (int k = 1; k <= 2; k++) {
            m.bpfTimerSetCallback(0, u32(k), null, count(k == 1 ? "mono" : "boot", k));
            m.bpfTimerStart(0, u32(k), null, 5 * MS, 0);
        }
        rt.clock().suspend(10 * MS);
        assertThat(counter(1)).isZero();
        assertThat(counter(2)).isEqualTo(1);
        rt.clock().advance(5 * MS);
        assertThat(counter(1)).isEqualTo(1);
    }

    @Test
    void realtimeTimerRunsOnTheMonotonicClock() {
        // bpf_timer_init sets up a relative hrtimer; the hrtimer core makes relative REALTIME timers MONOTONIC
        rt.clock().setRealtime(1_000_000 * MS);
        m.bpfTimerInit(0, u32(1), null, ClockId.REALTIME.id());
        m.bpfTimerSetCallback(0, u32(1), null, count("rt", 1));
        m.bpfTimerStart(0, u32(1), null, 5 * MS, AsyncFields.BPF_F_TIMER_ABS);
        rt.clock().suspend(10 * MS);
        assertThat(counter(1)).as("not moved by the wall clock or suspend").isZero();
        rt.clock().advance(5 * MS);
        assertThat(counter(1)).isEqualTo(1);
    }

    @Test
    void pinnedTimerRecordsItsCpu() {
        armed(1, "p", MS, AsyncFields.BPF_F_TIMER_CPU_PIN, 1);
        BpfAsync t = m.state() instanceof Object ? timer(1) : null;
        assertThat(t.isPinned()).isTrue();
        assertThat(t.cpu()).isEqualTo(1);
        assertThat(t.state()).isEqualTo(BpfAsync.State.ARMED);
        rt.clock().advance(MS);
        assertThat(log).containsExactly("p@1:1");
        assertThat(t.state()).isEqualTo(BpfAsync.State.CALLBACK_SET);
    }

    BpfAsync timer(int key) {
        AsyncFields f = asyncFields(m);
        for (BpfAsync a : f.all()) {
            if (a.isTimer() && java.util.Arrays.equals(m.state().elemKey(a.elem()), u32(key))) {
                return a;
            }
        }
        return null;
    }

    static AsyncFields asyncFields(BpfMap map) {
        return ((io.htablab.hashtab.htab.Htab) map.state()).asyncFields();
    }

    @Test
    void selfRestartingZeroTimerIsBoundedPerAdvance() {
        m.bpfTimerInit(0, u32(1), null, 1);
        int[] n = {0};
        m.bpfTimerSetCallback(0, u32(1), null, BpfCallback.named("spin", f -> {
            n[0]++;
            f.timerStart(0, 0);
        }));
        m.bpfTimerStart(0, u32(1), null, 0, 0);
        int ran = rt.clock().advance(MS);
        assertThat(ran).isEqualTo(VirtualClock.MAX_CALLBACKS_PER_ADVANCE);
        assertThat(n[0]).isEqualTo(VirtualClock.MAX_CALLBACKS_PER_ADVANCE);
        assertThat(timer(1).isArmed()).isTrue();
    }

    @Test
    void eventsTellTheWholeLifeOfATimer() {
        List<HtabEvent> ev = new ArrayList<>();
        m.addListener(ev::add);
        armed(1, "a", 2 * MS, 0, 1);
        rt.clock().advance(3 * MS);
        m.delete(0, u32(1));
        List<String> names = ev.stream().filter(e -> e instanceof FieldEvent)
                .map(e -> e.getClass().getSimpleName()).toList();
        assertThat(names).containsExactly("TimerInitialized", "TimerCallbackSet", "TimerArmed", "TimerFired",
                "TimerCallbackDone", "ClockAdvanced", "TimerCancelled", "TimerFreed");
        assertThat(ev).allMatch(e -> e.mapId() == m.id() || e.mapId() == counters.id());
        FieldEvent.TimerArmed a = (FieldEvent.TimerArmed) ev.stream()
                .filter(e -> e instanceof FieldEvent.TimerArmed).findFirst().orElseThrow();
        assertThat(a.expiresNs()).isEqualTo(2 * MS);
        assertThat(a.cpu()).isEqualTo(1);
        assertThat(a.offset()).isEqualTo(8);
        FieldEvent.TimerCancelled c = (FieldEvent.TimerCancelled) ev.stream()
                .filter(e -> e instanceof FieldEvent.TimerCancelled).findFirst().orElseThrow();
        assertThat(c.reason()).isEqualTo(FieldEvent.CancelReason.DELETE);
        assertThat(c.wasArmed()).isFalse();
    }

    @Test
    void userUpdateKeepsNoTimerStateInTheValueBytes() {
        armed(1, "a", 2 * MS, 0, 0);
        // an update with F_LOCK is refused without a spin lock and must not touch the timer
        assertThat(m.update(0, u32(1), TimerMaps.value(), ElemFlag.BPF_F_LOCK)).isEqualTo(Errno.EINVAL);
        rt.clock().advance(2 * MS);
        assertThat(counter(1)).isEqualTo(1);
    }
}
