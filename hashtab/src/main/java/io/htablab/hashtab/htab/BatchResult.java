package io.htablab.hashtab.htab;

import java.util.List;

/**
 * Result of a batch command, shaped like what the kernel leaves in the caller's attr and buffers.
 *
 * @param errno    {@link Errno#OK} or the error the command returned
 * @param count    the attr's {@code count} as the kernel left it: the requested count when the call was rejected
 *                 before the kernel wrote it (count 0, EPERM, EINVAL flags), else the number of elements done
 * @param outBatch the 4-byte little-endian bucket cursor when the kernel wrote it, else null
 * @param keys     keys returned (lookup batches), in order; empty otherwise
 * @param values   values returned (value_size, or P*round8(value_size) bytes for per-CPU maps)
 * @param detail   why the Java API rejected the call, else null
 */
public record BatchResult(Errno errno, long count, byte[] outBatch, List<byte[]> keys, List<byte[]> values,
                          String detail) {

    public BatchResult {
        keys = List.copyOf(keys);
        values = List.copyOf(values);
    }

    /** A call rejected before the kernel touched count or the cursor. */
    public static BatchResult untouched(Errno errno, long requestedCount) {
        return new BatchResult(errno, requestedCount, null, List.of(), List.of(), null);
    }

    public static BatchResult invalid(long requestedCount, String detail) {
        return new BatchResult(Errno.EINVAL, requestedCount, null, List.of(), List.of(), detail);
    }

    /** The cursor as a bucket index, or -1 when none was written. */
    public long outBucket() {
        if (outBatch == null) {
            return -1;
        }
        return (outBatch[0] & 0xFFL) | (outBatch[1] & 0xFFL) << 8 | (outBatch[2] & 0xFFL) << 16
                | (outBatch[3] & 0xFFL) << 24;
    }

    public boolean isOk() {
        return errno.isOk();
    }

    /** Encode a bucket index as the kernel's 4-byte cursor. */
    public static byte[] cursor(long bucket) {
        return new byte[] {(byte) bucket, (byte) (bucket >>> 8), (byte) (bucket >>> 16), (byte) (bucket >>> 24)};
    }
}
