package io.htablab.hashtab.kernel;

/** bpf() cannot be called at all on this machine (wrong OS or architecture, no libc binding). */
public final class BpfUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public BpfUnavailableException(String message) {
        super(message);
    }
}
