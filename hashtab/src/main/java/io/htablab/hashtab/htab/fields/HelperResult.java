package io.htablab.hashtab.htab.fields;

import io.htablab.hashtab.htab.Errno;

/**
 * What a timer or workqueue helper returned to the program: {@link Errno#OK} with the helper's non-negative
 * return value (bpf_timer_cancel's 0 or 1; 0 for the others), or an errno. {@code detail} says why the Java API
 * refused arguments the kernel could never receive (a wrong key length, a value without such a field).
 */
public record HelperResult(Errno errno, long value, String detail) {

    public static final HelperResult ZERO = new HelperResult(Errno.OK, 0, null);

    public static HelperResult ok(long value) {
        return value == 0 ? ZERO : new HelperResult(Errno.OK, value, null);
    }

    public static HelperResult error(Errno errno) {
        return new HelperResult(errno, -errno.code(), null);
    }

    public static HelperResult invalid(String detail) {
        return new HelperResult(Errno.EINVAL, -Errno.EINVAL.code(), detail);
    }

    public boolean isOk() {
        return errno.isOk();
    }
}
