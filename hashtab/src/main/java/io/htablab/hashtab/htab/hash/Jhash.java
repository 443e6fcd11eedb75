package io.htablab.hashtab.htab.hash;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Bob Jenkins' lookup3 hash as the kernel's {@code jhash.h} uses it for hash-map buckets (spec 3).
 *
 * <p>All arithmetic is wrapping 32-bit {@code int} arithmetic. Words are read little-endian, which is
 * what the kernel sees on x86_64; that is also why {@link #jhash2} and {@link #jhash} agree for keys
 * whose length is a multiple of four.
 */
public final class Jhash {

    /** The initial constant added to every state word (JHASH_INITVAL). */
    public static final int JHASH_INITVAL = 0xDEADBEEF;

    private Jhash() {
    }

    /** Hash of the key bytes with the map's seed, choosing jhash2 for u32-multiple keys (htab_map_hash). */
    public static int htabMapHash(byte[] key, int off, int len, int seed) {
        // On a little-endian machine both functions agree for len % 4 == 0; keep the kernel's choice visible.
        return (len & 3) == 0 ? jhash2(key, off, len >>> 2, seed) : jhash(key, off, len, seed);
    }

    public static int htabMapHash(byte[] key, int seed) {
        return htabMapHash(key, 0, key.length, seed);
    }

    /** jhash over {@code len} bytes starting at {@code off} (spec 3.3). */
    public static int jhash(byte[] k, int off, int len, int seed) {
        int a = JHASH_INITVAL + len + seed;
        int b = a;
        int c = a;
        int p = off;
        int remaining = len;
        while (remaining > 12) {
            a += le32(k, p);
            b += le32(k, p + 4);
            c += le32(k, p + 8);
            // MIX inlined: this is the hot path of every lookup with an odd-sized key.
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            p += 12;
            remaining -= 12;
        }
        if (remaining == 0) {
            return c; // only for len == 0, which no map key has
        }
        a += tailWord(k, p, remaining, 0);
        b += tailWord(k, p, remaining, 4);
        c += tailWord(k, p, remaining, 8);
        return finalC(a, b, c);
    }

    public static int jhash(byte[] k, int seed) {
        return jhash(k, 0, k.length, seed);
    }

    /** jhash2 over {@code nWords} little-endian u32 words starting at byte {@code off} (spec 3.4). */
    public static int jhash2(byte[] k, int off, int nWords, int seed) {
        int a = JHASH_INITVAL + (nWords << 2) + seed;
        int b = a;
        int c = a;
        int p = off;
        int n = nWords;
        while (n > 3) {
            a += le32(k, p);
            b += le32(k, p + 4);
            c += le32(k, p + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            p += 12;
            n -= 3;
        }
        switch (n) {
            case 3:
                c += le32(k, p + 8);
                // fall through
            case 2:
                b += le32(k, p + 4);
                // fall through
            case 1:
                a += le32(k, p);
                return finalC(a, b, c);
            default:
                return c;
        }
    }

    /** jhash2 over an int array of words (the kernel's u32 * form). */
    public static int jhash2(int[] words, int seed) {
        byte[] b = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            int w = words[i];
            b[4 * i] = (byte) w;
            b[4 * i + 1] = (byte) (w >>> 8);
            b[4 * i + 2] = (byte) (w >>> 16);
            b[4 * i + 3] = (byte) (w >>> 24);
        }
        return jhash2(b, 0, words.length, seed);
    }

    /** Bucket index of a hash in a table of {@code nBuckets} (a power of two). */
    public static int bucket(int hash, int nBuckets) {
        return hash & (nBuckets - 1);
    }

    /** The three state words of the hash; immutable. */
    public record State(int a, int b, int c) {
        @Override
        public String toString() {
            return String.format("a=0x%08x b=0x%08x c=0x%08x", a, b, c);
        }
    }

    /** MIX(a, b, c) of spec 3.2: six subtract-xor-rotate-add steps. */
    public static State mix(State s) {
        int a = s.a(), b = s.b(), c = s.c();
        a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
        a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        return new State(a, b, c);
    }

    /** FINAL(a, b, c) of spec 3.2: seven xor-subtract-rotate steps. */
    public static State fin(State s) {
        int a = s.a(), b = s.b(), c = s.c();
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return new State(a, b, c);
    }

    private static int finalC(int a, int b, int c) {
        return fin(a, b, c);
    }

    private static int fin(int a, int b, int c) {
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /** Kind of a traced step, for the visualiser's jhash view. */
    public enum StepKind { INITIAL, ADD_BLOCK, MIX, ADD_TAIL, FINAL }

    /**
     * One traced state.
     *
     * @param kind   what produced this state
     * @param offset byte offset of the block that was added (-1 for INITIAL, MIX, FINAL)
     * @param length number of key bytes in that block (tail blocks may be shorter than 12)
     * @param state  the (a, b, c) after the step
     */
    public record Step(StepKind kind, int offset, int length, State state) {
    }

    /**
     * Every intermediate state of hashing {@code key} with {@code seed}, using the same function choice
     * as {@link #htabMapHash} (the word-wise jhash2 visits exactly the same states as jhash on
     * little-endian keys whose length is a multiple of 4, so one tracer serves both).
     */
    public record Trace(byte[] key, int seed, boolean usesJhash2, List<Step> steps, int hash) {
        public Trace {
            key = key.clone();
            steps = List.copyOf(steps);
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        public int bucket(int nBuckets) {
            return Jhash.bucket(hash, nBuckets);
        }
    }

    /** Trace the hash of {@code key} with {@code seed}; the result's {@code hash} equals {@link #htabMapHash}. */
    public static Trace trace(byte[] key, int seed) {
        List<Step> steps = new ArrayList<>();
        int len = key.length;
        int init = JHASH_INITVAL + len + seed;
        State s = new State(init, init, init);
        steps.add(new Step(StepKind.INITIAL, -1, 0, s));
        int p = 0;
        int remaining = len;
        while (remaining > 12) {
            s = new State(s.a() + le32(key, p), s.b() + le32(key, p + 4), s.c() + le32(key, p + 8));
            steps.add(new Step(StepKind.ADD_BLOCK, p, 12, s));
            s = mix(s);
            steps.add(new Step(StepKind.MIX, -1, 0, s));
            p += 12;
            remaining -= 12;
        }
        if (remaining > 0) {
            s = new State(s.a() + tailWord(key, p, remaining, 0), s.b() + tailWord(key, p, remaining, 4),
                    s.c() + tailWord(key, p, remaining, 8));
            steps.add(new Step(StepKind.ADD_TAIL, p, remaining, s));
            s = fin(s);
            steps.add(new Step(StepKind.FINAL, -1, 0, s));
        }
        return new Trace(key, seed, (len & 3) == 0, Collections.unmodifiableList(steps), s.c());
    }

    /** Little-endian u32 at {@code p}. */
    static int le32(byte[] k, int p) {
        return (k[p] & 0xFF) | (k[p + 1] & 0xFF) << 8 | (k[p + 2] & 0xFF) << 16 | (k[p + 3] & 0xFF) << 24;
    }

    /** Word {@code wordOff/4} of a zero-padded tail of {@code remaining} (1..12) bytes at {@code p}. */
    private static int tailWord(byte[] k, int p, int remaining, int wordOff) {
        int w = 0;
        for (int i = 0; i < 4; i++) {
            int idx = wordOff + i;
            if (idx < remaining) {
                w |= (k[p + idx] & 0xFF) << (8 * i);
            }
        }
        return w;
    }
}
