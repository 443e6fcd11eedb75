package io.htablab.benchmarks;

import java.util.Arrays;

/**
 * A byte-array key for the java.util maps and Caffeine: equals and hashCode over the bytes, computed on every
 * call (no cached hash), because the engine also hashes the key bytes on every operation.
 */
final class ByteKey {

    private final byte[] bytes;

    ByteKey(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey && Arrays.equals(bytes, ((ByteKey) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
