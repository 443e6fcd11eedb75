package io.htablab.hashtab.htab.fields;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.FieldEvent;
import io.htablab.hashtab.htab.event.FieldEvent.CancelReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The timers and work items of one map (kernel/bpf/helpers.c, bpf_timer_* and bpf_wq_*, over the value's
 * {@code struct bpf_async_kern}): which fields of which elements are initialised, the helpers' state machine
 * and return codes, and the release of an element's fields. The hash table reaches it only through
 * {@link #release}, {@link #releaseUref} and the helper entry points; the clock through
 * {@link #fireTimer} and {@link #runWork}.
 *
 * <p>Fields are addressed by element index and field index (the n-th timer or wq of the value type, by offset).
 * An element whose field has no {@link BpfAsync} has it unset.
 */
public final class AsyncFields {

    /** BPF_F_TIMER_ABS: nsecs is an absolute time on the timer's clock. */
    public static final long BPF_F_TIMER_ABS = 1;
    /** BPF_F_TIMER_CPU_PIN: the timer fires on the CPU that started it (no timer migration). */
    public static final long BPF_F_TIMER_CPU_PIN = 2;

    private final int mapId;
    private final EventSink events;
    private final VirtualClock clock;
    /** The value's timer and wq fields, by offset. */
    private final List<SpecialField> fields;
    private final IntFunction<byte[]> keyOf;
    private final Map<Long, BpfAsync> live = new HashMap<>();
    /** map->usercnt &gt; 0: some fd or pin still refers to the map. */
    private boolean userRefs = true;

    private AsyncFields(int mapId, List<SpecialField> fields, VirtualClock clock, EventSink events,
                        IntFunction<byte[]> keyOf) {
        this.mapId = mapId;
        this.fields = fields;
        this.clock = clock;
        this.events = events;
        this.keyOf = keyOf;
        clock.subscribe(this);
    }

    /**
     * The table for a map whose value has timer or wq fields, or null when it has none (the map then pays
     * nothing for this mechanism).
     *
     * @param keyOf the key of an element (a callback's second argument)
     */
    public static AsyncFields create(int mapId, FieldRecord record, VirtualClock clock, EventSink events,
                                     IntFunction<byte[]> keyOf) {
        List<SpecialField> async = new ArrayList<>();
        for (SpecialField f : record.fields()) {
            if (f.kind() == FieldKind.TIMER || f.kind() == FieldKind.WORKQUEUE) {
                async.add(f);
            }
        }
        return async.isEmpty() ? null : new AsyncFields(mapId, List.copyOf(async), clock, events, keyOf);
    }

    public int mapId() {
        return mapId;
    }

    public VirtualClock clock() {
        return clock;
    }

    /** The timer and wq fields of the value type, by offset. */
    public List<SpecialField> fields() {
        return fields;
    }

    /** Whether user space still holds the map (map->usercnt &gt; 0). */
    public boolean hasUserRefs() {
        return userRefs;
    }

    /**
     * The index of the field of {@code kind} named {@code name} (null: the only one of that kind).
     *
     * @return the index, or -1 when there is none, -2 when {@code name} is null and there are several
     */
    public int fieldIndex(FieldKind kind, String name) {
        int found = -1;
        for (int i = 0; i < fields.size(); i++) {
            SpecialField f = fields.get(i);
            if (f.kind() != kind) {
                continue;
            }
            if (name != null) {
                if (f.name().equals(name)) {
                    return i;
                }
            } else if (found >= 0) {
                return -2;
            } else {
                found = i;
            }
        }
        return found;
    }

    /** The timer or work item of element {@code elem}'s field {@code index}, or null when the field is unset. */
    public BpfAsync get(int elem, int index) {
        return live.get(slot(elem, index));
    }

    /** Every initialised timer and work item, by element and offset. */
    public List<BpfAsync> all() {
        List<BpfAsync> out = new ArrayList<>(live.values());
        out.sort((a, b) -> a.elem() != b.elem() ? Integer.compare(a.elem(), b.elem())
                : Integer.compare(a.field().offset(), b.field().offset()));
        return out;
    }

    private long slot(int elem, int index) {
        return (long) elem * fields.size() + index;
    }

    private boolean trace() {
        return events.enabled();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timer helpers

    /** bpf_timer_init: EINVAL for a clock a timer cannot use, EBUSY when initialised, EPERM once uref is gone. */
    public HelperResult bpfTimerInit(int elem, int index, int cpu, long flags) {
        ClockId clock = (flags & ~(long) (ClockId.MAX_CLOCKS - 1)) != 0 ? null
                : ClockId.fromId(flags & (ClockId.MAX_CLOCKS - 1));
        if (clock == null) {
            return HelperResult.error(Errno.EINVAL);
        }
        return bpfAsyncInit(elem, index, cpu, clock);
    }

    /** __bpf_async_init, shared by timers and work items. */
    private HelperResult bpfAsyncInit(int elem, int index, int cpu, ClockId clockId) {
        long s = slot(elem, index);
        if (live.containsKey(s)) {
            return HelperResult.error(Errno.EBUSY);
        }
        // The kernel allocates, publishes and then checks usercnt (undoing it): to the program, plain EPERM.
        if (!userRefs) {
            return HelperResult.error(Errno.EPERM);
        }
        SpecialField f = fields.get(index);
        BpfAsync a = new BpfAsync(this, elem, index, f, clockId);
        live.put(s, a);
        if (trace()) {
            events.accept(a.isTimer()
                    ? new FieldEvent.TimerInitialized(mapId, elem, f.offset(), clockId.scenarioName(), cpu)
                    : new FieldEvent.WqInitialized(mapId, elem, f.offset(), cpu));
        }
        return HelperResult.ZERO;
    }

    /** bpf_timer_set_callback: EINVAL when not initialised, EPERM once uref is gone. */
    public HelperResult bpfTimerSetCallback(int elem, int index, int cpu, BpfCallback callback) {
        return bpfAsyncSetCallback(elem, index, cpu, callback);
    }

    private HelperResult bpfAsyncSetCallback(int elem, int index, int cpu, BpfCallback callback) {
        BpfAsync a = live.get(slot(elem, index));
        if (a == null) {
            return HelperResult.error(Errno.EINVAL);
        }
        if (!userRefs) {
            return HelperResult.error(Errno.EPERM);
        }
        a.callback = callback;
        if (trace()) {
            String name = callback.name();
            events.accept(a.isTimer()
                    ? new FieldEvent.TimerCallbackSet(mapId, elem, a.field().offset(), name, cpu)
                    : new FieldEvent.WqCallbackSet(mapId, elem, a.field().offset(), name, cpu));
        }
        return HelperResult.ZERO;
    }

    /**
     * bpf_timer_start: EINVAL for unknown flags, an uninitialised timer or one without a callback; otherwise
     * (re)arms it to fire {@code nsecs} from now, or at {@code nsecs} with {@link #BPF_F_TIMER_ABS}, on
     * {@code cpu}.
     */
    public HelperResult bpfTimerStart(int elem, int index, int cpu, long nsecs, long flags) {
        if ((flags & ~(BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN)) != 0) {
            return HelperResult.error(Errno.EINVAL);
        }
        BpfAsync t = live.get(slot(elem, index));
        if (t == null || t.callback == null) {
            return HelperResult.error(Errno.EINVAL);
        }
        boolean abs = (flags & BPF_F_TIMER_ABS) != 0;
        // ns_to_ktime: a u64 beyond KTIME_MAX is KTIME_MAX, and so is a relative expiry that overflows.
        long ns = nsecs < 0 ? Long.MAX_VALUE : nsecs;
        long now = clock.now(t.baseClock());
        long expires = abs ? ns : (now + ns < now ? Long.MAX_VALUE : now + ns);
        boolean rearmed = t.armed;
        clock.enqueue(t, expires);
        t.absolute = abs;
        t.pinned = (flags & BPF_F_TIMER_CPU_PIN) != 0;
        t.cpu = cpu;
        t.cancelled = false;
        if (trace()) {
            events.accept(new FieldEvent.TimerArmed(mapId, elem, t.field().offset(), expires,
                    t.baseClock().scenarioName(), cpu, t.pinned, abs, rearmed));
        }
        return HelperResult.ZERO;
    }

    /**
     * bpf_timer_cancel: EINVAL when not initialised, EDEADLK from the timer's own callback; otherwise drops the
     * callback (the timer needs a new one before it can start again) and returns 1 if it was queued, else 0.
     */
    public HelperResult bpfTimerCancel(int elem, int index, int cpu) {
        BpfAsync t = live.get(slot(elem, index));
        if (t == null) {
            return HelperResult.error(Errno.EINVAL);
        }
        if (clock.runningTimer() == t) {
            return HelperResult.error(Errno.EDEADLK);
        }
        // Two callbacks cancelling each other (the cancelling counter's EDEADLK) need two CPUs running
        // callbacks at once, which the model's one-at-a-time callbacks never do.
        t.callback = null;
        boolean was = clock.dequeue(t);
        t.cancelled = true;
        if (trace()) {
            events.accept(new FieldEvent.TimerCancelled(mapId, elem, t.field().offset(), CancelReason.HELPER, was,
                    false, cpu));
        }
        return HelperResult.ok(was ? 1 : 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Workqueue kfuncs

    /** bpf_wq_init: EINVAL for any flag, then as bpf_timer_init (EBUSY, EPERM). */
    public HelperResult bpfWqInit(int elem, int index, int cpu, long flags) {
        if (flags != 0) {
            return HelperResult.error(Errno.EINVAL);
        }
        return bpfAsyncInit(elem, index, cpu, null);
    }

    /** bpf_wq_set_callback_impl: EINVAL for any flag, then as bpf_timer_set_callback. */
    public HelperResult bpfWqSetCallback(int elem, int index, int cpu, BpfCallback callback, long flags) {
        if (flags != 0) {
            return HelperResult.error(Errno.EINVAL);
        }
        return bpfAsyncSetCallback(elem, index, cpu, callback);
    }

    /**
     * bpf_wq_start: EINVAL for any flag, an uninitialised item or one without a callback; otherwise queues it on
     * {@code cpu} (a queued item stays queued once: it runs once).
     */
    public HelperResult bpfWqStart(int elem, int index, int cpu, long flags) {
        if (flags != 0) {
            return HelperResult.error(Errno.EINVAL);
        }
        BpfAsync w = live.get(slot(elem, index));
        if (w == null || w.callback == null) {
            return HelperResult.error(Errno.EINVAL);
        }
        boolean already = w.pending;
        if (!already) {
            w.pending = true;
            w.cpu = cpu;
            clock.queueWork(w);
        }
        if (trace()) {
            events.accept(new FieldEvent.WqStarted(mapId, elem, w.field().offset(), cpu, already));
        }
        return HelperResult.ZERO;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Running callbacks (called by the clock)

    /** bpf_timer_cb: the timer fell due; run its callback on its CPU. It does not restart by itself. */
    void fireTimer(BpfAsync t) {
        BpfCallback cb = t.callback;
        if (cb == null || t.freed) {
            return;
        }
        int off = t.field().offset();
        if (trace()) {
            events.accept(new FieldEvent.TimerFired(mapId, t.elem(), off, clock.now(t.baseClock()), t.cpu));
        }
        t.running = true;
        try {
            cb.call(new CallbackFrame(mapId, keyOf.apply(t.elem()), t.cpu, t));
        } finally {
            t.running = false;
        }
        if (trace()) {
            events.accept(new FieldEvent.TimerCallbackDone(mapId, t.elem(), off, t.cpu, t.armed && !t.freed));
        }
    }

    /** bpf_wq_work: a queued item runs its callback (none once it was released: it does not run). */
    void runWork(BpfAsync w) {
        w.pending = false;
        BpfCallback cb = w.callback;
        if (cb == null || w.freed) {
            return;
        }
        int off = w.field().offset();
        if (trace()) {
            events.accept(new FieldEvent.WqRan(mapId, w.elem(), off, clock.nowNs(), w.cpu));
        }
        w.running = true;
        try {
            cb.call(new CallbackFrame(mapId, keyOf.apply(w.elem()), w.cpu, w));
        } finally {
            w.running = false;
        }
        if (trace()) {
            events.accept(new FieldEvent.WqDone(mapId, w.elem(), off, w.cpu));
        }
    }

    void clockAdvanced(long fromNs, long toNs, long suspendedNs) {
        if (trace()) {
            events.accept(new FieldEvent.ClockAdvanced(mapId, fromNs, toNs, suspendedNs));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Release (bpf_obj_free_fields' timer and wq parts)

    /**
     * bpf_timer_cancel_and_free / bpf_wq_cancel_and_free for every initialised field of {@code elem}: the field
     * becomes unset, an armed timer or a queued item is cancelled. Inside a timer callback the kernel does not
     * wait for the hrtimer (it hands the cancel to a work item), so a callback may release its own timer.
     */
    public void release(int elem, CancelReason reason, int cpu) {
        if (live.isEmpty()) {
            return;
        }
        for (int i = 0; i < fields.size(); i++) {
            BpfAsync a = live.remove(slot(elem, i));
            if (a != null) {
                free(a, reason, cpu);
            }
        }
    }

    private void free(BpfAsync a, CancelReason reason, int cpu) {
        a.callback = null;
        a.freed = true;
        int off = a.field().offset();
        if (a.isTimer()) {
            boolean deferred = clock.runningTimer() != null;
            boolean was = clock.dequeue(a);
            if (trace()) {
                events.accept(new FieldEvent.TimerCancelled(mapId, a.elem(), off, reason, was, deferred, cpu));
                events.accept(new FieldEvent.TimerFreed(mapId, a.elem(), off));
            }
        } else {
            boolean was = a.pending;
            a.pending = false;
            clock.cancelWork(a);
            if (trace()) {
                events.accept(new FieldEvent.WqCancelled(mapId, a.elem(), off, reason, was, cpu));
                events.accept(new FieldEvent.WqFreed(mapId, a.elem(), off));
            }
        }
    }

    /**
     * map_release_uref (htab_map_free_internal_structs): the last user reference is gone. Every element in
     * {@code elems} has its timers and work items released; from now on bpf_timer_init and bpf_wq_init fail with
     * EPERM (and set_callback too, on a field still initialised).
     *
     * @param elems the elements the kernel visits: every preallocated one, or the linked ones
     */
    public void releaseUref(int[] elems) {
        userRefs = false;
        for (int e : elems) {
            release(e, CancelReason.CLOSE, -1);
        }
    }

    /**
     * htab_map_free: the map is gone and with it every element's memory, linked or not (the allocator's
     * destructor frees the fields of cached elements too); whatever is still initialised is released and the
     * clock forgets the map.
     */
    public void mapFree() {
        for (BpfAsync a : all()) {
            live.remove(slot(a.elem(), a.fieldIndex()));
            free(a, CancelReason.MAP_FREE, -1);
        }
        clock.unsubscribe(this);
    }
}
