package io.htablab.hashtab.cfront;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How to read a file.
 *
 * @param includePaths       searched (in order) for {@code #include "x"} after the including file's directory,
 *                           and first for {@code #include <x>} ({@code -I})
 * @param predefinedMacros   {@code -D} style macros: name to replacement text ("" for plain {@code -DNAME})
 * @param reader             reads included files (lets the language server serve unsaved buffers)
 * @param systemIncludePaths searched after {@code includePaths}: by default the directories {@code clang -target bpf
 *                           -I/usr/include/<multiarch>} searches on this machine ({@link #defaultSystemIncludePaths()})
 */
public record CFrontOptions(List<Path> includePaths, Map<String, String> predefinedMacros, IncludeReader reader,
                            List<Path> systemIncludePaths) {

    public CFrontOptions {
        includePaths = includePaths == null ? List.of() : List.copyOf(includePaths);
        predefinedMacros = predefinedMacros == null ? Map.of() : Map.copyOf(predefinedMacros);
        reader = reader == null ? IncludeReader.FILE_SYSTEM : reader;
        systemIncludePaths = systemIncludePaths == null ? defaultSystemIncludePaths() : List.copyOf(systemIncludePaths);
    }

    public CFrontOptions(List<Path> includePaths, Map<String, String> predefinedMacros, IncludeReader reader) {
        this(includePaths, predefinedMacros, reader, null);
    }

    public static CFrontOptions defaults() {
        return new CFrontOptions(List.of(), Map.of(), IncludeReader.FILE_SYSTEM, null);
    }

    public CFrontOptions withIncludePaths(List<Path> paths) {
        return new CFrontOptions(paths, predefinedMacros, reader, systemIncludePaths);
    }

    public CFrontOptions withReader(IncludeReader newReader) {
        return new CFrontOptions(includePaths, predefinedMacros, newReader, systemIncludePaths);
    }

    public CFrontOptions withSystemIncludePaths(List<Path> paths) {
        return new CFrontOptions(includePaths, predefinedMacros, reader, paths);
    }

    public CFrontOptions withPredefinedMacros(Map<String, String> macros) {
        return new CFrontOptions(includePaths, macros, reader, systemIncludePaths);
    }

    private static volatile List<Path> defaultSystem;

    /**
     * What {@code clang -target bpf} searches for {@code <...>} here, with the Debian/Ubuntu multiarch directory
     * that holds {@code asm/types.h} (every BPF build adds it with {@code -I}, and the corpus tests compile that
     * way): {@code /usr/include/<multiarch>}, {@code /usr/local/include}, clang's resource directory
     * ({@code stddef.h}, {@code stdbool.h}, {@code stdint.h}), {@code /usr/include}. Only existing directories
     * are listed; {@code -Dhtablab.cfront.systemIncludes=DIR:DIR} replaces the list (empty: none).
     */
    public static List<Path> defaultSystemIncludePaths() {
        List<Path> d = defaultSystem;
        if (d == null) {
            d = discover();
            defaultSystem = d;
        }
        return d;
    }

    private static List<Path> discover() {
        String prop = System.getProperty("htablab.cfront.systemIncludes");
        List<Path> out = new ArrayList<>();
        if (prop != null) {
            for (String p : prop.split(java.io.File.pathSeparator)) {
                if (!p.isBlank()) {
                    out.add(Path.of(p));
                }
            }
            return List.copyOf(out);
        }
        for (String arch : List.of("x86_64-linux-gnu", "aarch64-linux-gnu", "arm-linux-gnueabihf", "riscv64-linux-gnu",
                "s390x-linux-gnu", "powerpc64le-linux-gnu", "i386-linux-gnu")) {
            Path p = Path.of("/usr/include", arch);
            if (Files.isDirectory(p.resolve("asm"))) {
                out.add(p);
                break;
            }
        }
        addIfDir(out, Path.of("/usr/local/include"));
        Path resource = clangResourceInclude();
        if (resource != null) {
            out.add(resource);
        }
        addIfDir(out, Path.of("/usr/include"));
        return List.copyOf(out);
    }

    private static void addIfDir(List<Path> out, Path p) {
        if (Files.isDirectory(p)) {
            out.add(p);
        }
    }

    /** The newest {@code /usr/lib/llvm-N/lib/clang/V/include} (or {@code /usr/lib/clang/V/include}) with stddef.h. */
    private static Path clangResourceInclude() {
        List<Path> found = new ArrayList<>();
        for (Path root : List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib"))) {
            try (Stream<Path> llvms = Files.list(root)) {
                for (Path l : llvms.toList()) {
                    String n = l.getFileName().toString();
                    Path clangDir = n.startsWith("llvm") ? l.resolve("lib/clang") : n.equals("clang") ? l : null;
                    if (clangDir == null || !Files.isDirectory(clangDir)) {
                        continue;
                    }
                    try (Stream<Path> versions = Files.list(clangDir)) {
                        for (Path v : versions.toList()) {
                            if (Files.isRegularFile(v.resolve("include/stddef.h"))) {
                                found.add(v.resolve("include"));
                            }
                        }
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // no such directory: nothing found there
            }
        }
        return found.stream().max(Comparator.comparing(CFrontOptions::versionKey)).orElse(null);
    }

    private static String versionKey(Path include) {
        StringBuilder sb = new StringBuilder();
        for (Path part : include) {
            for (String num : part.toString().split("[^0-9]+")) {
                if (!num.isEmpty()) {
                    sb.append(String.format("%08d", Long.parseLong(num.length() > 8 ? num.substring(0, 8) : num)));
                }
            }
            sb.append('/');
        }
        return sb.toString();
    }
}
