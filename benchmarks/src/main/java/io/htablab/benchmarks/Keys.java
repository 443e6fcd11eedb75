package io.htablab.benchmarks;

import java.util.SplittableRandom;

/**
 * Pre-generated 4-byte keys. Key {@code i} is a bijective scramble of {@code i}, so keys {@code 0..n-1} are
 * distinct and keys {@code n..2n-1} are distinct from them (the miss set), without a set to check against.
 */
final class Keys {

    static final long SEED = 0x5EED_1234L;

    private Keys() {
    }

    /** A bijection of the 32-bit integers (odd multipliers and xor-shifts are invertible). */
    static int scramble(int i) {
        int x = i * 0x9E3779B1;
        x ^= x >>> 16;
        x *= 0x85EBCA6B;
        x ^= x >>> 13;
        return x;
    }

    /** The little-endian bytes of key number {@code i}. */
    static byte[] key(int i) {
        int x = scramble(i);
        return new byte[] {(byte) x, (byte) (x >>> 8), (byte) (x >>> 16), (byte) (x >>> 24)};
    }

    /** Keys {@code from..from+n-1}, each a fresh array, in insertion order. */
    static byte[][] range(int from, int n) {
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = key(from + i);
        }
        return out;
    }

    /** A random permutation (Fisher-Yates, fixed seed) of the given keys: the benchmark's access order. */
    static byte[][] shuffled(byte[][] keys, long seed) {
        byte[][] out = keys.clone();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = out.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            byte[] t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /**
     * Wrappers around copies of the given keys: a caller's key is its own array, never the one the map stored
     * (else {@code Arrays.equals} would see the same array and skip the comparison and its memory access).
     */
    static ByteKey[] wrapCopies(byte[][] keys) {
        ByteKey[] out = new ByteKey[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = new ByteKey(keys[i].clone());
        }
        return out;
    }

    static ByteKey[] wrap(byte[][] keys) {
        ByteKey[] out = new ByteKey[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = new ByteKey(keys[i]);
        }
        return out;
    }

    /** An 8-byte value derived from {@code i}. */
    static byte[] value(int i) {
        byte[] v = new byte[8];
        for (int b = 0; b < 8; b++) {
            v[b] = (byte) (i >>> (b * 4));
        }
        return v;
    }
}
