package io.htablab.benchmarks;

import io.htablab.hashtab.htab.hash.Jhash;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A prototype of the element layout recommended for the engine's ElemStore: one {@code byte[]} region in
 * which element {@code e} occupies {@code elemStride} bytes at {@code e * elemStride}, holding
 * {@code [next:int][hash:int][key: round8(key_size)][value: value stride]}, like the kernel's
 * {@code struct htab_elem} (whose hash, key and value share one cache line for a 4B/8B map). A lookup then
 * touches the bucket head and one element line instead of four separate arrays (next, hash, keys, values).
 *
 * <p>Same algorithm and checks as {@link FlatHashBaseline} (lookup only, plus the inserts setup needs); used by
 * {@link LayoutBenchmark} to measure what the layout change alone would buy.
 */
final class FlatAosPrototype {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int KEY = 4;
    private static final int VALUE = 8;
    private static final int NEXT_OFF = 0;
    private static final int HASH_OFF = 4;
    private static final int KEY_OFF = 8;
    private static final int VALUE_OFF = KEY_OFF + 8;
    private static final int STRIDE = VALUE_OFF + VALUE;
    private static final int OK = 0;
    private static final int ENOENT = 2;
    private static final int EINVAL = 22;

    private final int seed;
    private final int mask;
    private final int[] heads;
    private final byte[] elems;
    private int used;

    FlatAosPrototype(int maxEntries, int seed) {
        this.seed = seed;
        int nBuckets = 1;
        while (nBuckets < maxEntries) {
            nBuckets <<= 1;
        }
        mask = nBuckets - 1;
        heads = new int[nBuckets];
        for (int b = 0; b < nBuckets; b++) {
            heads[b] = ~b;
        }
        elems = new byte[(maxEntries + 1) * STRIDE];
    }

    private int next(int e) {
        return (int) INT.get(elems, e * STRIDE + NEXT_OFF);
    }

    private boolean matches(int e, int h, byte[] key) {
        int base = e * STRIDE;
        return (int) INT.get(elems, base + HASH_OFF) == h
                && Arrays.equals(elems, base + KEY_OFF, base + KEY_OFF + KEY, key, 0, KEY);
    }

    int lookup(byte[] key, byte[] out) {
        if (key == null || key.length != KEY || out == null || out.length != VALUE) {
            return EINVAL;
        }
        int h = Jhash.htabMapHash(key, 0, KEY, seed);
        int bucket = h & mask;
        while (true) {
            int n = heads[bucket];
            while (n >= 0) {
                if (matches(n, h, key)) {
                    System.arraycopy(elems, n * STRIDE + VALUE_OFF, out, 0, VALUE);
                    return OK;
                }
                n = next(n);
            }
            if (~n == bucket) {
                return ENOENT;
            }
        }
    }

    /** Insert of a key known to be absent (setup only). */
    void insert(byte[] key, byte[] value) {
        int h = Jhash.htabMapHash(key, 0, KEY, seed);
        int b = h & mask;
        int e = used++;
        int base = e * STRIDE;
        System.arraycopy(key, 0, elems, base + KEY_OFF, KEY);
        INT.set(elems, base + HASH_OFF, h);
        System.arraycopy(value, 0, elems, base + VALUE_OFF, VALUE);
        INT.set(elems, base + NEXT_OFF, heads[b]);
        heads[b] = e;
    }
}
