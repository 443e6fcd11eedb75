package io.htablab.benchmarks.lsp;

import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The language server with vmlinux.h (issues 11 and 12), over stdio with a real LSP client (LSP4J's client
 * launcher) and a real server process ({@link StdioServer}); the files are tool-style CO-RE programs that
 * include a vmlinux.h generated from this machine's kernel at set-up ({@link VmlinuxWorkspace}).
 *
 * <ul>
 * <li>{@code firstDiagnosticsFreshServer} (single shot, one new server process per iteration): from sending
 *     {@code didOpen} of the first file to receiving its {@code publishDiagnostics}. The server's JVM start and
 *     the initialize handshake come before and are not included; reading and parsing vmlinux.h and the libbpf
 *     headers, the file itself, every check and the JSON-RPC round trip are.</li>
 * <li>{@code secondFileHeaderCached} (single shot, fresh server per iteration that has already diagnosed a first
 *     file): {@code didOpen} of a second, different file to its diagnostics: the headers come from the cache.</li>
 * <li>{@code rediagnoseAfterEdit}: one digit of {@code max_entries} changed, sent as {@code didSave} with the text
 *     (the server publishes at once; after {@code didChange} it would first wait its 150 ms typing debounce, which
 *     is a deliberate pause, not work), to the new diagnostics.</li>
 * <li>{@code hoverOnUse}: hover over stdio on a map name where a program uses it, document unchanged.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx1g"})
public class LspStdioBenchmark {

    VmlinuxWorkspace workspace;
    String uriA;
    String uriB;
    String textA;
    String textB;
    String[] edits;
    int next;
    StdioServer server;
    int[] use;

    @Setup(Level.Trial)
    public void workspace() throws Exception {
        workspace = VmlinuxWorkspace.create();
        uriA = workspace.write(1).toUri().toString();
        uriB = workspace.write(2).toUri().toString();
        textA = VmlinuxWorkspace.program(1);
        textB = VmlinuxWorkspace.program(2);
        edits = new String[] {textA.replace("4096", "4097"), textA};
        use = VmlinuxWorkspace.useOfStart(1);
    }

    @State(Scope.Benchmark)
    public static class Fresh {
        StdioServer server;

        @Setup(Level.Iteration)
        public void start(LspStdioBenchmark b) throws Exception {
            server = StdioServer.start(b.workspace.dir);
        }

        @TearDown(Level.Iteration)
        public void stop() throws Exception {
            server.close();
        }
    }

    @State(Scope.Benchmark)
    public static class OneFileOpen {
        StdioServer server;

        @Setup(Level.Iteration)
        public void start(LspStdioBenchmark b) throws Exception {
            server = StdioServer.start(b.workspace.dir);
            server.open(b.uriA, b.textA);
            check(server.awaitDiagnostics(b.uriA));
        }

        @TearDown(Level.Iteration)
        public void stop() throws Exception {
            server.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Warm {
        StdioServer server;

        @Setup(Level.Trial)
        public void start(LspStdioBenchmark b) throws Exception {
            server = StdioServer.start(b.workspace.dir);
            server.open(b.uriA, b.textA);
            check(server.awaitDiagnostics(b.uriA));
            Hover h = server.hover(b.uriA, b.use[0], b.use[1]);
            if (h == null || !h.getContents().getRight().getValue().contains("start1")) {
                throw new IllegalStateException("no hover on start1: " + h);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            server.close();
        }
    }

    /** The file must have been read for real: no front-end error, NR_SOFTIRQS known (it is only in vmlinux.h). */
    static PublishDiagnosticsParams check(PublishDiagnosticsParams d) {
        for (var diag : d.getDiagnostics()) {
            String code = diag.getCode() == null ? "" : String.valueOf(diag.getCode().get());
            if (code.contains("builtin-header") || code.contains("unknown-identifier") || code.contains("syntax")) {
                throw new IllegalStateException("vmlinux.h was not read for real: " + diag.getMessage());
            }
        }
        return d;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public PublishDiagnosticsParams firstDiagnosticsFreshServer(Fresh f) throws Exception {
        f.server.open(uriA, textA);
        return check(f.server.awaitDiagnostics(uriA));
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public PublishDiagnosticsParams secondFileHeaderCached(OneFileOpen o) throws Exception {
        o.server.open(uriB, textB);
        return check(o.server.awaitDiagnostics(uriB));
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public PublishDiagnosticsParams rediagnoseAfterEdit(Warm w) throws Exception {
        next ^= 1;
        w.server.save(uriA, edits[next]);
        return w.server.awaitDiagnostics(uriA);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Hover hoverOnUse(Warm w) throws Exception {
        return w.server.hover(uriA, use[0], use[1]);
    }
}
