package io.htablab.hashtab.cfront;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the text of an included file. The language server passes one that prefers unsaved editor
 * buffers; {@link #FILE_SYSTEM} reads the disk. Must not throw: return empty when the file is absent.
 */
@FunctionalInterface
public interface IncludeReader {

    Optional<String> read(Path path);

    /**
     * A cheap value that changes whenever {@link #read(Path)} would return different text (the header cache
     * compares it before reusing a parsed header), or null when the file is absent. The default reads the
     * file and uses its text; {@link #FILE_SYSTEM} uses size, modification time and file key instead.
     */
    default Object fingerprint(Path path) {
        return read(path).map(t -> (Object) new TextStamp(t.length(), t.hashCode(), t)).orElse(null);
    }

    /** A fingerprint by content; {@code text} is compared only when length and hash agree. */
    record TextStamp(int length, int hash, String text) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TextStamp s && s.length == length && s.hash == hash && Objects.equals(s.text, text);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return "text(" + length + "," + Integer.toHexString(hash) + ")";
        }
    }

    /** A fingerprint of a file on disk. */
    record FileStamp(long size, long modifiedNanos, Object fileKey) {
    }

    IncludeReader FILE_SYSTEM = new IncludeReader() {
        @Override
        public Optional<String> read(Path path) {
            try {
                if (Files.isRegularFile(path)) {
                    return Optional.of(Files.readString(path));
                }
            } catch (IOException | RuntimeException e) {
                // unreadable is reported by the caller as include-not-found
            }
            return Optional.empty();
        }

        @Override
        public Object fingerprint(Path path) {
            return diskStamp(path);
        }
    };

    /** The {@link FileStamp} of a regular file, or null. */
    static Object diskStamp(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                return null;
            }
            return new FileStamp(a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.fileKey());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
