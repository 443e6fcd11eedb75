package io.htablab.hashtab.kernel;

/** The harness met something it cannot express as a scenario result (an internal error, exit 4). */
public final class KernelHarnessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KernelHarnessException(String message) {
        super(message);
    }
}
