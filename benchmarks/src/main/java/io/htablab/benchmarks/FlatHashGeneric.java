package io.htablab.benchmarks;

import io.htablab.hashtab.htab.hash.Jhash;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * {@link FlatHashBaseline} with the key and value sizes as fields read at run time (as in the engine, which serves
 * any key_size/value_size), instead of compile-time constants the JIT folds into shifts and straight-line code.
 * Still no event code at all: the gap between {@code noEventCode} and this variant is what specialising the sizes
 * is worth, and the gap between this variant and the engine's no-listener figure bounds what is left of the
 * engine's layering and its single listener test.
 */
final class FlatHashGeneric {

    private static final int OK = 0;
    private static final int ENOENT = 2;
    private static final int E2BIG = 7;
    private static final int EINVAL = 22;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final int keySize;
    private final int keyStride;
    private final int valueSize;
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

    FlatHashGeneric(int maxEntries, int seed, int keySize, int valueSize) {
        this.keySize = keySize;
        this.keyStride = (keySize + 7) & ~7;
        this.valueSize = valueSize;
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
        keys = new byte[numEntries * keyStride];
        values = new byte[numEntries * valueSize];
        freeStack = new int[numEntries];
        for (int e = numEntries - 1; e >= 0; e--) {
            freeStack[freeTop++] = e;
        }
        extra = freeStack[--freeTop];
    }

    private boolean keyEquals(int elem, byte[] key) {
        int off = elem * keyStride;
        if (keySize == 4) {
            return (int) INT_LE.get(keys, off) == (int) INT_LE.get(key, 0);
        }
        return java.util.Arrays.equals(keys, off, off + keySize, key, 0, keySize);
    }

    /** Lockless walk; restarts when the walk ends on another bucket's marker. */
    private int lookupNulls(int bucket, int h, byte[] key) {
        while (true) {
            int n = heads[bucket];
            while (n >= 0) {
                if (keyEquals(n, key)) {
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
        if (key == null || key.length != keySize || out == null || out.length != valueSize) {
            return EINVAL;
        }
        int h = Jhash.htabMapHash(key, 0, keySize, seed);
        int e = lookupNulls(h & mask, h, key);
        if (e < 0) {
            return ENOENT;
        }
        if (valueSize == 8) {
            LONG_LE.set(out, 0, (long) LONG_LE.get(values, e * valueSize));
        } else {
            System.arraycopy(values, e * valueSize, out, 0, valueSize);
        }
        return OK;
    }

    /** BPF_ANY update: a replacing update takes the spare and leaves the old element as the new spare. */
    int update(byte[] key, byte[] value) {
        if (key == null || key.length != keySize || value == null || value.length != valueSize) {
            return EINVAL;
        }
        int h = Jhash.htabMapHash(key, 0, keySize, seed);
        int b = h & mask;
        int old = -1;
        for (int n = heads[b]; n >= 0; n = next[n]) {
            if (keyEquals(n, key)) {
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
        System.arraycopy(key, 0, keys, e * keyStride, keySize);
        hash[e] = h;
        if (valueSize == 8) {
            LONG_LE.set(values, e * valueSize, (long) LONG_LE.get(value, 0));
        } else {
            System.arraycopy(value, 0, values, e * valueSize, valueSize);
        }
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
