package io.htablab.hashtab.htab;

/**
 * Result of GET_NEXT_KEY.
 *
 * @param errno  {@link Errno#OK}, {@link Errno#ENOENT} at the end, or another error
 * @param key    the next key on success, else null
 * @param detail why the Java API rejected the call, else null
 */
public record KeyResult(Errno errno, byte[] key, String detail) {

    public static KeyResult ok(byte[] key) {
        return new KeyResult(Errno.OK, key, null);
    }

    public static KeyResult error(Errno errno) {
        return new KeyResult(errno, null, null);
    }

    public static KeyResult invalid(String detail) {
        return new KeyResult(Errno.EINVAL, null, detail);
    }

    public boolean isOk() {
        return errno.isOk();
    }
}
