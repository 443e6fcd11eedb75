package io.htablab.hashtab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar hashtab/target/hashtab.jar}: run scenarios on the engine or the live kernel. */
@Command(name = "hashtab",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "htab-lab: the Linux kernel's BPF hash maps, re-implemented in Java.",
            "",
            "Scenarios (.hts files) are scripts of map operations; every statement prints one result line,",
            "exactly as the kernel would (see samples/ and the scenario format)."
        },
        subcommands = {RunCommand.class, KernelCommand.class, VerifyCommand.class, CommandLine.HelpCommand.class},
        footer = {
            "",
            "Examples:",
            "  java -jar hashtab/target/hashtab.jar run samples/01-hashing-and-seed.hts",
            "  echo 'create h type=hash key=4 value=4 max=8' | java -jar hashtab/target/hashtab.jar run -",
            "  sudo java -jar hashtab/target/hashtab.jar verify samples/*.hts"
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (tests call this directly). */
    public static int execute(String... args) {
        return new CommandLine(new Main()).execute(args);
    }
}
