package io.htablab.benchmarks.lsp;

import io.htablab.lsp.HtabLanguageServer;
import io.htablab.lsp.HtabLanguageService;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.services.LanguageClient;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Memory figures for docs/benchmarks-lsp.md (issue 12), not timing:
 * <ol>
 * <li>the server's retained heap (used heap after full GCs) every 100 of 1,000 open/edit/close cycles over 50
 *     tool files that include a real vmlinux.h, driving {@link HtabLanguageServer}'s protocol methods in-process;</li>
 * <li>{@code check} over 100 such files in child JVMs with -Xmx1g, 256m, 128m and 64m: which complete, and how
 *     long each took.</li>
 * </ol>
 * Run: {@code java -Xmx1g -cp benchmarks/target/benchmarks.jar io.htablab.benchmarks.lsp.LspMemoryRunner}
 */
public final class LspMemoryRunner {

    private LspMemoryRunner() {
    }

    static final class Collector implements LanguageClient {
        final BlockingQueue<PublishDiagnosticsParams> published = new LinkedBlockingQueue<>();

        @Override
        public void telemetryEvent(Object object) {
        }

        @Override
        public void publishDiagnostics(PublishDiagnosticsParams d) {
            published.add(d);
        }

        @Override
        public void showMessage(MessageParams m) {
        }

        @Override
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams r) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void logMessage(MessageParams m) {
        }

        void next(String uri) throws InterruptedException {
            while (true) {
                PublishDiagnosticsParams d = published.poll(60, TimeUnit.SECONDS);
                if (d == null) {
                    throw new IllegalStateException("no diagnostics for " + uri);
                }
                if (d.getUri().equals(uri)) {
                    return;
                }
            }
        }
    }

    static long retainedHeap() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    public static void main(String[] args) throws Exception {
        VmlinuxWorkspace w = VmlinuxWorkspace.create();
        System.out.printf("baseline retained heap before the server: %.1f MB%n", retainedHeap() / 1e6);
        HtabLanguageServer server = new HtabLanguageServer(new HtabLanguageService(), status -> { });
        Collector client = new Collector();
        server.connect(client);
        InitializeParams init = new InitializeParams();
        init.setRootUri(w.dir.toUri().toString());
        init.setInitializationOptions(Map.of("possibleCpus", 2));
        server.initialize(init).get(60, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            String uri = w.dir.resolve("doc" + (i % 50) + ".bpf.c").toUri().toString();
            String text = VmlinuxWorkspace.program(i % 50);
            server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "c", 1, text)));
            client.next(uri);
            server.getTextDocumentService().didSave(new DidSaveTextDocumentParams(new TextDocumentIdentifier(uri),
                    text.replace("4096", "4097")));
            client.next(uri);
            server.getTextDocumentService().didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
            client.next(uri);
            if ((i + 1) % 100 == 0) {
                System.out.printf("cycle %4d: retained heap %.1f MB (%.1f s)%n", i + 1, retainedHeap() / 1e6,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        server.shutdown().get(10, TimeUnit.SECONDS);

        List<String> files = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Path f = w.dir.resolve("tool" + i + ".bpf.c");
            String prefix = i % 5 == 0 ? "#define TOOL_VARIANT_" + i + " 1\n" : "";
            Files.writeString(f, prefix + VmlinuxWorkspace.program(i));
            files.add(f.toString());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String xmx : List.of("1g", "256m", "128m", "64m")) {
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + xmx, "-cp", System.getProperty("java.class.path"),
                    "io.htablab.lsp.Main", "check", "--cpus", "2"));
            cmd.addAll(files);
            long s = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes());
            p.waitFor(15, TimeUnit.MINUTES);
            System.out.printf("check of 100 vmlinux.h files with -Xmx%s: exit %d%s in %.1f s%n", xmx, p.exitValue(),
                    err.contains("OutOfMemoryError") ? " (OutOfMemoryError)" : "", (System.nanoTime() - s) / 1e9);
        }
    }
}
