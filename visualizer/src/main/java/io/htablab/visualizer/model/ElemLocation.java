package io.htablab.visualizer.model;

/** Where an element currently is, as folded from the event stream. */
public enum ElemLocation {
    /** A non-preallocated map has not handed this slot out (or freed it). */
    UNALLOCATED,
    /** On CPU {@code where}'s per-CPU freelist. */
    FREELIST,
    /** CPU {@code where}'s extra element (HASH prealloc). */
    EXTRA,
    /** Linked in bucket {@code where}'s chain. */
    BUCKET,
    /** Owned by the LRU and not linked (free, local free or pending). */
    LRU,
    /** Taken from a freelist or allocated, not linked yet (between pop and link). */
    IN_FLIGHT
}
