package io.htablab.hashtab.htab.event;

/**
 * One internal step of a map operation, immutable, in the order the engine performed it.
 *
 * <p>The families are split by the structure they describe so that each mechanism (buckets,
 * freelist, LRU, special fields) owns its own event file. A view that folds the stream from
 * {@link MapEvent.MapCreated} onwards can rebuild the map's complete state.
 */
public sealed interface HtabEvent permits MapEvent, BucketEvent, FreelistEvent, LruEvent, FieldEvent {

    /**
     * The id of the map the step belongs to (the kernel's map id, as {@link MapEvent.MapCreated} announced it).
     * One operation can touch several maps: a timer callback or a nested program updating another map, a map of
     * maps and its inner maps.
     */
    int mapId();
}
