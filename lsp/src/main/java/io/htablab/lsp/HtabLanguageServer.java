package io.htablab.lsp;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import io.htablab.hashtab.cfront.IncludeReader;
import io.htablab.hashtab.cfront.SourceRange;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionOptions;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.ExecuteCommandOptions;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintParams;
import org.eclipse.lsp4j.LocationLink;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ServerInfo;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The thin LSP4J adapter: keeps the open documents (full sync), turns protocol requests into
 * {@link HtabLanguageService} calls and their results into protocol types, and publishes diagnostics after
 * open/change/save (changes debounced by {@link #CHANGE_DEBOUNCE_MILLIS}). A failing request answers
 * "nothing" and is logged to standard error; it never takes the server down.
 */
public final class HtabLanguageServer implements LanguageServer, LanguageClientAware {

    static final long CHANGE_DEBOUNCE_MILLIS = 150;

    /** One open document version. */
    private record Document(int version, String text) {
    }

    private final HtabLanguageService service;
    private final IntConsumer exit;
    private final Map<String, Document> documents = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService diagnosticsExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "htab-diagnostics");
        t.setDaemon(true);
        return t;
    });
    private final TextDocuments textDocuments = new TextDocuments();
    private final Workspace workspace = new Workspace();
    private volatile LanguageClient client;
    private volatile boolean shutdownRequested;
    private volatile VisualizerLauncher.ProcessStarter processStarter = VisualizerLauncher.DEFAULT_STARTER;

    /**
     * @param service the language service (its settings are replaced by the client's)
     * @param exit    called with the exit status on the "exit" notification (0 after "shutdown", else 1)
     */
    public HtabLanguageServer(HtabLanguageService service, IntConsumer exit) {
        this.service = service;
        this.exit = exit;
        HtabLanguageService.warmUpFrontEnd();
        service.setIncludeReader(new IncludeReader() {
            @Override
            public Optional<String> read(Path path) {
                return readInclude(path);
            }

            @Override
            public Object fingerprint(Path path) {
                return includeFingerprint(path);
            }
        });
    }

    public HtabLanguageService service() {
        return service;
    }

    void setProcessStarter(VisualizerLauncher.ProcessStarter starter) {
        this.processStarter = starter;
    }

    @Override
    public void connect(LanguageClient languageClient) {
        this.client = languageClient;
    }

    @Override
    public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
        Object options = params == null ? null : params.getInitializationOptions();
        if (options instanceof JsonElement json) {
            service.setSettings(service.settings().merge(json));
        }
        service.warmUp(params == null ? null : pathOf(params.getRootUri() == null ? "" : params.getRootUri()));
        ServerCapabilities caps = new ServerCapabilities();
        caps.setTextDocumentSync(TextDocumentSyncKind.Full);
        caps.setHoverProvider(true);
        CompletionOptions completion = new CompletionOptions(false, List.of("(", ",", "|", ".", " "));
        caps.setCompletionProvider(completion);
        caps.setCodeActionProvider(true);
        caps.setInlayHintProvider(true);
        caps.setDocumentSymbolProvider(true);
        caps.setDefinitionProvider(true);
        caps.setReferencesProvider(true);
        caps.setExecuteCommandProvider(new ExecuteCommandOptions(List.of(VisualizerLauncher.COMMAND)));
        return CompletableFuture.completedFuture(new InitializeResult(caps, new ServerInfo("htab-lsp", "0.1.0")));
    }

    @Override
    public CompletableFuture<Object> shutdown() {
        shutdownRequested = true;
        diagnosticsExecutor.shutdownNow();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void exit() {
        exit.accept(shutdownRequested ? 0 : 1);
    }

    @Override
    public TextDocumentService getTextDocumentService() {
        return textDocuments;
    }

    @Override
    public WorkspaceService getWorkspaceService() {
        return workspace;
    }

    /** Included files come from the open buffer when the editor has them open. */
    private Optional<String> readInclude(Path path) {
        String open = openText(path);
        return open != null ? Optional.of(open) : IncludeReader.FILE_SYSTEM.read(path);
    }

    /** An open buffer changes the fingerprint with its text; a file on disk by size and time (a stat, no read). */
    private Object includeFingerprint(Path path) {
        String open = openText(path);
        return open != null ? new IncludeReader.TextStamp(open.length(), open.hashCode(), open)
                : IncludeReader.FILE_SYSTEM.fingerprint(path);
    }

    private String openText(Path path) {
        Path want = path.normalize();
        for (Map.Entry<String, Document> e : documents.entrySet()) {
            Path p = pathOf(e.getKey());
            if (p != null && p.normalize().equals(want)) {
                return e.getValue().text();
            }
        }
        return null;
    }

    private static Path pathOf(String uri) {
        try {
            return uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static void log(String message) {
        System.err.println("htab-lsp: " + message);
    }

    private <T> T guarded(String what, T fallback, Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException | StackOverflowError e) {
            log(what + " failed: " + e);
            e.printStackTrace(System.err);
            return fallback;
        }
    }

    // ---- diagnostics ----

    private void schedule(String uri, long delayMillis) {
        if (shutdownRequested) {
            return;
        }
        ScheduledFuture<?> previous;
        try {
            previous = pending.put(uri, diagnosticsExecutor.schedule(() -> publish(uri), delayMillis,
                    TimeUnit.MILLISECONDS));
        } catch (RuntimeException e) {
            return; // executor shut down
        }
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void publish(String uri) {
        Document doc = documents.get(uri);
        LanguageClient c = client;
        if (c == null) {
            return;
        }
        List<Diagnostic> out = new ArrayList<>();
        Integer version = null;
        if (doc != null) {
            version = doc.version();
            List<HtabDiagnostic> found = guarded("diagnostics", List.of(), () -> service.diagnostics(uri, doc.text()));
            for (HtabDiagnostic d : found) {
                out.add(Conversions.diagnostic(d));
            }
            Document now = documents.get(uri);
            if (now != doc) {
                return; // a newer version is on its way
            }
        }
        PublishDiagnosticsParams params = new PublishDiagnosticsParams(uri, out);
        params.setVersion(version);
        try {
            c.publishDiagnostics(params);
        } catch (RuntimeException e) {
            log("publishing diagnostics failed: " + e);
        }
    }

    private Document document(String uri) {
        return uri == null ? null : documents.get(uri);
    }

    final class TextDocuments implements TextDocumentService {

        @Override
        public void didOpen(DidOpenTextDocumentParams params) {
            String uri = params.getTextDocument().getUri();
            String text = params.getTextDocument().getText();
            documents.put(uri, new Document(params.getTextDocument().getVersion(), text == null ? "" : text));
            schedule(uri, 0);
            guarded("live maps", null, () -> {
                service.prefetchLiveMaps(uri, documents.get(uri).text());
                return null;
            });
        }

        @Override
        public void didChange(DidChangeTextDocumentParams params) {
            String uri = params.getTextDocument().getUri();
            List<TextDocumentContentChangeEvent> changes = params.getContentChanges();
            if (changes == null || changes.isEmpty()) {
                return;
            }
            // Full sync: the last change holds the whole text.
            String text = changes.get(changes.size() - 1).getText();
            documents.put(uri, new Document(params.getTextDocument().getVersion(), text == null ? "" : text));
            schedule(uri, CHANGE_DEBOUNCE_MILLIS);
        }

        @Override
        public void didClose(DidCloseTextDocumentParams params) {
            String uri = params.getTextDocument().getUri();
            documents.remove(uri);
            service.forget(uri);
            ScheduledFuture<?> f = pending.remove(uri);
            if (f != null) {
                f.cancel(false);
            }
            LanguageClient c = client;
            if (c != null) {
                c.publishDiagnostics(new PublishDiagnosticsParams(uri, List.of()));
            }
        }

        @Override
        public void didSave(DidSaveTextDocumentParams params) {
            String uri = params.getTextDocument().getUri();
            if (params.getText() != null && documents.containsKey(uri)) {
                Document d = documents.get(uri);
                documents.put(uri, new Document(d.version(), params.getText()));
            }
            schedule(uri, 0);
        }

        @Override
        public CompletableFuture<Hover> hover(HoverParams params) {
            return CompletableFuture.completedFuture(guarded("hover", null, () -> {
                String uri = params.getTextDocument().getUri();
                Document d = document(uri);
                if (d == null) {
                    return null;
                }
                return service.hover(uri, d.text(), params.getPosition().getLine(), params.getPosition().getCharacter())
                        .map(md -> new Hover(new MarkupContent(MarkupKind.MARKDOWN, md)))
                        .orElse(null);
            }));
        }

        @Override
        public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(CompletionParams params) {
            return CompletableFuture.completedFuture(guarded("completion", Either.forLeft(List.of()), () -> {
                String uri = params.getTextDocument().getUri();
                Document d = document(uri);
                List<CompletionItem> items = new ArrayList<>();
                if (d != null) {
                    for (CompletionData c : service.completion(uri, d.text(), params.getPosition().getLine(),
                            params.getPosition().getCharacter())) {
                        items.add(Conversions.completion(c));
                    }
                }
                return Either.forLeft(items);
            }));
        }

        @Override
        public CompletableFuture<List<Either<Command, CodeAction>>> codeAction(CodeActionParams params) {
            return CompletableFuture.completedFuture(guarded("code actions", List.of(), () -> {
                String uri = params.getTextDocument().getUri();
                Document d = document(uri);
                List<Either<Command, CodeAction>> out = new ArrayList<>();
                if (d == null) {
                    return out;
                }
                SourceRange range = Conversions.range(params.getRange());
                List<Diagnostic> context = params.getContext() == null || params.getContext().getDiagnostics() == null
                        ? List.of() : params.getContext().getDiagnostics();
                for (CodeActionData a : service.codeActions(uri, d.text(), range)) {
                    out.add(Either.forRight(Conversions.codeAction(a, uri, context)));
                }
                MapFacts m = service.analyze(uri, d.text()).mapContaining(range.startLine(), range.startCol());
                if (m != null && m.attr() != null) {
                    CodeAction open = new CodeAction("Open map " + m.name() + " in the htab-lab visualizer");
                    open.setKind(CodeActionKind.Source);
                    open.setCommand(new Command(open.getTitle(), VisualizerLauncher.COMMAND,
                            List.of(uri, m.name())));
                    out.add(Either.forRight(open));
                }
                return out;
            }));
        }

        @Override
        public CompletableFuture<Either<List<? extends org.eclipse.lsp4j.Location>, List<? extends LocationLink>>>
                definition(DefinitionParams params) {
            return CompletableFuture.completedFuture(guarded("definition", Either.forLeft(List.of()), () -> {
                String uri = params.getTextDocument().getUri();
                Document d = document(uri);
                List<org.eclipse.lsp4j.Location> out = new ArrayList<>();
                if (d != null) {
                    for (LocationData l : service.definition(uri, d.text(), params.getPosition().getLine(),
                            params.getPosition().getCharacter())) {
                        out.add(Conversions.location(l));
                    }
                }
                return Either.forLeft(out);
            }));
        }

        @Override
        public CompletableFuture<List<? extends org.eclipse.lsp4j.Location>> references(ReferenceParams params) {
            return CompletableFuture.completedFuture(guarded("references", List.of(), () -> {
                String uri = params.getTextDocument().getUri();
                Document d = document(uri);
                List<org.eclipse.lsp4j.Location> out = new ArrayList<>();
                if (d != null) {
                    boolean withDeclaration = params.getContext() == null || params.getContext().isIncludeDeclaration();
                    for (LocationData l : service.references(uri, d.text(), params.getPosition().getLine(),
                            params.getPosition().getCharacter(), withDeclaration)) {
                        out.add(Conversions.location(l));
                    }
                }
                return out;
            }));
        }

        @Override
        public CompletableFuture<List<InlayHint>> inlayHint(InlayHintParams params) {
            return CompletableFuture.completedFuture(guarded("inlay hints", List.of(), () -> {
                String uri = params.getTextDocument().getUri();
                Document d = document(uri);
                List<InlayHint> out = new ArrayList<>();
                if (d != null) {
                    for (InlayHintData h : service.inlayHints(uri, d.text(), Conversions.range(params.getRange()))) {
                        out.add(Conversions.inlayHint(h));
                    }
                }
                return out;
            }));
        }

        @Override
        public CompletableFuture<List<Either<SymbolInformation, DocumentSymbol>>> documentSymbol(
                DocumentSymbolParams params) {
            return CompletableFuture.completedFuture(guarded("document symbols", List.of(), () -> {
                String uri = params.getTextDocument().getUri();
                Document d = document(uri);
                List<Either<SymbolInformation, DocumentSymbol>> out = new ArrayList<>();
                if (d != null) {
                    for (SymbolData s : service.symbols(uri, d.text())) {
                        out.add(Either.forRight(Conversions.symbol(s)));
                    }
                }
                return out;
            }));
        }
    }

    final class Workspace implements WorkspaceService {

        @Override
        public void didChangeConfiguration(DidChangeConfigurationParams params) {
            Object settings = params == null ? null : params.getSettings();
            if (settings instanceof JsonElement json) {
                service.setSettings(service.settings().merge(json));
                for (String uri : documents.keySet()) {
                    schedule(uri, 0);
                }
            }
        }

        @Override
        public void didChangeWatchedFiles(DidChangeWatchedFilesParams params) {
            // Included headers may have changed on disk: re-check everything open.
            service.setIncludeReader(HtabLanguageServer.this::readInclude);
            for (String uri : documents.keySet()) {
                schedule(uri, 0);
            }
        }

        @Override
        public CompletableFuture<Object> executeCommand(ExecuteCommandParams params) {
            return CompletableFuture.completedFuture(guarded("executeCommand", null, () -> {
                if (!VisualizerLauncher.COMMAND.equals(params.getCommand())) {
                    return "unknown command " + params.getCommand();
                }
                List<Object> args = params.getArguments() == null ? List.of() : params.getArguments();
                String uri = args.size() > 0 ? asString(args.get(0)) : null;
                String map = args.size() > 1 ? asString(args.get(1)) : null;
                Document d = document(uri);
                if (d == null) {
                    return "document " + uri + " is not open";
                }
                VisualizerLauncher.Outcome outcome = service.openInVisualizer(uri, d.text(), map, processStarter);
                LanguageClient c = client;
                if (c != null) {
                    c.showMessage(new MessageParams(outcome.started() ? MessageType.Info : MessageType.Warning,
                            outcome.message()));
                }
                return outcome.message();
            }));
        }

        private static String asString(Object o) {
            if (o instanceof JsonPrimitive p) {
                return p.getAsString();
            }
            if (o instanceof JsonElement e && e.isJsonPrimitive()) {
                return e.getAsString();
            }
            return o == null ? null : o.toString();
        }
    }
}
