package io.htablab.hashtab.htab.event;

/** Special fields in values: spin locks, timers, workqueues on the virtual clock. Owned by the fields package. */
public sealed interface FieldEvent extends HtabEvent {
    /** Placeholder so the family compiles before its records exist; never emitted. */
    record Reserved(int mapId) implements FieldEvent {
    }
}
