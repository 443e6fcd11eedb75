package io.htablab.hashtab.htab.lock;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.freelist.FreelistLocks;
import io.htablab.hashtab.htab.lru.LruLocks;

/**
 * The locks of one hash map: which CPU holds which bucket, LRU and freelist lock, the 6.14 recursion guard, and
 * failures a scenario injects. Operations run atomically, so a lock can only be found taken by the CPU that asks
 * for it again (a program that fired inside the critical section): that is the AA case a resilient spinlock detects
 * (EDEADLK) and the one the 6.14 guard turned into EBUSY. Contention between CPUs never happens here.
 *
 * <p>Everything is per map, so maps used from different threads never share state. Nothing allocates after
 * construction except when more bucket locks are nested than ever before (the held-bucket stack grows).
 */
public final class HtabLocks implements LruLocks, FreelistLocks {

    /** HASHTAB_MAP_LOCK_COUNT: the 6.14 guard's slots per CPU. */
    public static final int MAP_LOCK_COUNT = 8;

    private final boolean resilient;
    private final boolean guard;
    private final int nrCpus;
    /** min(HASHTAB_MAP_LOCK_MASK, n_buckets - 1): the guard's slot mask. */
    private final int guardMask;

    /** Bucket locks held now: bucket and holder CPU, innermost last. */
    private int[] heldBucket = new int[4];
    private int[] heldBucketCpu = new int[4];
    private int heldBuckets;

    /** 6.14 map_locked[slot] per CPU, at cpu * 8 + slot. */
    private final int[] mapLocked;

    /** LRU list locks (index 0: the common LRU's global list; c: CPU c's list for NO_COMMON_LRU): holder or -1. */
    private final int[] lruListHolder;
    /** The common LRU's local-list locks, per owner CPU: holder or -1. */
    private final int[] lruLocalHolder;
    /** The freelist heads' locks, per list CPU: holder or -1. */
    private final int[] freelistHolder;

    /** Injected failures a kind can have pending at once. */
    public static final int MAX_PENDING_INJECTIONS = 8;
    /** Per lock kind: acquisitions so far, and the pending failures (absolute acquisition numbers). */
    private final long[] acquisitions = new long[LockKind.values().length];
    private final long[][] injectAt = new long[LockKind.values().length][MAX_PENDING_INJECTIONS];
    private final LockFailure[][] injectFailure = new LockFailure[LockKind.values().length][MAX_PENDING_INJECTIONS];
    private final int[] pending = new int[LockKind.values().length];

    private LockFailure lastFailure = LockFailure.NONE;

    /**
     * @param resilient resilient spinlocks (6.18): acquisitions may fail with EDEADLK/ETIMEDOUT
     * @param guard     the 6.14 map_locked recursion guard around bucket locks
     * @param nrCpus    possible CPUs
     * @param nBuckets  the map's bucket count (a power of two)
     */
    public HtabLocks(boolean resilient, boolean guard, int nrCpus, int nBuckets) {
        this.resilient = resilient;
        this.guard = guard;
        this.nrCpus = nrCpus;
        this.guardMask = Math.min(MAP_LOCK_COUNT - 1, nBuckets - 1);
        this.mapLocked = guard ? new int[nrCpus * MAP_LOCK_COUNT] : new int[0];
        this.lruListHolder = free(nrCpus + 1);
        this.lruLocalHolder = free(nrCpus);
        this.freelistHolder = free(nrCpus);
    }

