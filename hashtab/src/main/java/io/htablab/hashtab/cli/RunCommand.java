package io.htablab.hashtab.cli;

import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.scenario.CpusMismatchException;
import io.htablab.hashtab.scenario.EngineBackend;
import io.htablab.hashtab.scenario.Interpreter;
import io.htablab.hashtab.scenario.ScenarioParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;

/** {@code run FILE}: a scenario on the engine. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run a scenario on the htab-lab engine and print one result line per statement.",
            "The output is the kernel's output for the same file (compare with 'kernel' or 'verify').",
            "A line that cannot be parsed prints 'error EINVAL' and FILE:LINE: reason on standard error;",
            "the run goes on. Exit status: 0 after the run, 1 when the file cannot be read."
        })
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "the .hts scenario, or - for standard input")
    String file;

    @Option(names = "--cpus", paramLabel = "N",
            description = "possible CPUs before any 'cpus' statement (default: this machine's, ${DEFAULT-VALUE} = detect)",
            defaultValue = "0")
    int cpus;

    @Option(names = "--seed", paramLabel = "HEX",
            description = "hashrnd for maps created without zero_seed (default: random, as the kernel)")
    String seed;

    @Option(names = "--profile", paramLabel = "P",
            description = "kernel behaviour to model: 6.18 (default) or 6.14 (before 6.15: the map_locked recursion guard,"
                    + " target_free 128, ...); a 'profile' statement in the file overrides it")
    String profile;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ScenarioSource source;
        try {
            source = ScenarioSource.read(file, System.in);
        } catch (IOException e) {
            err.println("hashtab: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
        EngineBackend backend = new EngineBackend();
        if (cpus != 0) {
            if (cpus < 1 || cpus > EngineBackend.MAX_CPUS) {
                err.println("hashtab: --cpus must be 1.." + EngineBackend.MAX_CPUS);
                return 2;
            }
            backend.setPossibleCpusDirect(cpus);
        }
        if (seed != null) {
            try {
                backend.setSeed((int) Long.parseLong(seed.replaceFirst("^0[xX]", ""), 16));
            } catch (NumberFormatException e) {
                err.println("hashtab: --seed takes a 32-bit hex value, got '" + seed + "'");
                return 2;
            }
        }
        if (profile != null) {
            KernelProfile p = KernelProfile.fromScenarioName(profile);
            if (p == null) {
                err.println("hashtab: --profile must be one of " + KernelProfile.names() + ", got '" + profile + "'");
                return 2;
            }
            backend.setProfile(p);
        }
        try (Interpreter interpreter = new Interpreter(backend)) {
            interpreter.run(ScenarioParser.parse(source.text()), source.displayName(), out::println, err::println);
        } catch (CpusMismatchException e) {
            err.println("hashtab: " + e.getMessage());
            return 2;
        } finally {
            out.flush();
        }
        return 0;
    }
}
