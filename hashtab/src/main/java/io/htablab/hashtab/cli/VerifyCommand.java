package io.htablab.hashtab.cli;

import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.kernel.Differential;
import io.htablab.hashtab.kernel.KernelBackend;
import io.htablab.hashtab.kernel.KernelHarnessException;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.EngineBackend;
import io.htablab.hashtab.scenario.gen.MapInMapScenarioGenerator;
import io.htablab.hashtab.scenario.gen.ScenarioGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** {@code verify FILE...} or {@code verify --random N --seed S}: engine and kernel side by side. */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Run scenarios on both the engine and this machine's kernel (through bpf(); needs root) "
                    + "and compare their output statement by statement.",
            "",
            "Scenarios come from files, or from the random scenario generator (--random N --seed S): "
                    + "scenario i uses seed S+i, so one failing scenario is reproduced by --random 1 --seed S+i.",
            "",
            "On a difference it prints the first differing statement with its context, then minimises "
                    + "the scenario by delta debugging and writes the smallest differing scenario to a file.",
            "",
            "Exit status: 0 all agree, 1 a difference, 2 usage error or unreadable file, "
                    + "3 bpf() not permitted, 4 internal error."
        })
final class VerifyCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "0..*", description = ".hts scenarios (- for standard input)")
    List<String> files = new ArrayList<>();

    @Option(names = "--random", paramLabel = "N", description = "also verify N generated scenarios")
    int random;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the first generated scenario (default: time-based, printed)")
    Long seed;

    @Option(names = "--type", paramLabel = "T",
            description = "map type of generated scenarios: hash, percpu_hash, lru_hash, lru_percpu_hash, hash_of_maps "
                    + "(default: cycle through the four hash types)")
    String type;

    @Option(names = "--statements", paramLabel = "K", defaultValue = "" + ScenarioGenerator.DEFAULT_STATEMENTS,
            description = "statements per generated scenario (default ${DEFAULT-VALUE})")
    int statements;

    @Option(names = "--profile", paramLabel = "P",
            description = "kernel profile to verify (6.18, 6.14): only the running kernel's can be compared; another"
                    + " one is refused with exit status 2")
    String profile;

    @Option(names = "--min-dir", paramLabel = "DIR", defaultValue = ".",
            description = "where minimised scenarios are written (default: the current directory)")
    Path minDir;

    @Option(names = "--min-runs", paramLabel = "R", defaultValue = "" + Differential.DEFAULT_MINIMISE_RUNS,
            description = "cap on the runs spent minimising a difference (default ${DEFAULT-VALUE}; 0 = do not minimise)")
    int minRuns;

    private record Scenario(String name, String text) {
    }

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (files.isEmpty() && random <= 0) {
            err.println("hashtab verify: give scenario files, or --random N [--seed S]");
            return 2;
        }
        if (random < 0 || statements < 1 || minRuns < 0) {
            err.println("hashtab verify: --random, --statements and --min-runs must be positive");
            return 2;
        }
        List<Scenario> scenarios = new ArrayList<>();
        for (String f : files) {
            try {
                ScenarioSource s = ScenarioSource.read(f, System.in);
                scenarios.add(new Scenario(s.displayName(), s.text()));
            } catch (IOException e) {
                err.println("hashtab verify: cannot read " + f + ": " + e.getMessage());
                return 2;
            }
        }
        if (profile != null) {
            KernelProfile p = KernelProfile.fromScenarioName(profile);
            if (p == null) {
                err.println("hashtab verify: --profile must be one of " + KernelProfile.names() + ", got '" + profile + "'");
                return 2;
            }
            if (p != KernelProfile.running()) {
                err.println("hashtab verify: --profile " + p + ": this kernel is " + KernelProfile.runningRelease()
                        + ", so the engine's " + p + " profile cannot be compared with it (use 'run --profile "
                        + p + "' for the engine alone)");
                return 2;
            }
        }
        String refused = KernelBackend.probe();
        if (refused != null) {
            err.println("hashtab verify: " + refused);
            return 3;
        }
        Supplier<Backend> engine = EngineBackend::new;
        Supplier<Backend> kernel = Differential.kernel(m -> { });
        if (random > 0) {
            List<MapType> types = new ArrayList<>();
            if (type != null) {
                MapType t = MapType.fromScenarioName(type);
                if (t == null) {
                    err.println("hashtab verify: unknown map type '" + type
                            + "' (hash, percpu_hash, lru_hash, lru_percpu_hash, hash_of_maps)");
                    return 2;
                }
                types.add(t);
            } else {
                for (MapType t : MapType.hashTypes()) {
                    if (Differential.engineSupports(engine, t)) {
                        types.add(t);
                    }
                }
                if (types.isEmpty()) {
                    err.println("hashtab verify: the engine cannot create any map type yet; generating hash scenarios anyway");
                    types.add(MapType.HASH);
                }
            }
            long first = seed != null ? seed : System.nanoTime() & 0xFFFF_FFFFL;
            int cpus = KernelBackend.possibleCpuIds().size();
            out.println("verify: generating " + random + " scenarios (" + typeNames(types) + ", " + statements
                    + " statements each) from seed " + first);
            for (int i = 0; i < random; i++) {
                MapType t = types.get(i % types.size());
                long s = first + i;
                scenarios.add(new Scenario("random-" + t.scenarioName() + "-seed" + s, t.isMapInMap()
                        ? MapInMapScenarioGenerator.generate(s, cpus, statements)
                        : ScenarioGenerator.generate(s, t, cpus, statements)));
            }
        }
        try {
            return verify(scenarios, engine, kernel, out);
        } catch (KernelHarnessException e) {
            out.flush();
            err.println("hashtab verify: internal error: " + e.getMessage());
            return 4;
        }
    }

    private int verify(List<Scenario> scenarios, Supplier<Backend> engine, Supplier<Backend> kernel, PrintStream out) {
        long statementsRun = 0;
        int differ = 0;
        int cannotRun = 0;
        boolean minimised = false;
        long start = System.nanoTime();
        for (Scenario s : scenarios) {
            Differential.Outcome o = Differential.compare(s.text(), s.name(), engine, kernel);
            switch (o.verdict()) {
                case AGREE -> statementsRun += o.kernel().statementCount();
                case CANNOT_RUN -> {
                    cannotRun++;
                    out.println("verify: " + s.name() + " cannot run on this kernel: " + o.why());
                }
                case DIFFER -> {
                    differ++;
                    statementsRun += o.kernel().statementCount();
                    out.print(Differential.describe(o, s.name()));
                    if (!minimised && minRuns > 0) {
                        minimised = true;
                        minimise(o, s, engine, kernel, out);
                    }
                }
                default -> throw new IllegalStateException(String.valueOf(o.verdict()));
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        int checked = scenarios.size() - cannotRun;
        String summary = "verify: " + checked + " scenario" + (checked == 1 ? "" : "s") + ", " + statementsRun
                + " statements, ";
        if (differ == 0) {
            summary += "all agree with the kernel";
        } else {
            summary += differ + " differ" + (differ == 1 ? "s" : "") + " from the kernel";
        }
        if (cannotRun > 0) {
            summary += "; " + cannotRun + " cannot run on this kernel";
        }
        out.println(summary + " (" + ms + " ms)");
        return differ > 0 ? 1 : 0;
    }

    private void minimise(Differential.Outcome o, Scenario s, Supplier<Backend> engine, Supplier<Backend> kernel,
                          PrintStream out) {
        Differential.Minimised m = Differential.minimise(o, s.name(), engine, kernel, minRuns);
        String base = Path.of(s.name()).getFileName().toString().replaceAll("\\.hts$", "")
                .replaceAll("[^A-Za-z0-9_.-]", "_");
        Path file = minDir.resolve(base + ".min.hts");
        String text = "# minimised from " + s.name() + " by 'hashtab verify': " + m.lines() + " of " + m.originalLines()
                + " statements, " + m.runs() + " runs; engine and kernel differ on the last statement\n" + m.text();
        out.println("minimised (" + m.lines() + " of " + m.originalLines() + " statements, " + m.runs() + " runs):");
        for (String l : m.text().split("\n")) {
            out.println("    " + l);
        }
        // described from the file's own text, so that its line numbers are right
        Differential.Outcome again = Differential.compare(text, file.toString(), engine, kernel);
        if (again.verdict() == Differential.Verdict.DIFFER) {
            out.print(Differential.describe(again, file.toString()));
        }
        try {
            Files.createDirectories(minDir);
            Files.writeString(file, text, StandardCharsets.UTF_8);
            out.println("written to " + file);
        } catch (IOException e) {
            out.println("(cannot write " + file + ": " + e.getMessage() + ")");
        }
    }

    private static String typeNames(List<MapType> types) {
        List<String> names = new ArrayList<>();
        for (MapType t : types) {
            names.add(t.scenarioName());
        }
        return String.join("/", names);
    }
}
