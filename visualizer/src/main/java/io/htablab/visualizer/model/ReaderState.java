package io.htablab.visualizer.model;

/**
 * The lock-free reader of the nulls race: which bucket it searches, where it stands and how often it
 * restarted. {@code at} uses the link encoding (element index, or {@code ~marker}); -1... is never an element
 * so {@link #NOT_STARTED} marks a reader that has not stepped yet.
 */
public record ReaderState(boolean active, byte[] key, int hash, int bucket, int at, boolean standing, int restarts,
                          boolean done, boolean found, int lastForeignMarker) {

    public static final int NOT_STARTED = Integer.MIN_VALUE;

    public static final ReaderState NONE = new ReaderState(false, null, 0, -1, NOT_STARTED, false, 0, false, false,
            -1);

    public static ReaderState begin(byte[] key, int hash, int bucket) {
        return new ReaderState(true, key, hash, bucket, NOT_STARTED, false, 0, false, false, -1);
    }

    public ReaderState visit(int b, int elem, boolean keyMatch) {
        return new ReaderState(true, key, hash, b, elem, true, restarts, keyMatch, keyMatch, lastForeignMarker);
    }

    public ReaderState nulls(int b, int marker, boolean restart) {
        if (restart) {
            return new ReaderState(true, key, hash, b, ~marker, false, restarts + 1, false, false, marker);
        }
        return new ReaderState(true, key, hash, b, ~marker, false, restarts, true, false, lastForeignMarker);
    }

    @Override
    public String toString() {
        return active ? "reader(b" + bucket + " at=" + at + " restarts=" + restarts + " done=" + done + ")" : "-";
    }
}
