package io.htablab.hashtab.cfront.btf;

/** A BTF blob that cannot be read (bad magic, a section outside the blob, a truncated type). */
public final class BtfFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BtfFormatException(String message) {
        super(message);
    }
}
