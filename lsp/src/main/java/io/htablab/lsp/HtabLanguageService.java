package io.htablab.lsp;

import io.htablab.hashtab.cfront.CDiagnostic;
import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontOptions;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.IncludeReader;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.cfront.TypeTable;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The language service: every feature as a plain method over (uri, text, position, settings), without any
 * LSP4J type, so tests, the {@code check} command and JMH benchmarks call it directly. The last analysis of
 * each document is cached; a request for the same text reuses it. Thread-safe.
 */
public final class HtabLanguageService {

    private volatile LspSettings settings;
    private final LiveMaps live;
    private volatile IncludeReader includeReader = IncludeReader.FILE_SYSTEM;
    private final Map<String, Analysis> cache = new ConcurrentHashMap<>();

    /** Default settings, no live maps. */
    public HtabLanguageService() {
        this(LspSettings.defaults(), LiveMaps.NONE);
    }

    public HtabLanguageService(LspSettings settings) {
        this(settings, LiveMaps.NONE);
    }

    public HtabLanguageService(LspSettings settings, LiveMaps live) {
        this.settings = settings == null ? LspSettings.defaults() : settings;
        this.live = live == null ? LiveMaps.NONE : live;
    }

    public LspSettings settings() {
        return settings;
    }

    /** New settings apply to every later request (cached analyses are dropped). */
    public void setSettings(LspSettings newSettings) {
        this.settings = newSettings;
        cache.clear();
    }

    /** How included files are read (the server prefers unsaved editor buffers). */
    public void setIncludeReader(IncludeReader reader) {
        this.includeReader = reader == null ? IncludeReader.FILE_SYSTEM : reader;
        cache.clear();
    }

    public LiveMaps liveMaps() {
        return live;
    }

    /** Parses (or reuses the cached parse of) one document version. */
    public Analysis analyze(String uri, String text) {
        String t = text == null ? "" : text;
        Analysis cached = cache.get(uri);
        LspSettings s = settings;
        if (cached != null && cached.settings() == s && cached.text().equals(t)) {
            return cached;
        }
        Analysis a = new Analysis(uri, t, parse(uri, t, s), s);
        cache.put(uri, a);
        return a;
    }

    /** Drops the cached analysis of a closed document. */
    public void forget(String uri) {
        cache.remove(uri);
    }

