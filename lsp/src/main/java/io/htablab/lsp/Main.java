package io.htablab.lsp;

import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

/**
 * {@code java -jar hashtab-lsp.jar}: the language server on stdin/stdout;
 * {@code java -jar hashtab-lsp.jar check FILE...}: the same analysis as JSON lines.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Standard output belongs to the protocol (or to check's JSON): anything else that prints goes to stderr.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        if (args.length == 0) {
            System.exit(runServer(System.in, stdout));
        }
        System.exit(runCommandLine(args, stdout, System.err));
    }

    /** Runs picocli on {@code args} ("check ...", "--help"); returns the exit status. */
    public static int runCommandLine(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new TopCommand(out, err));
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return cl.execute(args);
    }

    /** Serves LSP until the input ends or the client sends "exit"; returns the exit status. */
    public static int runServer(InputStream in, OutputStream out) {
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults(), LiveMaps.kernel());
        HtabLanguageServer server = new HtabLanguageServer(service, System::exit);
        Launcher<LanguageClient> launcher = launch(server, in, out);
        try {
            launcher.startListening().get();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (ExecutionException e) {
            HtabLanguageServer.log("connection ended: " + e.getCause());
            return 1;
        }
    }

    /** Connects a server to a pair of streams (used by {@link #runServer} and the protocol tests). */
    public static Launcher<LanguageClient> launch(HtabLanguageServer server, InputStream in, OutputStream out) {
        Launcher<LanguageClient> launcher = LSPLauncher.createServerLauncher(server, in, out);
        server.connect(launcher.getRemoteProxy());
        return launcher;
    }

    @CommandLine.Command(name = "hashtab-lsp", mixinStandardHelpOptions = true, version = "hashtab-lsp 0.1.0",
            description = {"Language server for eBPF C map definitions (no arguments: LSP on stdin/stdout).",
                    "Use the 'check' command to analyse files from the command line."},
            subcommands = CheckCommand.class)
    static final class TopCommand implements Runnable {
        private final PrintStream out;
        private final PrintStream err;

        TopCommand(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        PrintStream out() {
            return out;
        }

        PrintStream err() {
            return err;
        }

        @Override
        public void run() {
            new CommandLine(this).usage(out);
        }
    }
}
