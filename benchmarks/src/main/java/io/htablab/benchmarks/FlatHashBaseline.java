package io.htablab.benchmarks;

import io.htablab.hashtab.htab.hash.Jhash;
import java.util.Arrays;

/**
 * A stand-in for "the engine built without event code": a preallocated 4B/8B HASH written for this benchmark
 * with the engine's data layout and algorithm (jhash2 with the map's seed, bucket = hash & (n_buckets - 1),
 * int-indexed chains ending in a nulls marker {@code ~bucket}, flat key/value byte arrays, the replacing update
 * through a spare "extra" element), and the same argument checks, but not a single event test.
 *
 * <p>It is not the engine and is used only as the floor the engine's no-listener figure is compared against.
 */
final class FlatHashBaseline {

    private static final int KEY = 4;
    private static final int KEY_STRIDE = 8;
    private static final int VALUE = 8;
    private static final int OK = 0;
    private static final int ENOENT = 2;
    private static final int E2BIG = 7;
    private static final int EINVAL = 22;

    private final int seed;
    private final int mask;
    private final int[] heads;
    private final int[] next;
    private final int[] hash;
    private final byte[] keys;
    private final byte[] values;
    private final int[] freeStack;
    private int freeTop;
    private int extra;

    FlatHashBaseline(int maxEntries, int seed) {
        this.seed = seed;
        int nBuckets = Integer.highestOneBit(Math.max(1, maxEntries - 1)) << 1;
        if (nBuckets < maxEntries) {
            nBuckets <<= 1;
        }
        mask = nBuckets - 1;
        heads = new int[nBuckets];
        for (int b = 0; b < nBuckets; b++) {
            heads[b] = ~b;
        }
        int numEntries = maxEntries + 1; // one spare for replacing updates, as one CPU's extra element
        next = new int[numEntries];
        hash = new int[numEntries];
        keys = new byte[numEntries * KEY_STRIDE];
        values = new byte[numEntries * VALUE];
        freeStack = new int[numEntries];
        for (int e = numEntries - 1; e >= 0; e--) {
            freeStack[freeTop++] = e;
        }
        extra = freeStack[--freeTop];
    }

    private boolean keyEquals(int elem, byte[] key) {
        int off = elem * KEY_STRIDE;
        return Arrays.equals(keys, off, off + KEY, key, 0, KEY);
    }

    /** Lockless walk; restarts when the walk ends on another bucket's marker. */
    private int lookupNulls(int bucket, int h, byte[] key) {
        while (true) {
            int n = heads[bucket];
            while (n >= 0) {
                if (hash[n] == h && keyEquals(n, key)) {
                    return n;
                }
                n = next[n];
            }
            if (~n == bucket) {
                return -1;
            }
        }
    }

    int lookup(byte[] key, byte[] out) {
        if (key == null || key.length != KEY || out == null || out.length != VALUE) {
            return EINVAL;
        }
        int h = Jhash.htabMapHash(key, 0, KEY, seed);
        int e = lookupNulls(h & mask, h, key);
        if (e < 0) {
            return ENOENT;
        }
        System.arraycopy(values, e * VALUE, out, 0, VALUE);
        return OK;
    }

    /** BPF_ANY update: a replacing update takes the spare and leaves the old element as the new spare. */
    int update(byte[] key, byte[] value) {
        if (key == null || key.length != KEY || value == null || value.length != VALUE) {
            return EINVAL;
        }
        int h = Jhash.htabMapHash(key, 0, KEY, seed);
        int b = h & mask;
        int old = -1;
        for (int n = heads[b]; n >= 0; n = next[n]) {
            if (hash[n] == h && keyEquals(n, key)) {
                old = n;
                break;
            }
        }
        int e;
        if (old >= 0) {
            e = extra;
            extra = old;
        } else {
            if (freeTop == 0) {
                return E2BIG;
            }
            e = freeStack[--freeTop];
        }
        System.arraycopy(key, 0, keys, e * KEY_STRIDE, KEY);
        hash[e] = h;
        System.arraycopy(value, 0, values, e * VALUE, VALUE);
        next[e] = heads[b];
        heads[b] = e;
        if (old >= 0) {
            unlink(b, old);
        }
        return OK;
    }

    private void unlink(int b, int elem) {
        int cur = heads[b];
        if (cur == elem) {
            heads[b] = next[elem];
            return;
        }
        while (cur >= 0) {
            int nxt = next[cur];
            if (nxt == elem) {
                next[cur] = next[elem];
                return;
            }
            cur = nxt;
        }
    }
}
