package io.htablab.lsp;

import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.LocationLink;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ReferenceContext;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Definition, references, a call-site diagnostic with its quick fix, and the hover on a call, over piped streams
 * with LSP4J's client launcher (the same JSON-RPC an editor speaks).
 */
class NavigationProtocolTest {

    static final String URI = "file:///tmp/htab-protocol/nav.bpf.c";
    static final String TEXT = String.join("\n",
            "#include \"vmlinux.h\"",
            "#include <bpf/bpf_helpers.h>",
            "struct flow { __u8 proto; __u32 addr; };",
            "struct {",
            "    __uint(type, BPF_MAP_TYPE_HASH);",
            "    __uint(max_entries, 64);",
            "    __type(key, struct flow);",
            "    __type(value, __u64);",
            "} flows SEC(\".maps\");",
            "SEC(\"xdp\")",
            "int prog(struct xdp_md *ctx)",
            "{",
            "    struct flow k;",
            "    k.proto = 6;",
            "    k.addr = ctx->data;",
            "    return bpf_map_lookup_elem(&flows, &k) != 0;",
            "}",
            "");

    final BlockingQueue<PublishDiagnosticsParams> published = new LinkedBlockingQueue<>();
    PipedOutputStream toServer;
    PipedOutputStream serverOut;
    PipedInputStream fromServer;
    LanguageServer server;

    @BeforeEach
    void start() throws Exception {
        toServer = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 16);
        serverOut = new PipedOutputStream();
        fromServer = new PipedInputStream(serverOut, 1 << 16);
        HtabLanguageServer impl = new HtabLanguageServer(new HtabLanguageService(LspSettings.defaults()), s -> { });
        Main.launch(impl, serverIn, serverOut).startListening();
        Launcher<LanguageServer> launcher = LSPLauncher.createClientLauncher(new LanguageClient() {
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
        }, fromServer, toServer);
        launcher.startListening();
        server = launcher.getRemoteProxy();
        InitializeResult init = server.initialize(new InitializeParams()).get(10, TimeUnit.SECONDS);
        assertThat(init.getCapabilities().getDefinitionProvider().getLeft()).isTrue();
        assertThat(init.getCapabilities().getReferencesProvider().getLeft()).isTrue();
        server.initialized(new org.eclipse.lsp4j.InitializedParams());
        server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(URI, "c", 1, TEXT)));
    }

    @AfterEach
    void stop() throws IOException {
        toServer.close();
        serverOut.close();
    }

    @Test
    void definitionAndReferencesOfAMapAndItsKeyType() throws Exception {
        TextDocumentIdentifier doc = new TextDocumentIdentifier(URI);
        Either<List<? extends Location>, List<? extends LocationLink>> def = server.getTextDocumentService()
                .definition(new DefinitionParams(doc, new Position(15, 34))).get(10, TimeUnit.SECONDS);
        assertThat(def.getLeft()).singleElement().satisfies(l -> {
            assertThat(l.getUri()).isEqualTo(URI);
            assertThat(l.getRange()).isEqualTo(new Range(new Position(8, 2), new Position(8, 7)));
        });
        List<? extends Location> refs = server.getTextDocumentService().references(new ReferenceParams(doc,
                new Position(6, 24), new ReferenceContext(true))).get(10, TimeUnit.SECONDS);
        assertThat(refs).extracting(l -> l.getRange().getStart().getLine()).containsExactly(2, 6, 12);
        List<? extends Location> mapRefs = server.getTextDocumentService().references(new ReferenceParams(doc,
                new Position(8, 3), new ReferenceContext(false))).get(10, TimeUnit.SECONDS);
        assertThat(mapRefs).extracting(l -> l.getRange().getStart().getLine()).containsExactly(15);
    }

    @Test
    void callSiteDiagnosticQuickFixAndHover() throws Exception {
        PublishDiagnosticsParams diags = published.poll(10, TimeUnit.SECONDS);
        assertThat(diags).isNotNull();
        org.eclipse.lsp4j.Diagnostic padding = diags.getDiagnostics().stream()
                .filter(d -> "call.key.uninit-padding".equals(d.getCode().getLeft())).findFirst().orElseThrow();
        assertThat(padding.getRange().getStart().getLine()).isEqualTo(15);

        CodeActionParams params = new CodeActionParams(new TextDocumentIdentifier(URI), padding.getRange(),
                new CodeActionContext(List.of(padding)));
        List<Either<Command, CodeAction>> actions = server.getTextDocumentService().codeAction(params)
                .get(10, TimeUnit.SECONDS);
        CodeAction memset = actions.stream().map(Either::getRight)
                .filter(a -> a != null && a.getTitle().contains("__builtin_memset")).findFirst().orElseThrow();
        assertThat(memset.getDiagnostics()).containsExactly(padding);
        List<TextEdit> edits = memset.getEdit().getChanges().get(URI);
        assertThat(edits).singleElement().satisfies(e -> {
            assertThat(e.getRange().getStart()).isEqualTo(new Position(13, 4));
            assertThat(e.getNewText()).isEqualTo("__builtin_memset(&k, 0, sizeof(k));\n    ");
        });

        Hover hover = server.getTextDocumentService().hover(new HoverParams(new TextDocumentIdentifier(URI),
                new Position(15, 15))).get(10, TimeUnit.SECONDS);
        assertThat(hover.getContents().getRight().getValue()).contains("`bpf_map_lookup_elem` on map `flows`",
                "**Key layout** `struct flow`");
    }
}
