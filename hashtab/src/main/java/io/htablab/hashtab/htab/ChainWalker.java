package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.store.Buckets;
import io.htablab.hashtab.htab.store.ElemStore;

/**
 * A lockless lookup (lookup_nulls_elem_raw) executed one step at a time, so that other operations on the same
 * map can run between its steps, as on another CPU.
 *
 * <p>It reads the map's live links. If an element it stands on is deleted and reused for a key of another bucket
 * (preallocated maps reuse elements at once), the walker follows that element into the foreign chain, ends on
 * that chain's nulls marker, sees the marker is not its own bucket's, and restarts from its bucket's head.
 */
public final class ChainWalker {

    /** What one {@link #step()} did. */
    public sealed interface Step {
    }

    /** Looked at {@code elem}; it did not match, the walker moved on to its next link. */
    public record Visited(int bucket, int elem, boolean hashMatch) implements Step {
    }

    /** {@code elem} holds the key: the lookup is done and found it. */
    public record Matched(int bucket, int elem) implements Step {
    }

    /** Reached the chain's end, a nulls marker of value {@code marker}: its own bucket means "absent" (done). */
    public record ReachedNulls(int bucket, int marker) implements Step {
    }

    /** Reached a foreign bucket's nulls marker {@code marker}: back to the head of {@code bucket}. */
    public record Restarted(int bucket, int marker) implements Step {
    }

    /** The walk had already finished. */
    public record Finished(int result) implements Step {
    }

    private final Htab htab;
    private final int cpu;
    private final byte[] key;
    private final int hash;
    private final int bucket;
    private int position;
    private boolean done;
    private int result = -1;
    private int restarts;

    ChainWalker(Htab htab, int cpu, byte[] key, int hash, int bucket) {
        this.htab = htab;
        this.cpu = cpu;
        this.key = key;
        this.hash = hash;
        this.bucket = bucket;
        this.position = htab.buckets().head(bucket);
    }

    /** Perform the next step of the walk. */
    public Step step() {
        if (done) {
            return new Finished(result);
        }
        ElemStore store = htab.store();
        int n = position;
        if (!Buckets.isNulls(n)) {
            boolean hashMatch = store.hash(n) == hash;
            boolean keyMatch = hashMatch && store.keyEquals(n, key);
            if (htab.events.enabled()) {
                htab.events.accept(new BucketEvent.NodeVisited(htab.mapId(), bucket, n, hashMatch, keyMatch));
            }
            if (keyMatch) {
                done = true;
                result = n;
                return new Matched(bucket, n);
            }
            position = store.next(n);
            return new Visited(bucket, n, hashMatch);
        }
        int marker = Buckets.nullsValue(n);
        boolean restart = marker != bucket;
        if (htab.events.enabled()) {
            htab.events.accept(new BucketEvent.NullsReached(htab.mapId(), bucket, marker, restart));
        }
        if (restart) {
            restarts++;
            position = htab.buckets().head(bucket);
            return new Restarted(bucket, marker);
        }
        done = true;
        return new ReachedNulls(bucket, marker);
    }

    /** Step until done; the element found or -1. */
    public int runToEnd() {
        while (!done) {
            step();
        }
        return result;
    }

    public boolean isDone() {
        return done;
    }

    /** The element found, or -1 (while running, or when the key is absent). */
    public int result() {
        return result;
    }

    /** The raw link the walker stands on next: an element index, or {@code ~marker} for a nulls marker. */
    public int position() {
        return position;
    }

    public int bucket() {
        return bucket;
    }

    public int hash() {
        return hash;
    }

    public int cpu() {
        return cpu;
    }

    public int restarts() {
        return restarts;
    }
}
