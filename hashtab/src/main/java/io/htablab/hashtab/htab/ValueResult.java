package io.htablab.hashtab.htab;

/**
 * Result of an operation that yields a value (lookup, lookup-and-delete, program lookup).
 *
 * @param errno  {@link Errno#OK} or the kernel's error
 * @param value  the copied value on success (per-CPU syscall reads: {@code P * round8(value_size)} bytes), else null
 * @param detail why the Java API rejected the call (wrong lengths, bad CPU), else null
 */
public record ValueResult(Errno errno, byte[] value, String detail) {

    public static ValueResult ok(byte[] value) {
        return new ValueResult(Errno.OK, value, null);
    }

    public static ValueResult error(Errno errno) {
        return new ValueResult(errno, null, null);
    }

    public static ValueResult invalid(String detail) {
        return new ValueResult(Errno.EINVAL, null, detail);
    }

    public boolean isOk() {
        return errno.isOk();
    }
}
