package io.htablab.hashtab.htab.event;

import io.htablab.hashtab.htab.Errno;

import io.htablab.hashtab.htab.lru.BpfLruListType;

/**
 * Movements inside the BPF LRU (bpf_lru_list.c counterpart). Owned by the lru package.
 *
 * <p>Folding the stream rebuilds every list exactly: {@link Populated} fixes the initial layout,
 * and every later change of membership, order, type or ref bit is a {@link NodeMoved} (which carries
 * the insertion point and the resulting ref bit) or a {@link RefSet}. The remaining records mark the
 * algorithm's phases (pop, harvest, rotation, shrink, steal) so that a view can caption them.
 *
 * <p>CPU numbers: {@link #GLOBAL} names the common LRU's single global list; for NO_COMMON_LRU the
 * LRU list of CPU c is named by c. Local lists (LOCAL_FREE, LOCAL_PENDING) always name their CPU.
 */
public sealed interface LruEvent extends HtabEvent {

    /** The "cpu" of the common LRU's global ACTIVE/INACTIVE/FREE lists. */
    int GLOBAL = -1;

    /** A rotation cursor or insertion point designating a list's sentinel (its head side). */
    int SENTINEL = -1;

    /** Which algorithm step caused a movement or a scan. */
    enum Step {
        /** A CPU's PENDING list is flushed into the global list (__local_list_flush). */
        FLUSH,
        /** Walk of the ACTIVE tail (__bpf_lru_list_rotate_active). */
        ROTATE_ACTIVE,
        /** Walk of the INACTIVE list from the rotation cursor (__bpf_lru_list_rotate_inactive). */
        ROTATE_INACTIVE,
        /** Walk of the INACTIVE tail looking for victims (__bpf_lru_list_shrink_inactive). */
        SHRINK_INACTIVE,
        /** Forced pick ignoring ref bits (second half of __bpf_lru_list_shrink). */
        FORCE_SHRINK,
        /** Free nodes taken from the global FREE list during a harvest (bpf_lru_list_pop_free_to_local). */
        HARVEST_FREE,
        /** The node handed out by a pop (LOCAL_FREE to PENDING, or per-CPU FREE to INACTIVE). */
        POP,
        /** A node taken from another CPU's local lists (bpf_common_lru_pop_free's steal loop). */
        STEAL,
        /** A node returned by the hash table (bpf_lru_push_free). */
        PUSH
    }

    /**
     * One list: {@code type} plus the CPU that owns it ({@link #GLOBAL} for the common LRU's global
     * lists).
     */
    record ListRef(BpfLruListType type, int cpu) {
    }

    /**
     * The LRU was populated (bpf_lru_populate). Resulting layout, head first: common LRU: FREE =
     * [nrElems-1, ..., 0]; NO_COMMON_LRU with pe = nrElems / possibleCpus: CPU c's FREE =
     * [(c+1)*pe-1, ..., c*pe], node cpu = c. Every node has ref 0; all other lists are empty and every
     * rotation cursor is at its INACTIVE sentinel; next_steal of CPU c is c.
     */
    record Populated(int mapId, int nrElems, int possibleCpus, boolean percpu, int targetFree, int nrScans)
            implements LruEvent {
    }

    /**
     * Node {@code node} left list {@code from} and was inserted into {@code to} right after
     * {@code after} (a node id, or {@link #SENTINEL} for the head). {@code ref} is its ref bit
     * afterwards (moves clear it; takes keep it).
     */
    record NodeMoved(int mapId, int node, ListRef from, ListRef to, int after, boolean ref, Step step)
            implements LruEvent {
    }

    /** The ref bit of {@code node} went from 0 to 1 (bpf_lru_node_set_ref). */
    record RefSet(int mapId, int node) implements LruEvent {
    }

    /** A pop on {@code cpu} for an element with hash {@code hash} begins (bpf_lru_pop_free). */
    record PopStarted(int mapId, int cpu, int hash) implements LruEvent {
    }

