package io.htablab.hashtab.htab.event;

/** Per-CPU freelist pops and pushes and the extra-element swaps. Owned by the freelist package. */
public sealed interface FreelistEvent extends HtabEvent {
    /** Placeholder so the family compiles before its records exist; never emitted. */
    record Reserved() implements FreelistEvent {
    }
}
