package io.htablab.hashtab.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Locates the scenarios that carry a recorded kernel output: the shared oracle examples and samples/. */
public final class ScenarioFiles {
    private ScenarioFiles() {
    }

    public static Path sharedDir() {
        String p = System.getProperty("htablab.shared");
        return p != null ? Path.of(p) : Path.of("..", "..", "shared");
    }

    public static Path samplesDir() {
        String p = System.getProperty("htablab.samples");
        return p != null ? Path.of(p) : Path.of("..", "samples");
    }

    /** Every {@code .hts} with a {@code .out} beside it in the oracle examples and the samples. */
    public static List<Path> withRecordedOutput() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path dir : List.of(sharedDir().resolve("oracle").resolve("examples"), samplesDir())) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".hts"))
                        .filter(p -> Files.exists(outputOf(p)))
                        .sorted()
                        .forEach(all::add);
            }
        }
        return all;
    }

    public static Path outputOf(Path hts) {
        String name = hts.getFileName().toString();
        return hts.resolveSibling(name.substring(0, name.length() - 4) + ".out");
    }
}
