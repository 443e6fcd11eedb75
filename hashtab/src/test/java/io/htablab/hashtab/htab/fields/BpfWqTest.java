package io.htablab.hashtab.htab.fields;

import static io.htablab.hashtab.htab.fields.TimerMaps.u32;
import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.event.FieldEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bpf_wq kfuncs: bpf_wq_init, bpf_wq_set_callback_impl, bpf_wq_start, and their release. */
class BpfWqTest {

    final BpfRuntime rt = new BpfRuntime();
    BpfMap m;
    final List<String> ran = new ArrayList<>();

    @BeforeEach
    void setUp() {
        m = TimerMaps.create(rt, MapType.HASH, 8);
        for (int k = 0; k < 3; k++) {
            m.update(0, u32(k), TimerMaps.value(), 0);
        }
    }

    BpfCallback work(String name) {
        return BpfCallback.named(name, f -> ran.add(name + "@" + f.cpu()));
    }

    @Test
    void kfuncsCheckFlagsThenState() {
        assertThat(m.bpfWqSetCallback(0, u32(0), null, work("a"), 0).errno()).isEqualTo(Errno.EINVAL);
        assertThat(m.bpfWqStart(0, u32(0), null, 0).errno()).isEqualTo(Errno.EINVAL);
        assertThat(m.bpfWqInit(0, u32(0), null, 1).errno()).isEqualTo(Errno.EINVAL);
        assertThat(m.bpfWqInit(0, u32(0), null, 0).errno()).isEqualTo(Errno.OK);
        assertThat(m.bpfWqInit(0, u32(0), null, 0).errno()).isEqualTo(Errno.EBUSY);
        assertThat(m.bpfWqStart(0, u32(0), null, 0).errno()).as("no callback yet").isEqualTo(Errno.EINVAL);
        assertThat(m.bpfWqSetCallback(0, u32(0), null, work("a"), 1).errno()).isEqualTo(Errno.EINVAL);
        assertThat(m.bpfWqSetCallback(0, u32(0), null, work("a"), 0).errno()).isEqualTo(Errno.OK);
        assertThat(m.bpfWqStart(0, u32(0), null, 2).errno()).isEqualTo(Errno.EINVAL);
        assertThat(m.bpfWqStart(0, u32(0), null, 0).errno()).isEqualTo(Errno.OK);
        assertThat(m.bpfWqInit(0, u32(7), null, 0).errno()).isEqualTo(Errno.ENOENT);
    }

    @Test
    void timerAndWqFieldsAreSeparate() {
        assertThat(m.bpfTimerInit(0, u32(0), null, 1).errno()).isEqualTo(Errno.OK);
        assertThat(m.bpfWqInit(0, u32(0), null, 0).errno()).as("its own bpf_async_kern").isEqualTo(Errno.OK);
        assertThat(m.bpfTimerInit(0, u32(0), "w", 1).errno()).as("w is not a timer").isEqualTo(Errno.EINVAL);
        assertThat(m.bpfTimerInit(0, u32(0), "w", 1).detail()).contains("no struct bpf_timer named 'w'");
    }

    @Test
    void startedItemRunsOnceAtTheNextAdvanceOnTheStartingCpu() {
        m.bpfWqInit(1, u32(0), null, 0);
        m.bpfWqSetCallback(1, u32(0), null, work("a"), 0);
        m.bpfWqStart(1, u32(0), null, 0);
        m.bpfWqStart(0, u32(0), null, 0); // already queued: still once, where it was queued
        assertThat(ran).isEmpty();
        rt.clock().advance(0);
        assertThat(ran).containsExactly("a@1");
        rt.clock().advance(1000);
        assertThat(ran).containsExactly("a@1");
        m.bpfWqStart(0, u32(0), null, 0);
        rt.clock().advance(0);
        assertThat(ran).containsExactly("a@1", "a@0");
    }

    @Test
    void itemsRunInStartOrderBeforeTimers() {
        m.bpfTimerInit(0, u32(2), null, 1);
        m.bpfTimerSetCallback(0, u32(2), null, BpfCallback.named("timer", f -> ran.add("timer")));
        m.bpfTimerStart(0, u32(2), null, 0, 0);
        for (int k : new int[] {1, 0}) {
            m.bpfWqInit(0, u32(k), null, 0);
            m.bpfWqSetCallback(0, u32(k), null, work("w" + k), 0);
            m.bpfWqStart(0, u32(k), null, 0);
        }
        rt.clock().advance(0);
        assertThat(ran).containsExactly("w1@0", "w0@0", "timer");
    }

    @Test
    void deletingTheElementCancelsAPendingItem() {
        List<HtabEvent> ev = new ArrayList<>();
        m.addListener(ev::add);
        m.bpfWqInit(0, u32(0), null, 0);
        m.bpfWqSetCallback(0, u32(0), null, work("a"), 0);
        m.bpfWqStart(0, u32(0), null, 0);
        m.delete(0, u32(0));
        rt.clock().advance(0);
        assertThat(ran).isEmpty();
        FieldEvent.WqCancelled c = ev.stream().filter(e -> e instanceof FieldEvent.WqCancelled)
                .map(e -> (FieldEvent.WqCancelled) e).findFirst().orElseThrow();
        assertThat(c.reason()).isEqualTo(FieldEvent.CancelReason.DELETE);
        assertThat(c.wasPending()).isTrue();
    }

    @Test
    void closeReleasesItemsAndForbidsInit() {
        m.bpfWqInit(0, u32(0), null, 0);
        m.bpfWqSetCallback(0, u32(0), null, work("a"), 0);
        m.bpfWqStart(0, u32(0), null, 0);
        m.closeFd();
        rt.clock().advance(0);
        assertThat(ran).isEmpty();
        assertThat(m.bpfWqInit(0, u32(0), null, 0).errno()).isEqualTo(Errno.EPERM);
        assertThat(m.bpfWqStart(0, u32(0), null, 0).errno()).isEqualTo(Errno.EINVAL);
    }

    @Test
    void workCallbackMayTouchMapsAndItsOwnElement() {
        m.bpfWqInit(0, u32(1), null, 0);
        m.bpfWqSetCallback(0, u32(1), null, BpfCallback.named("del", f -> {
            ran.add("del");
            assertThat(f.timerStart(1, 0).errno()).isEqualTo(Errno.EINVAL);
            assertThat(m.progDelete(f.cpu(), f.key())).isEqualTo(Errno.OK);
        }), 0);
        m.bpfWqStart(0, u32(1), null, 0);
        rt.clock().advance(0);
        assertThat(ran).containsExactly("del");
        assertThat(m.lookup(0, u32(1), 0).errno()).isEqualTo(Errno.ENOENT);
    }
}