    private static int[] free(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, -1);
        return a;
    }

    public boolean isResilient() {
        return resilient;
    }

    public boolean hasGuard() {
        return guard;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Bucket locks

    /** The 6.14 guard's slot for {@code hash}: {@code hash & min(7, n_buckets - 1)}. */
    public int guardSlot(int hash) {
        return hash & guardMask;
    }

    /** The 6.14 guard counter of {@code slot} on {@code cpu} (0 when the profile has no guard). */
    public int mapLocked(int cpu, int slot) {
        return guard ? mapLocked[cpu * MAP_LOCK_COUNT + slot] : 0;
    }

    /**
     * htab_lock_bucket on {@code cpu}. 6.14: the guard slot first (EBUSY when this CPU holds it already), then the
     * raw spinlock. 6.18: the resilient lock (EDEADLK when this CPU holds this bucket). An injected failure counts
     * this acquisition.
     *
     * @return {@link LockFailure#NONE} when the lock is now held by {@code cpu}
     */
    public LockFailure lockBucket(int bucket, int hash, int cpu) {
        LockFailure injected = consumeInjection(LockKind.BUCKET);
        if (guard) {
            int i = cpu * MAP_LOCK_COUNT + guardSlot(hash);
            if (mapLocked[i] != 0) {
                return fail(LockFailure.MAP_LOCKED_BUSY);
            }
            if (injected.failed()) {
                return fail(injected);
            }
            if (bucketHolder(bucket) == cpu) {
                return fail(LockFailure.RAW_SPIN_DEADLOCK);
            }
            mapLocked[i]++;
        } else {
            if (bucketHolder(bucket) == cpu) {
                return fail(LockFailure.AA_DEADLOCK);
            }
            if (injected.failed()) {
                return fail(injected);
            }
        }
        pushBucket(bucket, cpu);
        return LockFailure.NONE;
    }

    /** htab_unlock_bucket: release the bucket lock {@code cpu} holds (and, 6.14, its guard slot). */
    public void unlockBucket(int bucket, int hash, int cpu) {
        for (int i = heldBuckets - 1; i >= 0; i--) {
            if (heldBucket[i] == bucket && heldBucketCpu[i] == cpu) {
                System.arraycopy(heldBucket, i + 1, heldBucket, i, heldBuckets - i - 1);
                System.arraycopy(heldBucketCpu, i + 1, heldBucketCpu, i, heldBuckets - i - 1);
                heldBuckets--;
                if (guard) {
                    mapLocked[cpu * MAP_LOCK_COUNT + guardSlot(hash)]--;
                }
                return;
            }
        }
        throw new IllegalStateException("bucket " + bucket + " unlocked on cpu " + cpu + " but not held by it");
    }

    /** The CPU holding {@code bucket}'s lock, or -1. */
    public int bucketHolder(int bucket) {
        for (int i = 0; i < heldBuckets; i++) {
            if (heldBucket[i] == bucket) {
                return heldBucketCpu[i];
            }
        }
        return -1;
    }

    /** Bucket locks of this map held now (0 between operations). */
    public int heldBucketLocks() {
        return heldBuckets;
    }

    private void pushBucket(int bucket, int cpu) {
        if (heldBuckets == heldBucket.length) {
            heldBucket = java.util.Arrays.copyOf(heldBucket, heldBuckets * 2);
            heldBucketCpu = java.util.Arrays.copyOf(heldBucketCpu, heldBuckets * 2);
        }
        heldBucket[heldBuckets] = bucket;
        heldBucketCpu[heldBuckets] = cpu;
        heldBuckets++;
    }

    // ---------------------------------------------------------------------------------------------------------
    // LRU and freelist locks (spinlocks without a guard)

    @Override
    public Errno lockList(int list, int cpu) {
        return acquire(lruListHolder, list == LruLocks.GLOBAL ? 0 : list + 1, cpu, LockKind.LRU);
    }

    @Override
    public void unlockList(int list, int cpu) {
        release(lruListHolder, list == LruLocks.GLOBAL ? 0 : list + 1, cpu, "LRU list");
    }

    @Override
    public Errno lockLocal(int owner, int cpu) {
        return acquire(lruLocalHolder, owner, cpu, LockKind.LRU);
    }

    @Override
    public void unlockLocal(int owner, int cpu) {
        release(lruLocalHolder, owner, cpu, "LRU local list");
    }

    @Override
    public Errno lock(int listCpu, int cpu) {
        return acquire(freelistHolder, listCpu, cpu, LockKind.FREELIST);
    }

    @Override
    public void unlock(int listCpu, int cpu) {
        release(freelistHolder, listCpu, cpu, "freelist");
    }

    private Errno acquire(int[] holder, int i, int cpu, LockKind kind) {
        LockFailure injected = consumeInjection(kind);
        if (holder[i] == cpu) {
            return fail(resilient ? LockFailure.AA_DEADLOCK : LockFailure.RAW_SPIN_DEADLOCK).errno();
        }
        if (injected.failed()) {
            return fail(injected).errno();
        }
        holder[i] = cpu;
        return Errno.OK;
    }

    private static void release(int[] holder, int i, int cpu, String what) {
        if (holder[i] != cpu) {
            throw new IllegalStateException(what + " " + i + " unlocked on cpu " + cpu + " but held by " + holder[i]);
        }
        holder[i] = -1;
    }

    @Override
    public String lastFailure() {
        return lastFailure.reason();
    }

    /** The last failed acquisition of any kind. */
    public LockFailure lastFailureKind() {
        return lastFailure;
    }

    private LockFailure fail(LockFailure f) {
        lastFailure = f;
        return f;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Injected failures

    /**
     * Make the {@code nth} acquisition (1 = the next one) of a {@code kind} lock of this map fail with {@code errno}.
     * Several failures may be pending at once (each counted from the moment it was injected); injecting one for an
     * acquisition that already has one replaces it.
     *
     * @return null when accepted, else why the kernel modelled cannot fail that way
     */
    public String inject(LockKind kind, int nth, Errno errno) {
        if (nth < 1) {
            return "the acquisition number must be at least 1, got " + nth;
        }
        LockFailure f;
        if (resilient) {
            if (errno == Errno.EDEADLK) {
                f = LockFailure.INJECTED_DEADLOCK;
            } else if (errno == Errno.ETIMEDOUT) {
                f = LockFailure.INJECTED_TIMEOUT;
            } else {
                return "a resilient spinlock fails only with EDEADLK or ETIMEDOUT, not " + errno.name();
            }
        } else {
            if (kind != LockKind.BUCKET) {
                return "before 6.15 the " + kind.scenarioName() + " locks are raw spinlocks, which cannot fail";
            }
            if (errno != Errno.EBUSY) {
                return "before 6.15 a bucket lock can only fail in the map_locked guard, with EBUSY, not "
                        + errno.name();
            }
            f = LockFailure.INJECTED_BUSY;
        }
        int k = kind.ordinal();
        long at = acquisitions[k] + nth;
        for (int i = 0; i < pending[k]; i++) {
            if (injectAt[k][i] == at) {
                injectFailure[k][i] = f;
                return null;
            }
        }
        if (pending[k] == MAX_PENDING_INJECTIONS) {
            return "at most " + MAX_PENDING_INJECTIONS + " failures of one lock kind can be pending";
        }
        injectAt[k][pending[k]] = at;
        injectFailure[k][pending[k]] = f;
        pending[k]++;
        return null;
    }

    /** Injected failures of {@code kind} still waiting for their acquisition. */
    public int pendingInjections(LockKind kind) {
        return pending[kind.ordinal()];
    }

    /** Counts one acquisition of {@code kind}; the injected failure when this is the one it waits for. */
    private LockFailure consumeInjection(LockKind kind) {
        int k = kind.ordinal();
        long now = ++acquisitions[k];
        for (int i = 0; i < pending[k]; i++) {
            if (injectAt[k][i] == now) {
                LockFailure f = injectFailure[k][i];
                pending[k]--;
                injectAt[k][i] = injectAt[k][pending[k]];
                injectFailure[k][i] = injectFailure[k][pending[k]];
                return f;
            }
        }
        return LockFailure.NONE;
    }

    /** Possible CPUs the locks were made for. */
    public int nrCpus() {
        return nrCpus;
    }
}
