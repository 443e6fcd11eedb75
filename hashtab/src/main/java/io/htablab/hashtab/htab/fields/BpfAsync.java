package io.htablab.hashtab.htab.fields;

/**
 * One initialised timer or work item (the kernel's bpf_hrtimer / bpf_work behind a value's
 * {@code struct bpf_timer} / {@code struct bpf_wq}): created by bpf_timer_init / bpf_wq_init, gone when a
 * release rule frees it. A field with no such object is "unset". Mutated only by its {@link AsyncFields} and
 * the runtime's {@link VirtualClock}; views read it.
 */
public final class BpfAsync {

    /** What a view shows for one field. */
    public enum State {
        /** initialised, no callback (never set, or dropped by bpf_timer_cancel: see {@link #CANCELLED}). */
        INITIALISED,
        CALLBACK_SET,
        /** a timer queued on the clock, or a work item queued to run. */
        ARMED,
        /** its callback is running now. */
        RUNNING,
        /** bpf_timer_cancel dropped its callback: it must get one again before it can be started. */
        CANCELLED,
        /** released; the field is unset again. */
        FREED
    }

    private final AsyncFields owner;
    private final int elem;
    private final int fieldIndex;
    private final SpecialField field;
    /** The timer's clock; null for a work item. */
    private final ClockId clock;

    /** cb->callback_fn (with cb->prog): null until set, and again after a cancel or release. */
    BpfCallback callback;
    boolean armed;
    long expiresNs;
    boolean absolute;
    boolean pinned;
    /** The CPU it fires (runs) on: the CPU that armed (started) it. */
    int cpu;
    /** Arming order, for timers that fall due at the same time. */
    long seq;
    boolean running;
    /** A work item queued and not yet run. */
    boolean pending;
    boolean cancelled;
    boolean freed;

    BpfAsync(AsyncFields owner, int elem, int fieldIndex, SpecialField field, ClockId clock) {
        this.owner = owner;
        this.elem = elem;
        this.fieldIndex = fieldIndex;
        this.field = field;
        this.clock = clock;
    }

    public AsyncFields owner() {
        return owner;
    }

    public int elem() {
        return elem;
    }

    int fieldIndex() {
        return fieldIndex;
    }

    public SpecialField field() {
        return field;
    }

    public boolean isTimer() {
        return field.kind() == FieldKind.TIMER;
    }

    /** The clock the timer was initialised with, null for a work item. */
    public ClockId clock() {
        return clock;
    }

    /** The clock the timer really runs on and reads absolute expiries from ({@link ClockId#timerBase()}). */
    public ClockId baseClock() {
        return clock == null ? null : clock.timerBase();
    }

    public String callbackName() {
        return callback == null ? null : callback.name();
    }

    public boolean isArmed() {
        return armed;
    }

    /** The expiry on the timer's clock (meaningful while armed). */
    public long expiresNs() {
        return expiresNs;
    }

    public int cpu() {
        return cpu;
    }

    public boolean isPinned() {
        return pinned;
    }

    public boolean isPending() {
        return pending;
    }

    public State state() {
        if (freed) {
            return State.FREED;
        }
        if (running) {
            return State.RUNNING;
        }
        if (armed || pending) {
            return State.ARMED;
        }
        if (callback != null) {
            return State.CALLBACK_SET;
        }
        return cancelled ? State.CANCELLED : State.INITIALISED;
    }

    @Override
    public String toString() {
        return (isTimer() ? "timer" : "wq") + "[elem " + elem + " +" + field.offset() + " " + state() + "]";
    }
}
