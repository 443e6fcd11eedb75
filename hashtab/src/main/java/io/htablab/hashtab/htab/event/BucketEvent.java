package io.htablab.hashtab.htab.event;

import io.htablab.hashtab.htab.Errno;

/**
 * Hashing, bucket locks, chain walks, linking and unlinking of elements. Owned by the htab/store packages.
 *
 * <p>Nulls markers are reported by their value, which is the bucket index the chain end belongs to.
 */
public sealed interface BucketEvent extends HtabEvent {

    /** htab_map_hash of {@code key} with {@code seed} gave {@code hash}, i.e. bucket {@code bucket}. */
    record HashComputed(int mapId, byte[] key, int seed, int hash, int bucket) implements BucketEvent {
    }

    record BucketLocked(int mapId, int bucket, int cpu) implements BucketEvent {
    }

    record BucketUnlocked(int mapId, int bucket, int cpu) implements BucketEvent {
    }

    /** A chain walk, searching bucket {@code bucket}, looked at element {@code elem}. */
    record NodeVisited(int mapId, int bucket, int elem, boolean hashMatch, boolean keyMatch) implements BucketEvent {
    }

    /**
     * A lockless walk of bucket {@code bucket} ended on a nulls marker of value {@code marker}; when the marker is
     * another bucket's the walker was carried into a foreign chain and {@code restart} is true.
     */
    record NullsReached(int mapId, int bucket, int marker, boolean restart) implements BucketEvent {
    }

    /** Element {@code elem} was inserted at the head of bucket {@code bucket}'s chain. */
    record ElemLinked(int mapId, int bucket, int elem, byte[] key, int hash) implements BucketEvent {
    }

    /** Element {@code elem} was unlinked from bucket {@code bucket}'s chain (its own next link is kept). */
    record ElemUnlinked(int mapId, int bucket, int elem, byte[] key, int hash) implements BucketEvent {
    }

    // Lock failures and the 6.14 recursion guard (htab.lock). Folding BucketLocked/BucketUnlocked over every map gives
    // each CPU's held bucket locks and their nesting depth; these records add what went wrong and why.

    /**
     * htab_lock_bucket on {@code cpu} failed: {@code errno} is what the operation returns (EDEADLK/ETIMEDOUT from a
     * resilient lock, EBUSY from the 6.14 guard) and {@code reason} says why (the same CPU holds the lock, an injected
     * failure, the guard slot).
     */
    record BucketLockFailed(int mapId, int bucket, int cpu, Errno errno, String reason) implements BucketEvent {
    }

    /** 6.14 profile: CPU {@code cpu}'s map_locked counter of guard slot {@code slot} is now {@code count}. */
    record MapLockedChanged(int mapId, int cpu, int slot, int count) implements BucketEvent {
    }
}
