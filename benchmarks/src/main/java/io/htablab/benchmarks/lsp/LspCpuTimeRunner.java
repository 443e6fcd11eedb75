package io.htablab.benchmarks.lsp;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * CPU-time cross-check of {@link LspBenchmark} for this shared machine: the same state and methods, timed one
 * call at a time by the CPU time of every Java thread (the caller and the service's {@code htab-cfront} parser
 * thread, which does the parse on a cache miss; for the cached requests, which never leave the calling thread,
 * that thread's CPU time), next to the wall-clock time of the same call. It first prints what the first 60
 * edits cost in a fresh JVM (cold, before the JIT compiled the front end). Under a load
 * of 10 on 2 cores, wall-clock percentiles measure the scheduler; CPU time measures the code. GC and JIT
 * threads are not Java threads and are not counted.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.htablab.benchmarks.lsp.LspCpuTimeRunner [warmupSeconds]}
 */
public final class LspCpuTimeRunner {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LspCpuTimeRunner() {
    }

    public static void main(String[] args) {
        double warmupSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 20;
        LspBenchmark b = new LspBenchmark();
        long c0 = allThreadsCpu();
        long w0 = System.nanoTime();
        b.setup();
        System.out.printf(Locale.ROOT, "setup (generate, check, first analyses; cold JVM): wall %.0f ms, CPU %.0f ms%n",
                (System.nanoTime() - w0) / 1e6, (allThreadsCpu() - c0) / 1e6);
        cold(b);
        System.out.printf(Locale.ROOT, "file: %d lines, %d maps, %d chars; warm-up %.0f s per case%n",
                b.file.lines(), b.file.maps(), b.file.text().length(), warmupSeconds);
        System.out.println("case | calls | CPU p50 | CPU p90 | CPU p99 | CPU max | CPU mean | wall p50 | wall p99 | unit");
        run("cfrontParse", b::cfrontParse, warmupSeconds, 200, 1e6, "ms", true);
        run("diagnosticsAfterChange", b::diagnosticsAfterChange, warmupSeconds, 200, 1e6, "ms", true);
        run("hoverAfterChange", b::hoverAfterChange, warmupSeconds, 200, 1e6, "ms", true);
        b.service.analyze(LspBenchmark.URI, b.file.text()); // back to the cached version
        // Cached requests run entirely on the calling thread: its own CPU clock is cheaper to read.
        run("hoverCachedDefinition", b::hoverCachedDefinition, warmupSeconds, 20_000, 1e3, "us", false);
        run("hoverCachedUse", b::hoverCachedUse, warmupSeconds, 20_000, 1e3, "us", false);
        run("completionCached", b::completionCached, warmupSeconds, 20_000, 1e3, "us", false);
    }

    /** CPU time consumed so far by all live Java threads, in ns. */
    private static long allThreadsCpu() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    private static volatile Object sink;

    /** What the first edits in a fresh server cost, before the JIT has compiled the front end. */
    private static void cold(LspBenchmark b) {
        StringBuilder sb = new StringBuilder("cold diagnosticsAfterChange, calls 1..60, wall ms (CPU ms):");
        for (int i = 1; i <= 60; i++) {
            long c0 = allThreadsCpu();
            long w0 = System.nanoTime();
            sink = b.diagnosticsAfterChange();
            long w = System.nanoTime() - w0;
            long c = allThreadsCpu() - c0;
            if (i <= 5 || i % 10 == 0) {
                sb.append(String.format(Locale.ROOT, " #%d %.0f (%.0f)", i, w / 1e6, c / 1e6));
            }
        }
        System.out.println(sb);
    }

    private static void run(String name, Supplier<?> op, double warmupSeconds, int calls, double divisor,
                            String unit, boolean allThreads) {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < end) {
            sink = op.get();
        }
        long[] cpu = new long[calls];
        long[] wall = new long[calls];
        for (int i = 0; i < calls; i++) {
            long c0 = allThreads ? allThreadsCpu() : THREADS.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            sink = op.get();
            long w1 = System.nanoTime();
            long c1 = allThreads ? allThreadsCpu() : THREADS.getCurrentThreadCpuTime();
            cpu[i] = c1 - c0;
            wall[i] = w1 - w0;
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf(Locale.ROOT, "%s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s%n", name, calls,
                pct(cpu, 0.5) / divisor, pct(cpu, 0.9) / divisor, pct(cpu, 0.99) / divisor,
                cpu[calls - 1] / divisor, Arrays.stream(cpu).average().orElse(0) / divisor,
                pct(wall, 0.5) / divisor, pct(wall, 0.99) / divisor, unit);
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
