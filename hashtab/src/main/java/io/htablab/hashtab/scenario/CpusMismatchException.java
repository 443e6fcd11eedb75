package io.htablab.hashtab.scenario;

/** A scenario asks for a number of possible CPUs this backend cannot provide; the run stops. */
public class CpusMismatchException extends Exception {
    private static final long serialVersionUID = 1L;

    public CpusMismatchException(String message) {
        super(message);
    }
}
