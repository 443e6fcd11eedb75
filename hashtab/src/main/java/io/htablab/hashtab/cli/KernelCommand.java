package io.htablab.hashtab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code kernel FILE}: a scenario on the live kernel through bpf(). */
@Command(name = "kernel",
        mixinStandardHelpOptions = true,
        description = {"Run a scenario on this machine's kernel through the bpf() system call (needs root or CAP_BPF)."})
final class KernelCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "the .hts scenario, or - for standard input")
    String file;

    @Override
    public Integer call() {
        System.err.println("hashtab: the kernel harness is not built yet");
        return 3;
    }
}
