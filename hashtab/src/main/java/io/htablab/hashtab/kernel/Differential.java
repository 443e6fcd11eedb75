package io.htablab.hashtab.kernel;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.CpusMismatchException;
import io.htablab.hashtab.scenario.Interpreter;
import io.htablab.hashtab.scenario.ScenarioParser;
import io.htablab.hashtab.scenario.ScriptLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one scenario on two backends (the engine and the kernel), statement by statement, and finds
 * the first statement whose output lines differ; minimises a differing scenario by delta debugging.
 */
public final class Differential {

    /** Default cap on the number of two-backend runs one minimisation may spend. */
    public static final int DEFAULT_MINIMISE_RUNS = 200;
    /** Statements shown before a differing one. */
    public static final int CONTEXT = 3;

    private Differential() {
    }

    /** A statement and the lines it printed on one backend. */
    public record StatementOutput(ScriptLine line, List<String> output) {
    }

    /**
     * One backend's run.
     *
     * @param statements   every statement that ran, with its output (a crash's statement included)
     * @param stderr       the diagnostics (parse errors and the like)
     * @param cpusMismatch the reason the backend refused the scenario's {@code cpus N}, or null
     */
    public record Run(List<StatementOutput> statements, List<String> stderr, String cpusMismatch) {
        public int statementCount() {
            return statements.size();
        }
    }

    public enum Verdict { AGREE, DIFFER, CANNOT_RUN }

    /**
     * The comparison of the two runs.
     *
     * @param index the index in the script of the first differing statement (DIFFER), else -1
     * @param why   for CANNOT_RUN, why the kernel cannot run it (its {@code cpus N} refusal, or an engine-only
     *              statement in the script)
     */
    public record Outcome(Verdict verdict, List<ScriptLine> script, Run engine, Run kernel, int index, String why) {

        public ScriptLine differingLine() {
            return index < 0 ? null : script.get(index);
        }

        public List<String> engineOutput() {
            return outputAt(engine, index);
        }

        public List<String> kernelOutput() {
            return outputAt(kernel, index);
        }

        private static List<String> outputAt(Run run, int i) {
            return i >= 0 && i < run.statements.size() ? run.statements.get(i).output() : List.of("<did not run>");
        }
    }

    /** Runs {@code script} on {@code backend} (closed afterwards), recording each statement's lines. */
    public static Run run(Backend backend, List<ScriptLine> script, String fileName) {
        List<StatementOutput> outputs = new ArrayList<>();
        List<String> stderr = new ArrayList<>();
        String mismatch = null;
        try (Interpreter interpreter = new Interpreter(backend)) {
            for (ScriptLine line : script) {
                List<String> lines = new ArrayList<>();
                try {
                    interpreter.run(List.of(line), fileName, lines::add, stderr::add);
                } catch (CpusMismatchException e) {
                    mismatch = e.getMessage();
                    lines.add("<refused: " + e.getMessage() + ">");
                    outputs.add(new StatementOutput(line, lines));
                    break;
                } catch (KernelHarnessException e) {
                    // the harness itself failed: not a difference, an internal error for the caller
                    throw e;
                } catch (RuntimeException e) {
                    // An exception is a result too: the other backend printed something for this line.
                    lines.add("<exception: " + e + ">");
                    outputs.add(new StatementOutput(line, lines));
                    break;
                }
                outputs.add(new StatementOutput(line, lines));
            }
        } catch (KernelHarnessException e) {
            throw e;
        } catch (RuntimeException e) {
            // closing failed; the statements' results stand
            stderr.add("closing the " + backend.name() + " backend failed: " + e);
        }
        return new Run(List.copyOf(outputs), List.copyOf(stderr), mismatch);
    }

    /** Runs the scenario text on a fresh engine and a fresh kernel backend and compares them. */
    public static Outcome compare(String text, String fileName, Supplier<Backend> engine, Supplier<Backend> kernel) {
        List<ScriptLine> script = ScenarioParser.parse(text);
        for (ScriptLine line : script) {
            if (line.isValid() && line.statement().isEngineOnly()) {
                // an extension the kernel has no counterpart for: nothing to compare against
                return new Outcome(Verdict.CANNOT_RUN, script, null, null, -1, "line " + line.lineNumber()
                        + " uses the engine-only statement '" + line.statement().keyword() + "'");
            }
        }
        Run k = run(kernel.get(), script, fileName);
        if (k.cpusMismatch() != null) {
            return new Outcome(Verdict.CANNOT_RUN, script, null, k, -1, k.cpusMismatch());
        }
        Run e = run(engine.get(), script, fileName);
        int n = Math.max(e.statements().size(), k.statements().size());
        for (int i = 0; i < n; i++) {
            List<String> eo = i < e.statements().size() ? e.statements().get(i).output() : null;
            List<String> ko = i < k.statements().size() ? k.statements().get(i).output() : null;
            if (!Objects.equals(eo, ko)) {
                return new Outcome(Verdict.DIFFER, script, e, k, i, null);
            }
        }
        return new Outcome(Verdict.AGREE, script, e, k, -1, null);
    }

