package io.htablab.hashtab.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Locates the scenarios that carry a recorded kernel output: the shared oracle examples and samples/. */
public final class ScenarioFiles {
    private ScenarioFiles() {
    }

    /**
     * The shared directory: the {@code htablab.shared} property (set by the pom) when it holds the oracle
     * examples, else the first ancestor of the working directory with a {@code shared/oracle/examples}
     * (a git worktree sits deeper than the main checkout), else the configured path even though it is
     * missing: callers skip with {@link #sharedDirOrSkip()}.
     */
    public static Path sharedDir() {
        String p = System.getProperty("htablab.shared");
        Path configured = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        if (Files.isDirectory(configured.resolve("oracle").resolve("examples"))) {
            return configured.normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("shared").resolve("oracle").resolve("examples"))) {
                return dir.resolve("shared");
            }
        }
        return configured;
    }

    /** {@link #sharedDir()}, or the test is skipped (JUnit assumption) with the path that was tried. */
    public static Path sharedDirOrSkip() {
        Path dir = sharedDir();
        Assumptions.assumeTrue(Files.isDirectory(dir), () -> "shared directory not found: tried htablab.shared="
                + System.getProperty("htablab.shared") + " and the working directory's ancestors");
        return dir;
    }

    /** The oracle's example scenarios (each with its kernel output beside it); empty when not found. */
    public static List<Path> examples() {
        return hts(sharedDir().resolve("oracle").resolve("examples"));
    }

    /** The project's samples; empty when there are none. */
    public static List<Path> samples() {
        return hts(samplesDir());
    }

    /** The {@code .hts} files of a directory, sorted; empty when it does not exist. */
    public static List<Path> hts(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".hts")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded kernel output beside a scenario. */
    public static String expectedOutput(Path hts) {
        return read(outputOf(hts));
    }

    public static Path samplesDir() {
        String p = System.getProperty("htablab.samples");
        return p != null ? Path.of(p) : Path.of("..", "samples");
    }

    /** Every {@code .hts} with a {@code .out} beside it in the oracle examples and the samples. */
    public static List<Path> withRecordedOutput() {
        List<Path> all = new ArrayList<>();
        for (Path hts : examples()) {
            if (Files.exists(outputOf(hts))) {
                all.add(hts);
            }
        }
        for (Path hts : samples()) {
            if (Files.exists(outputOf(hts))) {
                all.add(hts);
            }
        }
        return all;
    }

    public static Path outputOf(Path hts) {
        String name = hts.getFileName().toString();
        return hts.resolveSibling(name.substring(0, name.length() - 4) + ".out");
    }

    /** Runs a scenario's text on the engine through the project's parser and interpreter; returns stdout lines. */
    public static List<String> runOnEngine(String scenario, String fileName) {
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        try (Interpreter interpreter = new Interpreter(new EngineBackend())) {
            interpreter.run(ScenarioParser.parse(scenario), fileName, out::add, err::add);
        } catch (CpusMismatchException e) {
            throw new AssertionError(fileName + ": " + e.getMessage(), e);
        }
        return out;
    }

    public static List<String> runOnEngine(Path hts) throws IOException {
        return runOnEngine(Files.readString(hts, StandardCharsets.UTF_8), hts.getFileName().toString());
    }

    /**
     * Splits a run's output into one group per statement of {@code script}: one line each, except that a
     * {@code dump} owns its {@code entry} lines and the closing {@code end N} or {@code error NAME}.
     */
    public static List<List<String>> perStatement(List<ScriptLine> script, List<String> out) {
        List<List<String>> groups = new ArrayList<>();
        int i = 0;
        for (ScriptLine line : script) {
            List<String> g = new ArrayList<>();
            boolean dump = line.isValid() && line.statement() instanceof Statement.Dump;
            while (i < out.size()) {
                String l = out.get(i++);
                g.add(l);
                if (!dump || !l.startsWith("entry ")) {
                    break;
                }
            }
            groups.add(g);
        }
        if (i != out.size()) {
            throw new AssertionError((out.size() - i) + " output lines left after the last statement");
        }
        return groups;
    }
}
