package io.htablab.hashtab.cli;

import io.htablab.hashtab.kernel.BpfUnavailableException;
import io.htablab.hashtab.kernel.KernelBackend;
import io.htablab.hashtab.kernel.KernelHarnessException;
import io.htablab.hashtab.scenario.CpusMismatchException;
import io.htablab.hashtab.scenario.Interpreter;
import io.htablab.hashtab.scenario.ScenarioParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;

/** {@code kernel FILE}: a scenario on the live kernel through bpf(). */
@Command(name = "kernel",
        mixinStandardHelpOptions = true,
        description = {
            "Run a scenario on this machine's kernel through the bpf() system call and print one result "
                    + "line per statement, exactly as the kernel oracle (shared/oracle/kernel_oracle.py) does.",
            "",
            "Needs root, or CAP_BPF with CAP_SYS_ADMIN (zero_seed) and CAP_NET_ADMIN (prog_* statements).",
            "",
            "Exit status: 0 after the run, 1 when the file cannot be read, 2 when 'cpus N' or 'profile P' differs from "
                    + "this kernel's possible CPUs, 3 when bpf() is not permitted, 4 on an internal error."
        })
final class KernelCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "the .hts scenario, or - for standard input")
    String file;

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
        String refused = KernelBackend.probe();
        if (refused != null) {
            err.println("hashtab: " + refused);
            return 3;
        }
        KernelBackend backend;
        try {
            backend = new KernelBackend(message -> err.println("hashtab: kernel: " + message));
        } catch (BpfUnavailableException e) {
            err.println("hashtab: " + e.getMessage());
            return 3;
        }
        try (Interpreter interpreter = new Interpreter(backend)) {
            interpreter.run(ScenarioParser.parse(source.text()), source.displayName(), out::println,
                    line -> err.println("hashtab: " + line));
        } catch (CpusMismatchException e) {
            out.flush();
            err.println("hashtab: " + e.getMessage());
            return 2;
        } catch (KernelHarnessException e) {
            out.flush();
            err.println("hashtab: internal error: " + e.getMessage());
            return 4;
        } finally {
            out.flush();
        }
        return 0;
    }
}
