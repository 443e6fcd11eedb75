package io.htablab.hashtab.htab.lru;

/**
 * The list a BPF LRU node is on (the kernel's {@code bpf_lru_list_type}). The first three live in an
 * LRU list (the common LRU's global list, or one CPU's list for NO_COMMON_LRU); the last two are the
 * common LRU's per-CPU local lists.
 */
public enum BpfLruListType {
    ACTIVE,
    INACTIVE,
    FREE,
    /** Common LRU only: a node harvested onto a CPU's LOCAL_FREE stack, ready to be popped. */
    LOCAL_FREE,
    /** Common LRU only: a node handed out by a pop, waiting on its CPU's PENDING list for the next flush. */
    LOCAL_PENDING;

    private static final BpfLruListType[] VALUES = values();

    /** Types kept in an LRU list (as opposed to a CPU's local lists). */
    public boolean isLruListType() {
        return ordinal() <= FREE.ordinal();
    }

    /** Types whose size the LRU list counts (the kernel keeps counters for these two only). */
    public boolean isCounted() {
        return this == ACTIVE || this == INACTIVE;
    }

    static BpfLruListType of(int code) {
        return VALUES[code];
    }
}
