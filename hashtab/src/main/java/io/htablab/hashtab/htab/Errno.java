package io.htablab.hashtab.htab;

/**
 * Linux errno values as the BPF hash-map family reports them. Operations return one of these
 * (or {@link #OK}) instead of throwing; the scenario output prints {@link #name()}.
 */
public enum Errno {
    OK(0),
    EPERM(1),
    ENOENT(2),
    E2BIG(7),
    EBADF(9),
    /** Not produced by the hash family; listed so the kernel harness can name it if a kernel does. */
    EAGAIN(11),
    ENOMEM(12),
    EACCES(13),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    ENODEV(19),
    EINVAL(22),
    ENOSPC(28),
    ERANGE(34),
    EDEADLK(35),
    ENOSYS(38),
    EBADFD(77),
    EOPNOTSUPP(95),
    EADDRNOTAVAIL(99),
    ETIMEDOUT(110),
    /** Kernel-internal "not supported" (524), reported to user space unchanged for LRU + NO_PREALLOC. */
    ENOTSUPP(524);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean isOk() {
        return this == OK;
    }

    /** The errno with this positive code, or {@code null} when it is not one this family produces. */
    public static Errno fromCode(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    /** Symbolic name for any errno code; unknown codes print as {@code E<code>}. */
    public static String nameOf(int code) {
        Errno e = fromCode(code);
        return e != null ? e.name() : "E" + code;
    }
}