    /**
     * Reads the headers a CO-RE tool in {@code root} most likely starts with (vmlinux.h where the workspace or the
     * include paths have one, then the libbpf headers), in the background: the parsed headers go into the shared
     * cache under the same key a file with that start will look them up by, and the JIT has seen the front end
     * before the first real file arrives. A file that starts differently still finds the classes loaded and the
     * code compiled. Off with {@code -Dhtablab.lsp.warmUp=false}.
     */
    public void warmUp(java.nio.file.Path root) {
        if ("false".equals(System.getProperty("htablab.lsp.warmUp"))) {
            return;
        }
        LspSettings s = settings;
        Thread t = new Thread(() -> {
            java.nio.file.Path dir = root != null && java.nio.file.Files.isDirectory(root) ? root : null;
            java.nio.file.Path vmlinux = null;
            List<java.nio.file.Path> candidates = new java.util.ArrayList<>();
            if (dir != null) {
                candidates.add(dir);
            }
            candidates.addAll(s.includePaths());
            for (java.nio.file.Path c : candidates) {
                if (java.nio.file.Files.isRegularFile(c.resolve("vmlinux.h"))) {
                    vmlinux = c;
                    break;
                }
            }
            String text = (vmlinux != null ? "#include \"vmlinux.h\"\n" : "#include <linux/bpf.h>\n")
                    + "#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_core_read.h>\n#include <bpf/bpf_tracing.h>\n";
            java.nio.file.Path home = dir != null ? dir : vmlinux != null ? vmlinux : java.nio.file.Path.of(".");
            try {
                parse(home.resolve("__htab_warm_up__.bpf.c").toUri().toString(), text, s);
            } catch (RuntimeException e) {
                // a warm-up that fails changes nothing: the first real file does the work
            }
        }, "htab-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static final java.util.concurrent.atomic.AtomicBoolean FRONT_END_WARM = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Once per JVM, as soon as a server exists (before the client's initialize arrives): parses the built-ins and
     * the common uapi/libbpf headers in the background, so class loading and the first JIT compilations of the
     * front end overlap the JVM's and LSP4J's start-up instead of the first file's diagnostics.
     */
    static void warmUpFrontEnd() {
        if ("false".equals(System.getProperty("htablab.lsp.warmUp")) || !FRONT_END_WARM.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                CFront.parse("untitled:warm-up.bpf.c", "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                        + "struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32);"
                        + " __type(value, __u64); } m SEC(\".maps\");\n");
            } catch (RuntimeException e) {
                // nothing is lost: the first file does the work
            }
        }, "htab-warm-up-front-end");
        t.setDaemon(true);
        t.start();
    }

    /** A parse that takes longer than this is abandoned (the document gets an error instead of a hung server). */
    static final long PARSE_TIMEOUT_MILLIS = 10_000;

    private static final ExecutorService PARSER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "htab-cfront");
        t.setDaemon(true);
        return t;
    });

    CFrontResult parse(String uri, String text, LspSettings s) {
        CFrontOptions options = CFrontOptions.defaults().withIncludePaths(s.includePaths()).withReader(includeReader);
        Future<CFrontResult> future = PARSER.submit(() -> CFront.parse(uri, text, options));
        try {
            return future.get(PARSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            System.err.println("htab-lsp: C front end did not finish within " + PARSE_TIMEOUT_MILLIS + " ms on " + uri);
            return failed(uri, "timeout", "the C front end did not finish within " + PARSE_TIMEOUT_MILLIS
                    + " ms; this is a bug in htab-lab, please report the file");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return failed(uri, "interrupted", "analysis interrupted");
        } catch (ExecutionException e) {
            // The front end promises not to throw; if it does, the document gets one error instead of a dead server.
            System.err.println("htab-lsp: C front end failed on " + uri + ": " + e.getCause());
            return failed(uri, "crash", "internal error in the C front end: " + e.getCause());
        }
    }

    private static CFrontResult failed(String uri, String code, String message) {
        CDiagnostic d = new CDiagnostic(CDiagnostic.Severity.ERROR, code, message, uri, SourceRange.NONE);
        return new CFrontResult(uri, List.of(), List.of(d), new TypeTable(), Map.of());
    }

    public List<HtabDiagnostic> diagnostics(String uri, String text) {
        return analyze(uri, text).diagnostics();
    }

    /** Markdown for the hover at (line, col), 0-based. */
    public Optional<String> hover(String uri, String text, int line, int col) {
        return HoverFeature.hover(analyze(uri, text), line, col, live);
    }

    public List<CompletionData> completion(String uri, String text, int line, int col) {
        return CompletionFeature.complete(analyze(uri, text), line, col);
    }

    public List<CodeActionData> codeActions(String uri, String text, SourceRange range) {
        Analysis a = analyze(uri, text);
        LspSettings s = a.settings();
        return CodeActionFeature.actions(a, range, edited -> parse(uri, edited, s));
    }

    public List<InlayHintData> inlayHints(String uri, String text, SourceRange range) {
        return InlayHintFeature.hints(analyze(uri, text), range);
    }

    /** Where the map, type or local at (line, col) is defined; empty when it is built in or unknown. */
    public List<LocationData> definition(String uri, String text, int line, int col) {
        return NavigationFeature.definition(analyze(uri, text), line, col);
    }

    /** Every use of the map, type or local at (line, col), in this document and the headers it read. */
    public List<LocationData> references(String uri, String text, int line, int col, boolean includeDeclaration) {
        return NavigationFeature.references(analyze(uri, text), line, col, includeDeclaration, this::readUri);
    }

    /** The text of another file the front end read, through the include reader (open buffers first). */
    private Optional<String> readUri(String uri) {
        try {
            java.nio.file.Path p = uri.startsWith("file:") ? java.nio.file.Path.of(java.net.URI.create(uri))
                    : java.nio.file.Path.of(uri);
            return includeReader.read(p);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public List<SymbolData> symbols(String uri, String text) {
        return SymbolFeature.symbols(analyze(uri, text));
    }

    /** Looks up loaded maps of this document's map names in the background. */
    public void prefetchLiveMaps(String uri, String text) {
        if (live == LiveMaps.NONE) {
            return;
        }
        live.prefetch(analyze(uri, text).maps().stream().map(MapFacts::name).toList());
    }

    public VisualizerLauncher.Outcome openInVisualizer(String uri, String text, String mapName,
                                                       VisualizerLauncher.ProcessStarter starter) {
        Analysis a = analyze(uri, text);
        MapFacts m = mapName == null && a.maps().size() == 1 ? a.maps().get(0) : a.map(mapName == null ? "" : mapName);
        return VisualizerLauncher.open(m, uri, a.settings(), starter == null ? VisualizerLauncher.DEFAULT_STARTER : starter);
    }
}
