package io.htablab.hashtab.htab.lru;

import io.htablab.hashtab.htab.Errno;

/**
 * The LRU's locks as the hash table models them: the LRU list lock (the common LRU's global list, or CPU c's list
 * for NO_COMMON_LRU) and the common LRU's per-CPU local-list locks. The LRU asks before each section the kernel runs
 * under one of them; an acquisition can fail (a resilient spinlock's EDEADLK/ETIMEDOUT, an injected failure), and the
 * LRU then does what bpf_lru_list.c does on that failure (spec 10.2).
 *
 * <p>Implementations must not allocate: the LRU calls them on every pop and push.
 */
public interface LruLocks {

    /** The common LRU's single global list. */
    int GLOBAL = -1;

    /** Locks that never fail: an LRU used on its own (tests, benchmarks). */
    LruLocks NONE = new LruLocks() {
        @Override
        public Errno lockList(int list, int cpu) {
            return Errno.OK;
        }

        @Override
        public void unlockList(int list, int cpu) {
        }

        @Override
        public Errno lockLocal(int owner, int cpu) {
            return Errno.OK;
        }

        @Override
        public void unlockLocal(int owner, int cpu) {
        }
    };

    /**
     * Take LRU list {@code list}'s lock ({@link #GLOBAL}, or a CPU id for the per-CPU LRU) on {@code cpu}.
     *
     * @return {@link Errno#OK}, or why the lock could not be taken
     */
    Errno lockList(int list, int cpu);

    void unlockList(int list, int cpu);

    /** Take CPU {@code owner}'s local-list lock (common LRU) on {@code cpu}. */
    Errno lockLocal(int owner, int cpu);

    void unlockLocal(int owner, int cpu);

    /** A short reason for the last failed acquisition, for events ("" when unknown). */
    default String lastFailure() {
        return "";
    }
}
