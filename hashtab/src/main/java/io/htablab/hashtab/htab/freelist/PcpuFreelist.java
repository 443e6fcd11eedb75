package io.htablab.hashtab.htab.freelist;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.FreelistEvent;
import java.util.Arrays;

/**
 * The per-CPU freelist of a preallocated HASH or PERCPU_HASH map (percpu_freelist.c), plus the per-CPU
 * "extra" elements a HASH map keeps for replacing updates (spec 8).
 *
 * <p>Each possible CPU has a LIFO list threaded through {@code next[]} by element index. The link is kept
 * apart from the element's chain link: in the kernel the freelist node overlays the element's back pointer,
 * not its forward pointer, so a freed element still leads a lockless reader on through its old chain.
 */
public final class PcpuFreelist {

    private static final int NONE = -1;

    private final int nrCpus;
    private final int[] heads;
    private final int[] sizes;
    private final int[] next;
    private final int[] extras;
    private final EventSink events;
    /** The map the events belong to. */
    private final int mapId;
    private FreelistLocks locks = FreelistLocks.NONE;
    /** Per CPU: a replacing update is between its extra swap and the release of the replaced element (6.18). */
    private final boolean[] extraInUse;

    public PcpuFreelist(int nrCpus, int numEntries, EventSink events, int mapId) {
        this.nrCpus = nrCpus;
        this.heads = new int[nrCpus];
        this.sizes = new int[nrCpus];
        this.next = new int[numEntries];
        this.extras = new int[nrCpus];
        this.events = events;
        this.mapId = mapId;
        Arrays.fill(heads, NONE);
        Arrays.fill(extras, NONE);
        Arrays.fill(next, NONE);
        this.extraInUse = new boolean[nrCpus];
    }

    /** The list-head locks the freelist asks for (the hash table's lock model); {@link FreelistLocks#NONE} until set. */
    public void setLocks(FreelistLocks locks) {
        this.locks = locks == null ? FreelistLocks.NONE : locks;
    }

    /**
     * pcpu_freelist_populate (spec 8.1): CPU {@code j} in CPU order receives the next
     * {@code n + (j < m ? 1 : 0)} consecutive elements, each pushed at its list head.
     */
    public void pcpuFreelistPopulate(int numEntries, int creatingCpu) {
        int n = numEntries / nrCpus;
        int m = numEntries % nrCpus;
        int elem = 0;
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            int share = n + (cpu < m ? 1 : 0);
            for (int i = 0; i < share; i++) {
                pushOnto(cpu, elem, creatingCpu);
                elem++;
            }
        }
    }

    /**
     * pcpu_freelist_pop (spec 8.3): the head of {@code cpu}'s list, else of the next CPUs wrapping around. An empty
     * list is passed over without locking it; a list whose lock cannot be taken is passed over too.
     *
     * @return the element, or -1 when every list is empty (or could not be locked)
     */
    public int pcpuFreelistPop(int cpu) {
        int c = cpu;
        for (int i = 0; i < nrCpus; i++) {
            int head = heads[c];
            if (head != NONE && lockList(c, cpu)) {
                locks.unlock(c, cpu);
                heads[c] = next[head];
                next[head] = NONE;
                sizes[c]--;
                if (events.enabled()) {
                    events.accept(new FreelistEvent.Pop(mapId, head, c, cpu));
                }
                return head;
            }
            c = c + 1 == nrCpus ? 0 : c + 1;
        }
        return NONE;
    }

    /**
     * pcpu_freelist_push (spec 8.3): onto the head of the calling CPU's list; when that list's lock cannot be taken,
     * onto the first other CPU's list (wrapping from the caller) whose lock can be. The kernel retries those forever;
     * with a single CPU there is no other list, and the engine then pushes onto the own one.
     */
    public void pcpuFreelistPush(int cpu, int elem) {
        if (lockList(cpu, cpu)) {
            locks.unlock(cpu, cpu);
            pushOnto(cpu, elem, cpu);
            return;
        }
        if (nrCpus == 1) {
            pushOnto(cpu, elem, cpu);
            return;
        }
        while (true) {
            for (int i = 1; i < nrCpus; i++) {
                int c = (cpu + i) % nrCpus;
                if (lockList(c, cpu)) {
                    locks.unlock(c, cpu);
                    pushOnto(c, elem, cpu);
                    return;
                }
            }
        }
    }

    private boolean lockList(int listCpu, int cpu) {
        Errno e = locks.lock(listCpu, cpu);
        if (e == Errno.OK) {
            return true;
        }
        if (events.enabled()) {
            events.accept(new FreelistEvent.FreelistLockFailed(mapId, listCpu, cpu, e, locks.lastFailure()));
        }
        return false;
    }

    /** Whether CPU {@code cpu}'s extra element is in use by a replacing update in progress. */
    public boolean extraInUse(int cpu) {
        return extraInUse[cpu];
    }

    /** Mark CPU {@code cpu}'s extra element as in use (from the swap until the replaced element is released). */
    public void setExtraInUse(int cpu, boolean busy) {
        extraInUse[cpu] = busy;
        if (events.enabled()) {
            events.accept(new FreelistEvent.ExtraInUse(mapId, cpu, busy));
        }
    }

    private void pushOnto(int listCpu, int elem, int callingCpu) {
        next[elem] = heads[listCpu];
        heads[listCpu] = elem;
        sizes[listCpu]++;
        if (events.enabled()) {
            events.accept(new FreelistEvent.Push(mapId, elem, listCpu, callingCpu));
        }
    }

    /** Spec 8.2: for each CPU in order, pop (starting at the creating CPU) one element as that CPU's extra. */
    public boolean allocExtraElems(int creatingCpu) {
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            int elem = pcpuFreelistPop(creatingCpu);
            if (elem == NONE) {
                return false;
            }
            extras[cpu] = elem;
            if (events.enabled()) {
                events.accept(new FreelistEvent.ExtraInit(mapId, cpu, elem));
            }
        }
        return true;
    }

    /** Replace {@code cpu}'s extra with {@code oldElem} and return the previous extra (the replacing element). */
    public int swapExtra(int cpu, int oldElem) {
        int newElem = extras[cpu];
        extras[cpu] = oldElem;
        if (events.enabled()) {
            events.accept(new FreelistEvent.ExtraSwap(mapId, cpu, newElem, oldElem));
        }
        return newElem;
    }

    public int nrCpus() {
        return nrCpus;
    }

    /** {@code cpu}'s list, head first (a copy). */
    public int[] list(int cpu) {
        int[] out = new int[sizes[cpu]];
        int i = 0;
        for (int e = heads[cpu]; e != NONE; e = next[e]) {
            out[i++] = e;
        }
        return out;
    }

    public int size(int cpu) {
        return sizes[cpu];
    }

    /** {@code cpu}'s extra element, or -1 when there is none. */
    public int extra(int cpu) {
        return extras[cpu];
    }

    public boolean hasExtras() {
        return extras.length > 0 && extras[0] != NONE;
    }
}
