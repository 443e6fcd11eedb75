package io.htablab.hashtab.cfront;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to read a file.
 *
 * @param includePaths     searched (in order) for {@code #include "x"} after the including file's directory,
 *                         and for {@code #include <x>} that is not a built-in header
 * @param predefinedMacros {@code -D} style macros: name to replacement text ("" for plain {@code -DNAME})
 * @param reader           reads included files (lets the language server serve unsaved buffers)
 */
public record CFrontOptions(List<Path> includePaths, Map<String, String> predefinedMacros, IncludeReader reader) {

    public CFrontOptions {
        includePaths = includePaths == null ? List.of() : List.copyOf(includePaths);
        predefinedMacros = predefinedMacros == null ? Map.of() : Map.copyOf(predefinedMacros);
        reader = reader == null ? IncludeReader.FILE_SYSTEM : reader;
    }

    public static CFrontOptions defaults() {
        return new CFrontOptions(List.of(), Map.of(), IncludeReader.FILE_SYSTEM);
    }

    public CFrontOptions withIncludePaths(List<Path> paths) {
        return new CFrontOptions(paths, predefinedMacros, reader);
    }

    public CFrontOptions withReader(IncludeReader newReader) {
        return new CFrontOptions(includePaths, predefinedMacros, newReader);
    }
}
