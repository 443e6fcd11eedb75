package io.htablab.hashtab.htab;

/**
 * Result of an operation without data (update, delete) when the caller wants the reason for a Java-side
 * rejection; the plain methods return just the {@link Errno}.
 */
public record OpResult(Errno errno, String detail) {

    public static final OpResult OK = new OpResult(Errno.OK, null);

    public boolean isOk() {
        return errno.isOk();
    }
}
