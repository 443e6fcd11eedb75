package io.htablab.hashtab.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the shared oracle examples and the project's samples for the kernel tests. */
final class ScenarioFiles {

    private ScenarioFiles() {
    }

    /**
     * The shared directory: the {@code htablab.shared} property (set by the pom), else the first
     * ancestor of the working directory that holds {@code shared/oracle/examples} (a worktree sits
     * deeper than the main checkout), else null.
     */
    static Path sharedDir() {
        String prop = System.getProperty("htablab.shared");
        if (prop != null && Files.isDirectory(Path.of(prop, "oracle", "examples"))) {
            return Path.of(prop).normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared").resolve("oracle").resolve("examples"))) {
                return p.resolve("shared");
            }
        }
        return null;
    }

    /** The oracle's example scenarios (each with its kernel output beside it); empty when not found. */
    static List<Path> examples() {
        Path shared = sharedDir();
        return shared == null ? List.of() : hts(shared.resolve("oracle").resolve("examples"));
    }

    /** The project's samples ({@code htablab.samples}, default ../samples); empty when there are none. */
    static List<Path> samples() {
        String prop = System.getProperty("htablab.samples", "../samples");
        return hts(Path.of(prop));
    }

    static List<Path> hts(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".hts")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String expectedOutput(Path hts) {
        return read(hts.resolveSibling(hts.getFileName().toString().replaceAll("\\.hts$", ".out")));
    }
}
