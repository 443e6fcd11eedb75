package io.htablab.hashtab.htab.event;

/** Special fields in values: spin locks, timers, workqueues on the virtual clock. Owned by the fields package. */
public sealed interface FieldEvent extends HtabEvent {

    /**
     * The element's {@code bpf_spin_lock} at {@code offset} was taken on {@code cpu} for a BPF_F_LOCK copy (an
     * in-place update, or a lookup copying the value out under the lock).
     */
    record SpinLockAcquired(int mapId, int elem, int cpu, int offset) implements FieldEvent {
    }

    /** The lock {@link SpinLockAcquired} took was released: the copy is complete. */
    record SpinLockReleased(int mapId, int elem, int cpu, int offset) implements FieldEvent {
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers, workqueues and the virtual clock (htab.fields: VirtualClock, BpfAsync, AsyncFields). A view draws a
    // clock lane from ClockAdvanced and one row per (elem, offset) from the rest. Times are nanoseconds on the
    // timer's own clock since the runtime started; cpu is the CPU the step ran on.

    /** Why a timer or work item stopped: a program's bpf_timer_cancel, or one of the kernel's release rules. */
    enum CancelReason {
        /** bpf_timer_cancel from a program: the timer stays initialised, its callback is dropped. */
        HELPER,
        /** delete, lookup-and-delete, batch delete of the element. */
        DELETE,
        /** the element was replaced by an update (HASH, LRU_HASH). */
        REPLACE,
        /** the LRU evicted the element. */
        EVICT,
        /** the last user-space reference to the map went away (map_release_uref). */
        CLOSE,
        /** the map itself was freed. */
        MAP_FREE
    }

    /** bpf_timer_init succeeded on the timer at {@code offset} of element {@code elem}. */
    record TimerInitialized(int mapId, int elem, int offset, String clock, int cpu) implements FieldEvent {
    }

    /** bpf_timer_set_callback: the timer now runs {@code callback}. */
    record TimerCallbackSet(int mapId, int elem, int offset, String callback, int cpu) implements FieldEvent {
    }

    /** bpf_timer_start: the timer fires at {@code expiresNs} on its clock, on CPU {@code cpu}. */
    record TimerArmed(int mapId, int elem, int offset, long expiresNs, String clock, int cpu, boolean pinned,
                      boolean absolute, boolean rearmed) implements FieldEvent {
    }

    /** The timer fell due at {@code atNs} and its callback starts on {@code cpu}. */
    record TimerFired(int mapId, int elem, int offset, long atNs, int cpu) implements FieldEvent {
    }

    /** The callback returned; {@code rearmed} when it left its timer armed again. */
    record TimerCallbackDone(int mapId, int elem, int offset, int cpu, boolean rearmed) implements FieldEvent {
    }

    /**
     * The timer was cancelled. {@code wasArmed}: it was queued (bpf_timer_cancel then returns 1). {@code deferred}:
     * the release ran inside a timer callback, so the kernel does not wait for the hrtimer but hands the cancel
     * to a work item (a callback cancelling its own timer this way never deadlocks).
     */
    record TimerCancelled(int mapId, int elem, int offset, CancelReason reason, boolean wasArmed, boolean deferred,
                          int cpu) implements FieldEvent {
    }

    /** The timer's kernel object is gone; the field is unset again (bpf_timer_init may be called anew). */
    record TimerFreed(int mapId, int elem, int offset) implements FieldEvent {
    }

    /** bpf_wq_init succeeded. */
    record WqInitialized(int mapId, int elem, int offset, int cpu) implements FieldEvent {
    }

    /** bpf_wq_set_callback_impl. */
    record WqCallbackSet(int mapId, int elem, int offset, String callback, int cpu) implements FieldEvent {
    }

    /** bpf_wq_start queued the item on {@code cpu}; {@code alreadyPending}: it was queued already (runs once). */
    record WqStarted(int mapId, int elem, int offset, int cpu, boolean alreadyPending) implements FieldEvent {
    }

    /** The work item runs its callback on {@code cpu} (process context). */
    record WqRan(int mapId, int elem, int offset, long atNs, int cpu) implements FieldEvent {
    }

    /** The work item's callback returned. */
    record WqDone(int mapId, int elem, int offset, int cpu) implements FieldEvent {
    }

    /** A release rule cancelled the work item; {@code wasPending}: it had not run yet and now never will. */
    record WqCancelled(int mapId, int elem, int offset, CancelReason reason, boolean wasPending, int cpu)
            implements FieldEvent {
    }

    /** The work item's kernel object is gone; the field is unset again. */
    record WqFreed(int mapId, int elem, int offset) implements FieldEvent {
    }

    /**
     * The runtime's virtual clock moved from {@code fromNs} to {@code toNs} (CLOCK_MONOTONIC); reported to every
     * map holding timers or work items. {@code suspendedNs} &gt; 0: the machine slept that long (BOOTTIME and
     * REALTIME moved on, MONOTONIC did not).
     */
    record ClockAdvanced(int mapId, long fromNs, long toNs, long suspendedNs) implements FieldEvent {
    }
}
