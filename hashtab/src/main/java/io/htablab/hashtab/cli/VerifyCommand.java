package io.htablab.hashtab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code verify FILE...}: engine and kernel side by side. */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        description = {"Run scenarios on both the engine and the live kernel and report whether they agree."})
final class VerifyCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "0..*", description = ".hts scenarios")
    List<String> files;

    @Override
    public Integer call() {
        System.err.println("hashtab: the kernel harness is not built yet");
        return 3;
    }
}
