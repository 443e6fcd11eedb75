package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.fields.VirtualClock;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

/**
 * The simulated kernel that maps live in: it hands out map ids as the kernel's map IDR does (from 1, never
 * reused while the runtime lives) and finds a live map by its id. Maps that share a runtime can refer to each
 * other (inner maps of a map of maps, timer callbacks that touch another map).
 *
 * <p>The registry holds maps weakly: a map nobody references any more disappears from it, as a freed map
 * disappears from the kernel's IDR. Thread-safe; one runtime may serve maps used from several threads.
 */
public final class BpfRuntime {

    private static final BpfRuntime DEFAULT = new BpfRuntime();

    /** A fresh runtime: its first map gets id 1. */
    public BpfRuntime() {
    }

    private int nextId = 1;
    private final Map<Integer, WeakReference<BpfMap>> idr = new HashMap<>();

    /** The runtime of maps created without one (a library user's single "kernel"). */
    public static BpfRuntime defaultRuntime() {
        return DEFAULT;
    }

    /** The kernel's time, shared by every map of the runtime: timers fire and work items run when it moves. */
    private final VirtualClock clock = new VirtualClock();

    /**
     * The runtime's virtual clock. Like the maps it drives, it is used by one thread at a time; moving it runs
     * the callbacks of every map in this runtime that fall due.
     */
    public VirtualClock clock() {
        return clock;
    }

    /** bpf_map_alloc_id: the next map id. */
    synchronized int allocId() {
        if (idr.size() > 1024 && (nextId & 1023) == 0) {
            idr.values().removeIf(r -> r.get() == null);
        }
        return nextId++;
    }

    synchronized void register(int id, BpfMap map) {
        idr.put(id, new WeakReference<>(map));
    }

    /** bpf_map_free_id: the id no longer names a map. */
    synchronized void unregister(int id) {
        idr.remove(id);
    }

    /** BPF_MAP_GET_FD_BY_ID's lookup: the live map with {@code id}, or null. */
    public synchronized BpfMap mapById(int id) {
        WeakReference<BpfMap> r = idr.get(id);
        BpfMap m = r == null ? null : r.get();
        if (r != null && m == null) {
            idr.remove(id);
        }
        return m;
    }
}
