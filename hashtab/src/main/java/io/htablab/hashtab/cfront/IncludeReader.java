package io.htablab.hashtab.cfront;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the text of an included file. The language server passes one that prefers unsaved editor
 * buffers; {@link #FILE_SYSTEM} reads the disk. Must not throw: return empty when the file is absent.
 */
@FunctionalInterface
public interface IncludeReader {

    Optional<String> read(Path path);

    IncludeReader FILE_SYSTEM = path -> {
        try {
            if (java.nio.file.Files.isRegularFile(path)) {
                return Optional.of(java.nio.file.Files.readString(path));
            }
        } catch (java.io.IOException | RuntimeException e) {
            // unreadable is reported by the caller as include-not-found
        }
        return Optional.empty();
    };
}
