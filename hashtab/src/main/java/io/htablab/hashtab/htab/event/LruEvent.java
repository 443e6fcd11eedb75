package io.htablab.hashtab.htab.event;

/** Movements inside the BPF LRU (bpf_lru_list.c counterpart). Owned by the lru package. */
public sealed interface LruEvent extends HtabEvent {
    /** Placeholder so the family compiles before its records exist; never emitted. */
    record Reserved() implements LruEvent {
    }
}
