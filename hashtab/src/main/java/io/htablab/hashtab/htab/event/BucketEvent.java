package io.htablab.hashtab.htab.event;

/** Hashing, bucket locks, chain walks, linking and unlinking of elements. Owned by the htab/store packages. */
public sealed interface BucketEvent extends HtabEvent {
    /** Placeholder so the family compiles before its records exist; never emitted. */
    record Reserved() implements BucketEvent {
    }
}
