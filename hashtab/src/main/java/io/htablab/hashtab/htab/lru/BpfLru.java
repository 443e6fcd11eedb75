package io.htablab.hashtab.htab.lru;

import io.htablab.hashtab.htab.event.EventSink;

/**
 * The kernel's BPF LRU (bpf_lru_list.c): the common LRU with global ACTIVE/INACTIVE/FREE lists and
 * per-CPU LOCAL_FREE/PENDING lists, or the per-CPU LRU ({@code BPF_F_NO_COMMON_LRU}).
 *
 * <p>Nodes are identified by element index 0..nrElems-1 (the same identity the hash table's element
 * store uses). The LRU never touches buckets: it evicts through {@link LruDeleteCallback}.
 *
 * <p>API contract shared by the engine and the LRU implementation; bodies are filled in by the LRU work.
 */
public final class BpfLru {

    /**
     * @param nrElems       number of nodes (the map's effective max_entries)
     * @param possibleCpus  number of possible CPUs (P)
     * @param percpu        true for BPF_F_NO_COMMON_LRU (one LRU list per CPU)
     * @param deleteFromHtab eviction callback into the hash table
     * @param events        event sink (EventSink.NONE when nobody listens)
     */
    public BpfLru(int nrElems, int possibleCpus, boolean percpu, LruDeleteCallback deleteFromHtab, EventSink events) {
        throw new UnsupportedOperationException("BpfLru not implemented yet");
    }

    /** Put every node on the free list(s) in the kernel's population order (bpf_lru_populate). */
    public void bpfLruPopulate() {
        throw new UnsupportedOperationException("BpfLru not implemented yet");
    }

    /**
     * Obtain a node for a new element on {@code cpu} (bpf_lru_pop_free); may evict other elements.
     *
     * @return the node (element index), or -1 when none could be obtained (the caller reports ENOMEM)
     */
    public int bpfLruPopFree(int cpu, int hash) {
        throw new UnsupportedOperationException("BpfLru not implemented yet");
    }

    /** Return a node whose element was unlinked (bpf_lru_push_free); {@code cpu} is the calling CPU. */
    public void bpfLruPushFree(int cpu, int node) {
        throw new UnsupportedOperationException("BpfLru not implemented yet");
    }

    /** Mark a node referenced (bpf_lru_node_set_ref): program lookups and replacing updates. */
    public void bpfLruNodeSetRef(int node) {
        throw new UnsupportedOperationException("BpfLru not implemented yet");
    }

    /** The hash stored in a node at pop time (read by the eviction callback). */
    public int nodeHash(int node) {
        throw new UnsupportedOperationException("BpfLru not implemented yet");
    }
}
