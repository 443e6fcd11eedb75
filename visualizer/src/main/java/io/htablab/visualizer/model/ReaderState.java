package io.htablab.visualizer.model;

/**
 * The lock-free reader of the nulls race: which bucket it searches, the element it looked at last
 * ({@code at}), the link it will follow next ({@code next}, in the link encoding: element index or
 * {@code ~marker}), and how often it restarted.
 */
public record ReaderState(boolean active, byte[] key, int hash, int bucket, int at, int next, int restarts,
                          boolean done, boolean found, int lastForeignMarker) {

    public static final int NOT_STARTED = Integer.MIN_VALUE;

    public static final ReaderState NONE = new ReaderState(false, null, 0, -1, NOT_STARTED, NOT_STARTED, 0, false,
            false, -1);

    public static ReaderState begin(byte[] key, int hash, int bucket, int headLink) {
        return new ReaderState(true, key, hash, bucket, NOT_STARTED, headLink, 0, false, false, -1);
    }

    public ReaderState visit(int b, int elem, boolean keyMatch, int nextLink) {
        return new ReaderState(true, key, hash, b, elem, keyMatch ? elem : nextLink, restarts, keyMatch, keyMatch,
                lastForeignMarker);
    }

    public ReaderState nulls(int b, int marker, boolean restart, int headLink) {
        if (restart) {
            return new ReaderState(true, key, hash, b, ~marker, headLink, restarts + 1, false, false, marker);
        }
        return new ReaderState(true, key, hash, b, ~marker, ~marker, restarts, true, false, lastForeignMarker);
    }

    @Override
    public String toString() {
        return active ? "reader(b" + bucket + " at=" + at + " next=" + next + " restarts=" + restarts + " done="
                + done + ")" : "-";
    }
}
