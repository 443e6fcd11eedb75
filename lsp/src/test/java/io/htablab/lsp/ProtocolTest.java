package io.htablab.lsp;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
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
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The server over piped streams with LSP4J's client launcher, and raw junk on the pipe. */
class ProtocolTest {

    static final String URI = "file:///tmp/htab-protocol/prog.bpf.c";
    static final String TEXT = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, 4096);\n"
            + "    __type(key, __u32);\n    __type(value, __u64);\n"
            + "    __uint(map_flags, BPF_F_NO_PREALLOC);\n} flows SEC(\".maps\");\n";

    final BlockingQueue<PublishDiagnosticsParams> published = new LinkedBlockingQueue<>();
    final AtomicInteger exitStatus = new AtomicInteger(-1);
    PipedOutputStream toServer;
    PipedInputStream serverIn;
    PipedOutputStream serverOut;
    PipedInputStream fromServer;
    LanguageServer server;

    class Client implements LanguageClient {
        @Override
        public void telemetryEvent(Object object) {
        }

        @Override
        public void publishDiagnostics(PublishDiagnosticsParams diagnostics) {
            published.add(diagnostics);
        }

        @Override
        public void showMessage(MessageParams messageParams) {
        }

        @Override
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams requestParams) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void logMessage(MessageParams message) {
        }
    }

    @BeforeEach
    void start() throws IOException {
        toServer = new PipedOutputStream();
        serverIn = new PipedInputStream(toServer, 1 << 16);
        serverOut = new PipedOutputStream();
        fromServer = new PipedInputStream(serverOut, 1 << 16);
        HtabLanguageServer impl = new HtabLanguageServer(new HtabLanguageService(LspSettings.defaults()), exitStatus::set);
        Main.launch(impl, serverIn, serverOut).startListening();
    }

    @AfterEach
    void stop() throws IOException {
        toServer.close();
        serverOut.close();
    }

    /** A client launcher on the same pipes, writing through {@code out}. */
    LanguageServer connectClient(OutputStream out) {
        Launcher<LanguageServer> launcher = LSPLauncher.createClientLauncher(new Client(), fromServer, out);
        launcher.startListening();
        return launcher.getRemoteProxy();
    }

    static InitializeParams initParams() {
        InitializeParams p = new InitializeParams();
        JsonObject options = JsonParser.parseString("{\"possibleCpus\": 4, \"inlayHints\": false}").getAsJsonObject();
        p.setInitializationOptions(options);
        return p;
    }

    @Test
    void initializeOpenHoverCompleteShutdownExit() throws Exception {
        server = connectClient(toServer);
        InitializeResult init = server.initialize(initParams()).get(10, TimeUnit.SECONDS);
        assertThat(init.getCapabilities().getHoverProvider().getLeft()).isTrue();
        assertThat(init.getCapabilities().getExecuteCommandProvider().getCommands()).contains("htab.openInVisualizer");
        server.initialized(new org.eclipse.lsp4j.InitializedParams());

        server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(URI, "c", 1, TEXT)));
        PublishDiagnosticsParams diags = published.poll(10, TimeUnit.SECONDS);
        assertThat(diags).isNotNull();
        assertThat(diags.getUri()).isEqualTo(URI);
        assertThat(diags.getDiagnostics()).anySatisfy(d -> {
            assertThat(d.getCode().getLeft()).isEqualTo("htab.create.ENOTSUPP");
            assertThat(d.getRange().getStart().getLine()).isEqualTo(7);
        });

        // 4 CPUs from initializationOptions: 4096 entries of a common LRU -> target_free 128, quiet
        Hover hover = server.getTextDocumentService().hover(new HoverParams(new TextDocumentIdentifier(URI),
                new Position(8, 3))).get(10, TimeUnit.SECONDS);
        assertThat(hover.getContents().getRight().getValue()).contains("map `flows`", "ENOTSUPP");

        Either<List<CompletionItem>, org.eclipse.lsp4j.CompletionList> items = server.getTextDocumentService()
                .completion(new CompletionParams(new TextDocumentIdentifier(URI), new Position(3, 17)))
                .get(10, TimeUnit.SECONDS);
        assertThat(items.getLeft()).extracting(CompletionItem::getLabel).contains("BPF_MAP_TYPE_HASH");

        // an edit that fixes the map: diagnostics follow
        String fixed = TEXT.replace("    __uint(map_flags, BPF_F_NO_PREALLOC);\n", "");
        server.getTextDocumentService().didChange(new DidChangeTextDocumentParams(
                new VersionedTextDocumentIdentifier(URI, 2), List.of(new TextDocumentContentChangeEvent(fixed))));
        PublishDiagnosticsParams after = published.poll(10, TimeUnit.SECONDS);
        assertThat(after).isNotNull();
        assertThat(after.getVersion()).isEqualTo(2);
        assertThat(after.getDiagnostics()).isEmpty();

        server.shutdown().get(10, TimeUnit.SECONDS);
        server.exit();
        long end = System.currentTimeMillis() + 5000;
        while (exitStatus.get() < 0 && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertThat(exitStatus.get()).isZero();
    }

    static byte[] frame(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return ("Content-Length: " + body.length + "\r\n\r\n" + json).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void junkOnThePipeDoesNotKillTheServer() throws Exception {
        // The junk requests use ids the real client below never uses: the server answers them with errors, and
        // an answer to id 1 would otherwise be taken for the reply to the client's own first request.
        // malformed JSON in a well-framed message
        toServer.write(frame("{\"jsonrpc\":\"2.0\",\"id\":9001,\"method\":\"initialize\",\"params\":{"));
        // not JSON at all
        toServer.write(frame("hello, server"));
        // a header without Content-Length
        toServer.write("X-Nonsense: 1\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        // a Content-Length that is not a number
        toServer.write("Content-Length: many\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        // unknown request and unknown notification
        toServer.write(frame("{\"jsonrpc\":\"2.0\",\"id\":9007,\"method\":\"htab/noSuchMethod\",\"params\":{}}"));
        toServer.write(frame("{\"jsonrpc\":\"2.0\",\"method\":\"htab/noSuchNotification\",\"params\":{}}"));
        // a request with parameters of the wrong shape
        toServer.write(frame("{\"jsonrpc\":\"2.0\",\"id\":9008,\"method\":\"textDocument/hover\",\"params\":[1,2,3]}"));
        // a hover on a document that was never opened
        toServer.write(frame("{\"jsonrpc\":\"2.0\",\"id\":9009,\"method\":\"textDocument/hover\",\"params\":"
                + "{\"textDocument\":{\"uri\":\"file:///nope.c\"},\"position\":{\"line\":0,\"character\":0}}}"));
        toServer.flush();

        // The server still answers a proper client afterwards.
        server = connectClient(toServer);
        InitializeResult init = server.initialize(initParams()).get(10, TimeUnit.SECONDS);
        assertThat(init.getCapabilities()).isNotNull();
        server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(URI, "c", 1, TEXT)));
        PublishDiagnosticsParams diags = published.poll(10, TimeUnit.SECONDS);
        assertThat(diags).isNotNull();
        assertThat(diags.getDiagnostics()).isNotEmpty();
        Hover hover = server.getTextDocumentService().hover(new HoverParams(new TextDocumentIdentifier(URI),
                new Position(8, 3))).get(10, TimeUnit.SECONDS);
        assertThat(hover.getContents().getRight().getValue()).contains("flows");
    }
}
