package io.htablab.benchmarks.lsp;

/**
 * First diagnostics of a fresh server over stdio, with the CPU time the server process spent on them, so the
 * figure can be judged on a machine shared with other work: for N fresh server processes, the wall time and the
 * server's CPU time (all its threads) from {@code didOpen} of a vmlinux.h tool file to its {@code publishDiagnostics},
 * then the same for a second file (headers cached). The server's JVM start and initialize are before and not counted;
 * {@code didOpen} follows the initialize handshake at once, as editors do, so the server's warm-up (started at
 * initialize) runs during the measurement and its CPU is counted.
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.htablab.benchmarks.lsp.LspFirstDiagnosticsRunner 5}
 */
public final class LspFirstDiagnosticsRunner {

    private LspFirstDiagnosticsRunner() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        VmlinuxWorkspace w = VmlinuxWorkspace.create();
        String a = w.write(1).toUri().toString();
        String b = w.write(2).toUri().toString();
        System.out.println("run  first-wall-ms  first-server-cpu-ms  second-wall-ms  second-server-cpu-ms  load");
        for (int i = 0; i < n; i++) {
            try (StdioServer s = StdioServer.start(w.dir)) {
                long c0 = s.serverCpuNanos();
                long t0 = System.nanoTime();
                s.open(a, VmlinuxWorkspace.program(1));
                LspStdioBenchmark.check(s.awaitDiagnostics(a));
                long t1 = System.nanoTime();
                long c1 = s.serverCpuNanos();
                s.open(b, VmlinuxWorkspace.program(2));
                LspStdioBenchmark.check(s.awaitDiagnostics(b));
                long t2 = System.nanoTime();
                long c2 = s.serverCpuNanos();
                System.out.printf("%3d  %13.0f  %19.0f  %14.0f  %20.0f  %.1f%n", i + 1, (t1 - t0) / 1e6, (c1 - c0) / 1e6,
                        (t2 - t1) / 1e6, (c2 - c1) / 1e6,
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        }
    }
}
