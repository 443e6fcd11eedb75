package io.htablab.hashtab.htab.event;

/** Map lifecycle and operation boundaries. Owned by the htab package. */
public sealed interface MapEvent extends HtabEvent {
    /** Placeholder so the family compiles before its records exist; never emitted. */
    record Reserved() implements MapEvent {
    }
}
