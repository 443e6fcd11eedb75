package io.htablab.hashtab.htab;

/**
 * Read-only view of a map's internal state for views and tests. Every array returned is a fresh copy; nothing
 * here can change the map.
 *
 * <p>Element numbers are indices into the element store (the kernel's element identity). Nulls markers are
 * reported by value: the bucket index a chain end designates.
 */
public interface HtabState {

    MapType type();

    int keySize();

    int valueSize();

    /** Effective max_entries. */
    long maxEntries();

    /** Stored map flags (RDONLY/WRONLY removed). */
    int mapFlags();

    int nBuckets();

    long elemSize();

    /** Preallocated elements (0 for NO_PREALLOC maps). */
    long numEntries();

    int hashrnd();

    int possibleCpus();

    boolean isPrealloc();

    /** Bytes of value storage per element: round8(value_size), or P * round8(value_size) for per-CPU maps. */
    int valueStride();

    /** Linked elements. */
    int count();

    long memlock();

    /** Element slots that exist (all preallocated ones, or those a NO_PREALLOC map has handed out so far). */
    int elemSlots();

    /** Element indices of bucket {@code bucket}'s chain, head first. */
    int[] chain(int bucket);

    /** The nulls value at the end of the chain (equals {@code bucket} in a consistent map). */
    int chainEndMarker(int bucket);

    /** Raw head link of a bucket: an element index ({@code >= 0}) or {@code ~markerValue} (negative). */
    int bucketHeadLink(int bucket);

    /** Raw next link of an element, same encoding as {@link #bucketHeadLink}. */
    int elemNextLink(int elem);

    byte[] elemKey(int elem);

    int elemHash(int elem);

    /** The bucket the element's stored hash selects. */
    int elemBucket(int elem);

    /** The element's whole value storage ({@link #valueStride()} bytes, per-CPU padding included). */
    byte[] elemValue(int elem);

    /** For NO_PREALLOC maps: whether the element is handed out (linked); always true for preallocated ones. */
    boolean elemAllocated(int elem);

    /** CPU {@code cpu}'s freelist, head first (empty for maps without a freelist). */
    int[] freelist(int cpu);

    /** CPU {@code cpu}'s extra element (HASH prealloc), else -1. */
    int extra(int cpu);
}
