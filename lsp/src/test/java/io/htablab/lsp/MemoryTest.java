package io.htablab.lsp;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Memory with vmlinux.h (issue 12), not timing: {@code check} over 100 files that include a real vmlinux.h in a
 * child JVM limited to 1 GB of heap (it completes or dies with OutOfMemoryError), and the server's retained heap
 * after 1,000 open/edit/close cycles against its retained heap after the first 100 (after GC).
 */
class MemoryTest {

    @TempDir
    Path dir;

    @Test
    void checkOfAHundredVmlinuxFilesFitsInOneGigabyteOfHeap() throws Exception {
        Path vm = Vmlinux.dir();
        assumeTrue(vm != null, "the kernel has no BTF (/sys/kernel/btf/vmlinux) or bpftool is missing; skipping");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), "io.htablab.lsp.Main", "check", "--cpus", "2",
                "-I", vm.toString()));
        for (int i = 0; i < 100; i++) {
            // most files begin with the includes (one shared state); every fifth defines something first, as some
            // tools do (__TARGET_ARCH_x86), which gives the headers another state and another cache entry
            String prefix = i % 5 == 0 ? "#define TOOL_VARIANT_" + i + " 1\n" : "";
            Path f = dir.resolve("tool" + i + ".bpf.c");
            Files.writeString(f, Vmlinux.tool(i, prefix));
            cmd.add(f.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).as("check finished").isTrue();
        String stderr = err.get(1, TimeUnit.MINUTES);
        assertThat(stderr).doesNotContain("OutOfMemoryError");
        assertThat(p.exitValue()).as("exit status (stderr: %s)", stderr).isIn(0, 1);
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(300);
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("cfront.syntax", "builtin-header"));
        assertThat(lines.stream().filter(l -> l.contains("\"map\":\"softirqs7\"")).findFirst().orElseThrow())
                .contains("\"max_entries\":");
    }

    /** A client that only collects what the server publishes. */
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

        PublishDiagnosticsParams next(String uri) throws InterruptedException {
            while (true) {
                PublishDiagnosticsParams d = published.poll(60, TimeUnit.SECONDS);
                if (d == null) {
                    throw new IllegalStateException("no diagnostics for " + uri);
                }
                if (d.getUri().equals(uri)) {
                    return d;
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

    /** Drives the real server (documents, debounce, analysis lifecycle) through its protocol methods in-process. */
    static long[] cycles(Path workspace, Path vm, int count, int report) throws Exception {
        HtabLanguageServer server = new HtabLanguageServer(new HtabLanguageService(), status -> { });
        Collector client = new Collector();
        server.connect(client);
        InitializeParams init = new InitializeParams();
        init.setRootUri(workspace.toUri().toString());
        init.setInitializationOptions(Map.of("possibleCpus", 2, "includePaths", List.of(vm.toString())));
        server.initialize(init).get(60, TimeUnit.SECONDS);
        long[] heap = new long[count / report];
        for (int i = 0; i < count; i++) {
            Path f = workspace.resolve("doc" + (i % 50) + ".bpf.c");
            String uri = f.toUri().toString();
            String text = Vmlinux.tool(i % 50, "");
            server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "c", 1, text)));
            client.next(uri);
            // the edit: one character of a max_entries changes; a save with text publishes at once
            server.getTextDocumentService().didSave(new DidSaveTextDocumentParams(new TextDocumentIdentifier(uri),
                    text.replace("4096", "4097")));
            client.next(uri);
            server.getTextDocumentService().didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
            client.next(uri); // the empty list sent on close
            if ((i + 1) % report == 0) {
                heap[(i + 1) / report - 1] = retainedHeap();
            }
        }
        server.shutdown().get(10, TimeUnit.SECONDS);
        return heap;
    }

    @Test
    void serverRetainedHeapIsFlatOverAThousandOpenEditCloseCycles() throws Exception {
        Path vm = Vmlinux.dir();
        assumeTrue(vm != null, "the kernel has no BTF (/sys/kernel/btf/vmlinux) or bpftool is missing; skipping");
        long[] heap = cycles(dir, vm, 1000, 100);
        long after100 = heap[0];
        long after1000 = heap[heap.length - 1];
        assertThat(after1000 - after100).as("retained heap growth from cycle 100 to 1000 (MB: %s)",
                java.util.Arrays.stream(heap).mapToObj(h -> String.valueOf(h >> 20)).toList()).isLessThan(16L << 20);
    }
}
