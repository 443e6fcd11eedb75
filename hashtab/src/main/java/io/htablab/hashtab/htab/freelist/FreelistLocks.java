package io.htablab.hashtab.htab.freelist;

import io.htablab.hashtab.htab.Errno;

/**
 * The per-CPU freelist heads' locks (pcpu_freelist_head.lock) as the hash table models them. Since 6.15 they are
 * resilient spinlocks: a pop that cannot lock a CPU's list moves on to the next CPU, a push that cannot lock its own
 * CPU's list tries the others (percpu_freelist.c). Implementations must not allocate.
 */
public interface FreelistLocks {

    /** Locks that never fail. */
    FreelistLocks NONE = new FreelistLocks() {
        @Override
        public Errno lock(int listCpu, int cpu) {
            return Errno.OK;
        }

        @Override
        public void unlock(int listCpu, int cpu) {
        }
    };

    /** Take CPU {@code listCpu}'s list lock on {@code cpu}: {@link Errno#OK} or why not. */
    Errno lock(int listCpu, int cpu);

    void unlock(int listCpu, int cpu);

    /** A short reason for the last failed acquisition, for events ("" when unknown). */
    default String lastFailure() {
        return "";
    }
}
