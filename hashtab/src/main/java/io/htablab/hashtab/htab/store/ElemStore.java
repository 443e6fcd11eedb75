package io.htablab.hashtab.htab.store;

import java.util.Arrays;

/**
 * Flat element storage: element identity is its index, as in the kernel's preallocated {@code elems} region.
 *
 * <p>Per element: a next link ({@link Buckets} encoding), the stored 32-bit hash, {@code round8(key_size)} key
 * bytes and {@code valueStride} value bytes ({@code round8(value_size)}, or {@code P * round8(value_size)} for
 * per-CPU maps, slot {@code c} at {@code c * round8(value_size)}). No object per element.
 *
 * <p>A preallocated store has a fixed number of elements. A growable store (NO_PREALLOC maps) hands out indices
 * on demand and reuses freed ones last-freed-first; the kernel's allocator order is unspecified, so only the
 * existence of an element, never its index, is meaningful there.
 */
public final class ElemStore {

    /** Largest Java array this store will try to allocate. */
    public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16L;

    private final int keySize;
    private final int keyStride;
    private final int valueStride;
    private final boolean growable;
    private final long memoryLimit;

    private int[] next;
    private int[] hash;
    private byte[] keys;
    private byte[] values;
    private int capacity;
    /** Indices below this have been handed out at least once (growable stores). */
    private int highWater;
    private int[] freeStack;
    private int freeTop;

    private ElemStore(int keySize, int valueStride, int capacity, boolean growable, long memoryLimit) {
        this.keySize = keySize;
        this.keyStride = round8(keySize);
        this.valueStride = valueStride;
        this.growable = growable;
        this.memoryLimit = memoryLimit;
        allocate(capacity);
        if (!growable) {
            highWater = capacity;
        }
        freeStack = new int[growable ? capacity : 0];
    }

    /**
     * A fixed store of {@code numEntries} zero-filled elements, or null when it cannot be allocated
     * (the caller reports ENOMEM).
     */
    public static ElemStore prealloc(int keySize, int valueStride, long numEntries, long memoryLimit) {
        if (!fits(keySize, valueStride, numEntries, memoryLimit)) {
            return null;
        }
        return new ElemStore(keySize, valueStride, (int) numEntries, false, memoryLimit);
    }

    /** An empty growable store, or null when even a small one cannot be allocated. */
    public static ElemStore growable(int keySize, int valueStride, long memoryLimit) {
        long initial = 4;
        if (!fits(keySize, valueStride, initial, memoryLimit)) {
            return null;
        }
        return new ElemStore(keySize, valueStride, (int) initial, true, memoryLimit);
    }

    /** Bytes a store of {@code n} elements retains. */
    public static long bytesFor(int keySize, int valueStride, long n) {
        return n * (4L + 4L + round8(keySize) + valueStride + 4L);
    }

    private static boolean fits(int keySize, int valueStride, long n, long memoryLimit) {
        if (n > Integer.MAX_VALUE - 16L) {
            return false;
        }
        if (n * round8(keySize) > MAX_ARRAY_BYTES || n * (long) valueStride > MAX_ARRAY_BYTES) {
            return false;
        }
        return bytesFor(keySize, valueStride, n) <= memoryLimit;
    }

    private void allocate(int newCapacity) {
        next = next == null ? new int[newCapacity] : Arrays.copyOf(next, newCapacity);
        hash = hash == null ? new int[newCapacity] : Arrays.copyOf(hash, newCapacity);
        keys = keys == null ? new byte[newCapacity * keyStride] : Arrays.copyOf(keys, newCapacity * keyStride);
        values = values == null ? new byte[newCapacity * valueStride]
                : Arrays.copyOf(values, newCapacity * valueStride);
        capacity = newCapacity;
    }

    public static int round8(int x) {
        return (x + 7) & ~7;
    }

    public boolean isGrowable() {
        return growable;
    }

    /** Number of element slots that exist (preallocated: all of them; growable: handed out so far). */
    public int size() {
        return highWater;
    }

    /**
     * A new element index for a growable store: the most recently freed one, else a fresh one.
     *
     * @return the index, or -1 when memory runs out (the caller reports ENOMEM)
     */
    public int alloc() {
        if (freeTop > 0) {
            return freeStack[--freeTop];
        }
        if (highWater == capacity) {
            long want = Math.max(4L, (long) capacity * 2);
            if (!fits(keySize, valueStride, want, memoryLimit)) {
                want = (long) capacity + 1;
                if (!fits(keySize, valueStride, want, memoryLimit)) {
                    return -1;
                }
            }
            allocate((int) want);
            freeStack = Arrays.copyOf(freeStack, (int) want);
        }
        return highWater++;
    }

    /** Give a growable store's element back (bpf_mem_cache_free). */
    public void free(int elem) {
        freeStack[freeTop++] = elem;
    }

    /** Whether a growable store's element is currently handed out. */
    public boolean isAllocated(int elem) {
        if (!growable) {
            return elem >= 0 && elem < capacity;
        }
        if (elem < 0 || elem >= highWater) {
            return false;
        }
        for (int i = 0; i < freeTop; i++) {
            if (freeStack[i] == elem) {
                return false;
            }
        }
        return true;
    }

    public int next(int elem) {
        return next[elem];
    }

    public void setNext(int elem, int link) {
        next[elem] = link;
    }

    public int hash(int elem) {
        return hash[elem];
    }

    public void setHash(int elem, int h) {
        hash[elem] = h;
    }

    public int keySize() {
        return keySize;
    }

    public int valueStride() {
        return valueStride;
    }

    /** Copy {@code keySize} bytes of {@code key} into the element. */
    public void setKey(int elem, byte[] key) {
        System.arraycopy(key, 0, keys, elem * keyStride, keySize);
    }

    /** Whether the element's key equals {@code key} (the memcmp of the lookup loop). */
    public boolean keyEquals(int elem, byte[] key) {
        int off = elem * keyStride;
        return Arrays.equals(keys, off, off + keySize, key, 0, keySize);
    }

    /** A copy of the element's key bytes. */
    public byte[] key(int elem) {
        int off = elem * keyStride;
        return Arrays.copyOfRange(keys, off, off + keySize);
    }

    /** Copy the key into {@code dst} at {@code dstOff}. */
    public void copyKey(int elem, byte[] dst, int dstOff) {
        System.arraycopy(keys, elem * keyStride, dst, dstOff, keySize);
    }

    /** Write {@code len} bytes of {@code src} (from {@code srcOff}) at byte {@code off} of the element's value area. */
    public void writeValue(int elem, int off, byte[] src, int srcOff, int len) {
        System.arraycopy(src, srcOff, values, elem * valueStride + off, len);
    }

    /** Zero {@code len} bytes at byte {@code off} of the element's value area. */
    public void zeroValue(int elem, int off, int len) {
        int base = elem * valueStride + off;
        Arrays.fill(values, base, base + len, (byte) 0);
    }

    /** Copy {@code len} bytes at byte {@code off} of the element's value area into {@code dst}. */
    public void readValue(int elem, int off, byte[] dst, int dstOff, int len) {
        System.arraycopy(values, elem * valueStride + off, dst, dstOff, len);
    }

    /** A copy of {@code len} bytes at {@code off} of the element's value area. */
    public byte[] value(int elem, int off, int len) {
        int base = elem * valueStride + off;
        return Arrays.copyOfRange(values, base, base + len);
    }
}
