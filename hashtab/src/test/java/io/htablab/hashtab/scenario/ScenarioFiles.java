package io.htablab.hashtab.scenario;

import java.io.IOException;
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

    /** Where /work/shared lives when neither the property nor the relative path finds it (worktrees). */
    static final Path SHARED_FALLBACK = Path.of("/work/shared");

    /**
     * The shared directory: the {@code htablab.shared} property (surefire sets it relative to the module, which is
     * right for the main checkout but not for a worktree one level deeper), else {@code ../../shared}; when that
     * path does not exist, {@link #SHARED_FALLBACK}. May not exist at all: callers skip with
     * {@link #sharedDirOrSkip()}.
     */
    public static Path sharedDir() {
        String p = System.getProperty("htablab.shared");
        Path configured = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(configured) && Files.isDirectory(SHARED_FALLBACK)) {
            return SHARED_FALLBACK;
        }
        return configured;
    }

    /** {@link #sharedDir()}, or the test is skipped (JUnit assumption) with the paths that were tried. */
    public static Path sharedDirOrSkip() {
        Path dir = sharedDir();
        Assumptions.assumeTrue(Files.isDirectory(dir), () -> "shared directory not found: tried htablab.shared="
                + System.getProperty("htablab.shared") + " and " + SHARED_FALLBACK);
        return dir;
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