    /**
     * A human report of a difference: {@code file:line}, the statement, the engine's and the kernel's
     * lines, and the {@value #CONTEXT} statements before it with their (agreeing) output.
     */
    public static String describe(Outcome o, String fileName) {
        StringBuilder sb = new StringBuilder();
        ScriptLine bad = o.differingLine();
        sb.append(fileName).append(':').append(bad.lineNumber()).append(": engine and kernel differ\n");
        for (int i = Math.max(0, o.index() - CONTEXT); i < o.index(); i++) {
            StatementOutput s = o.kernel().statements().get(i);
            sb.append(String.format("    %5d  %s%n", s.line().lineNumber(), s.line().text().strip()));
            for (String l : abbreviate(s.output())) {
                sb.append("             -> ").append(l).append('\n');
            }
        }
        sb.append(String.format("  > %5d  %s%n", bad.lineNumber(), bad.text().strip()));
        List<String> eo = o.engineOutput();
        List<String> ko = o.kernelOutput();
        int first = 0;
        while (first < eo.size() && first < ko.size() && eo.get(first).equals(ko.get(first))) {
            first++;
        }
        if (first > 0) {
            sb.append("             (").append(first).append(" output line").append(first == 1 ? "" : "s")
                    .append(" agree, then)\n");
        }
        sb.append("      engine: ").append(first < eo.size() ? eo.get(first) : "<no more lines>").append('\n');
        sb.append("      kernel: ").append(first < ko.size() ? ko.get(first) : "<no more lines>").append('\n');
        return sb.toString();
    }

    private static List<String> abbreviate(List<String> lines) {
        if (lines.size() <= 4) {
            return lines;
        }
        List<String> shown = new ArrayList<>(lines.subList(0, 3));
        shown.add("... (" + (lines.size() - 3) + " more)");
        return shown;
    }

    /** The result of {@link #minimise}: the smallest differing script found, and the runs spent. */
    public record Minimised(String text, int lines, int originalLines, int runs, Outcome outcome) {
    }

    /**
     * Delta debugging (ddmin, complements only) over the statement lines of a differing scenario:
     * a candidate is kept when engine and kernel still differ on it. Stops after {@code maxRuns}
     * candidate runs, returning the smallest differing scenario found so far.
     */
    public static Minimised minimise(Outcome differing, String fileName, Supplier<Backend> engine,
                                     Supplier<Backend> kernel, int maxRuns) {
        if (differing.verdict() != Verdict.DIFFER) {
            throw new IllegalArgumentException("only a differing scenario can be minimised");
        }
        // Everything after the first difference is irrelevant to it.
        List<String> lines = new ArrayList<>();
        for (int i = 0; i <= differing.index(); i++) {
            lines.add(differing.script().get(i).text());
        }
        int original = differing.script().size();
        Outcome best = differing;
        int runs = 0;
        int n = 2;
        while (lines.size() >= 2 && runs < maxRuns) {
            int size = lines.size();
            boolean reduced = false;
            for (int c = 0; c < n && runs < maxRuns; c++) {
                int from = c * size / n;
                int to = (c + 1) * size / n;
                List<String> complement = new ArrayList<>(lines.subList(0, from));
                complement.addAll(lines.subList(to, size));
                if (complement.isEmpty()) {
                    continue;
                }
                runs++;
                Outcome o = compare(String.join("\n", complement), fileName, engine, kernel);
                if (o.verdict() == Verdict.DIFFER) {
                    // keep only up to the (possibly earlier) first difference; candidates hold only
                    // statement lines, so the outcome's statement index is an index into them
                    lines = new ArrayList<>(complement.subList(0, Math.min(complement.size(), o.index() + 1)));
                    best = o;
                    n = Math.max(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (n >= size) {
                    break;
                }
                n = Math.min(size, 2 * n);
            }
        }
        String text = String.join("\n", lines) + "\n";
        if (best != differing) {
            best = compare(text, fileName, engine, kernel);
        }
        return new Minimised(text, lines.size(), original, runs, best);
    }

    /**
     * Whether the engine can create a map of {@code type} (it gains types over time): false when it
     * refuses or throws {@link UnsupportedOperationException}.
     */
    public static boolean engineSupports(Supplier<Backend> engine, MapType type) {
        try (Backend b = engine.get()) {
            Backend.Created c = b.create("probe", new HtabAttr(type, 4, 4, 4, MapFlag.ZERO_SEED.bit()));
            if (c.errno() != Errno.OK) {
                return false;
            }
            b.close(c.map());
            return true;
        } catch (RuntimeException e) {
            // UnsupportedOperationException while the engine lacks the type, or any other refusal
            return false;
        }
    }

    /** Fresh kernel backends for {@link #compare}; a backend that cannot be made is an internal error. */
    public static Supplier<Backend> kernel(Consumer<String> diagnostics) {
        return () -> {
            try {
                return new KernelBackend(diagnostics);
            } catch (BpfUnavailableException e) {
                throw new KernelHarnessException(e.getMessage());
            }
        };
    }
}