    /** The pop on {@code cpu} handed out {@code node}; its stored hash is now {@code hash}. */
    record NodePopped(int mapId, int cpu, int node, int hash) implements LruEvent {
    }

    /** The pop on {@code cpu} found no node (the hash table reports ENOMEM). */
    record PopFailed(int mapId, int cpu, int hash) implements LruEvent {
    }

    /** {@code node} is being returned by the hash table on {@code cpu} (bpf_lru_push_free). */
    record NodePushed(int mapId, int cpu, int node) implements LruEvent {
    }

    /**
     * A push could not take its lock: {@code node} stays where it is, marked pending_free, and
     * later flush/shrink/steal passes treat it as free without evicting.
     */
    record PendingFreeMarked(int mapId, int node) implements LruEvent {
    }

    /** CPU {@code cpu}'s LOCAL_FREE stack was empty: harvest from the global list begins. */
    record HarvestStarted(int mapId, int cpu, int targetFree) implements LruEvent {
    }

    /** CPU {@code cpu}'s PENDING list ({@code nrNodes} nodes) is about to be flushed, tail first. */
    record PendingFlushStarted(int mapId, int cpu, int nrNodes) implements LruEvent {
    }

    /**
     * Rotation of LRU list {@code lruCpu} begins with the given counters; {@code rotateActive} tells
     * whether the ACTIVE tail is walked first (INACTIVE smaller than ACTIVE).
     */
    record RotateStarted(int mapId, int lruCpu, int nrActive, int nrInactive, boolean rotateActive)
            implements LruEvent {
    }

    /** A walk ({@code step}) looked at {@code node}, whose ref bit was {@code ref}. */
    record NodeScanned(int mapId, int lruCpu, int node, Step step, boolean ref) implements LruEvent {
    }

    /** The INACTIVE rotation cursor of list {@code lruCpu} moved (node ids or {@link #SENTINEL}). */
    record RotationCursorMoved(int mapId, int lruCpu, int from, int to) implements LruEvent {
    }

    /** A shrink of list {@code lruCpu} wants {@code want} nodes. */
    record ShrinkStarted(int mapId, int lruCpu, int want) implements LruEvent {
    }

    /** The shrink freed nothing: forced pick from the tail of {@code list}, ignoring ref bits. */
    record ForcedPickStarted(int mapId, int lruCpu, BpfLruListType list) implements LruEvent {
    }

    /**
     * The LRU asked the hash table to evict {@code node} (stored hash {@code hash});
     * {@code evicted} false means the table refused (element not linked or lock not taken). The
     * table emits its own unlink event.
     */
    record EvictAttempted(int mapId, int node, int hash, boolean evicted) implements LruEvent {
    }

    /** {@code node} was taken from CPU {@code victimCpu}'s {@code fromList} by CPU {@code byCpu}. */
    record NodeStolen(int mapId, int node, int victimCpu, int byCpu, BpfLruListType fromList) implements LruEvent {
    }

    /** CPU {@code cpu}'s next_steal changed. */
    record NextStealMoved(int mapId, int cpu, int from, int to) implements LruEvent {
    }

    /**
     * A lock of the LRU could not be taken on {@code cpu} ({@code local}: CPU {@code list}'s local-list lock;
     * otherwise LRU list {@code list}, {@link #GLOBAL} for the common LRU): the pop or push then did what
     * bpf_lru_list.c does on that failure (a pop gives up or skips that CPU, a push marks the node pending_free).
     */
    record LruLockFailed(int mapId, int cpu, int list, boolean local, Errno errno, String reason) implements LruEvent {
    }

    /**
     * A node stolen from another CPU could not be added to {@code cpu}'s PENDING list (its local lock failed): it was
     * put on {@code cpu}'s LOCAL_FREE stack instead, where the next pop there finds it, and the pop returned nothing.
     */
    record StolenNodeParked(int mapId, int cpu, int node) implements LruEvent {
    }
}
