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
}
