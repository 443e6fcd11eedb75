package io.htablab.benchmarks.lsp;

import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real language-server process ({@code java -jar lsp/target/hashtab-lsp.jar}) driven over its standard
 * input/output by LSP4J's client launcher, as an editor would. {@code -Dhtablab.lspJar} names the jar
 * (default: {@code lsp/target/hashtab-lsp.jar} under the working directory).
 */
final class StdioServer implements AutoCloseable {

    private final Process process;
    private final LanguageServer server;
    private final Map<String, BlockingQueue<PublishDiagnosticsParams>> published = new ConcurrentHashMap<>();
    private int version = 1;

    private StdioServer(Process process) {
        this.process = process;
        LanguageClient client = new LanguageClient() {
            @Override
            public void telemetryEvent(Object object) {
            }

            @Override
            public void publishDiagnostics(PublishDiagnosticsParams d) {
                queue(d.getUri()).add(d);
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
        };
        Launcher<LanguageServer> launcher = LSPLauncher.createClientLauncher(client, process.getInputStream(),
                process.getOutputStream());
        launcher.startListening();
        this.server = launcher.getRemoteProxy();
    }

    static Path lspJar() {
        Path jar = Path.of(System.getProperty("htablab.lspJar", "lsp/target/hashtab-lsp.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build with mvn -B package -DskipTests, run from the"
                    + " project root or set -Dhtablab.lspJar");
        }
        return jar;
    }

    /** Starts a fresh server (its own JVM, -Xmx1g) and completes the initialize handshake. */
    static StdioServer start(Path workspace) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xms256m", "-Xmx1g", "-jar", lspJar().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        StdioServer s = new StdioServer(p);
        InitializeParams init = new InitializeParams();
        init.setProcessId((int) ProcessHandle.current().pid());
        init.setRootUri(workspace.toUri().toString());
        init.setCapabilities(new ClientCapabilities());
        init.setInitializationOptions(Map.of("possibleCpus", 2));
        s.server.initialize(init).get(60, TimeUnit.SECONDS);
        s.server.initialized(new InitializedParams());
        return s;
    }

    private BlockingQueue<PublishDiagnosticsParams> queue(String uri) {
        return published.computeIfAbsent(uri, u -> new LinkedBlockingQueue<>());
    }

    /** CPU time the server process has used so far (all its threads: parser, JIT compilers, GC), in ns. */
    long serverCpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    void open(String uri, String text) {
        queue(uri).clear();
        server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "c", version++, text)));
    }

    void change(String uri, String text) {
        queue(uri).clear();
        server.getTextDocumentService().didChange(new DidChangeTextDocumentParams(
                new VersionedTextDocumentIdentifier(uri, version++), List.of(new TextDocumentContentChangeEvent(text))));
    }

    /** A save with the new text: the server publishes at once (no typing debounce). */
    void save(String uri, String text) {
        queue(uri).clear();
        server.getTextDocumentService().didSave(new DidSaveTextDocumentParams(new TextDocumentIdentifier(uri), text));
    }

    void close(String uri) {
        server.getTextDocumentService().didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
    }

    /** The next diagnostics published for {@code uri}. */
    PublishDiagnosticsParams awaitDiagnostics(String uri) throws InterruptedException {
        PublishDiagnosticsParams d = queue(uri).poll(120, TimeUnit.SECONDS);
        if (d == null) {
            throw new IllegalStateException("no diagnostics for " + uri + " within 120 s");
        }
        return d;
    }

    Hover hover(String uri, int line, int col) throws Exception {
        return server.getTextDocumentService().hover(new HoverParams(new TextDocumentIdentifier(uri),
                new Position(line, col))).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        try {
            server.shutdown().get(10, TimeUnit.SECONDS);
            server.exit();
        } catch (Exception e) {
            // the process is ended below either way
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
