package io.htablab.hashtab.htab.lock;

import io.htablab.hashtab.htab.Errno;

/** Why a lock acquisition failed, with the errno the kernel's caller sees. */
public enum LockFailure {
    NONE(Errno.OK, ""),
    /** rqspinlock's AA check: this CPU already holds the lock (a program re-entered the critical section). */
    AA_DEADLOCK(Errno.EDEADLK, "rqspinlock: this CPU already holds the lock (AA deadlock)"),
    /** A failure the scenario injected with {@code inject ... errno=EDEADLK}. */
    INJECTED_DEADLOCK(Errno.EDEADLK, "injected failure (EDEADLK)"),
    /** A failure the scenario injected with {@code inject ... errno=ETIMEDOUT} (the 0.25 s timeout). */
    INJECTED_TIMEOUT(Errno.ETIMEDOUT, "injected failure (ETIMEDOUT)"),
    /** 6.14: the per-CPU map_locked slot of the bucket's hash is already taken on this CPU. */
    MAP_LOCKED_BUSY(Errno.EBUSY, "map_locked slot already taken on this CPU (recursion guard)"),
    /** 6.14: an injected guard failure ({@code inject ... errno=EBUSY}), as if an interrupted context held the slot. */
    INJECTED_BUSY(Errno.EBUSY, "injected failure (map_locked slot busy)"),
    /**
     * 6.14: a raw spinlock re-entered on the same CPU, which the guard does not cover (an LRU list lock). The real
     * kernel would spin forever here; the engine fails the acquisition so the run can go on.
     */
    RAW_SPIN_DEADLOCK(Errno.EDEADLK, "raw spinlock re-entered on the same CPU: a 6.14 kernel would hang here");

    private final Errno errno;
    private final String reason;

    LockFailure(Errno errno, String reason) {
        this.errno = errno;
        this.reason = reason;
    }

    public Errno errno() {
        return errno;
    }

    public String reason() {
        return reason;
    }

    public boolean failed() {
        return this != NONE;
    }
}
