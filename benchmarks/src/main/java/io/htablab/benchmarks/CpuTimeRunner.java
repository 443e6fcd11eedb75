package io.htablab.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * Cross-check for a shared, overloaded machine: runs one JMH benchmark method of this module in a plain loop and
 * reports operations per second of the thread's own CPU time (ThreadMXBean), which time-sharing with other
 * processes does not dilute (cache and memory-bandwidth contention still do). One benchmark per JVM, like a JMH
 * fork, so every call site sees one implementation.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.htablab.benchmarks.CpuTimeRunner <Class.method> <kind|variant>
 * <size> [rounds]}; prints the median of the rounds (each about 0.5 s of CPU) and the min..max.
 */
public final class CpuTimeRunner {

    private static volatile int sink;

    private CpuTimeRunner() {
    }

    private static IntSupplier target(String bench, String kind, int size) {
        String cls = bench.substring(0, bench.indexOf('.'));
        String op = bench.substring(bench.indexOf('.') + 1);
        switch (cls) {
            case "HashBenchmark": {
                HashBenchmark b = new HashBenchmark();
                b.size = size;
                b.kind = kind;
                b.setup();
                switch (op) {
                    case "lookupHit": return b::lookupHit;
                    case "lookupMiss": return b::lookupMiss;
                    case "updateExisting": return b::updateExisting;
                    case "updateDeleteChurn": return b::updateDeleteChurn;
                    default: break;
                }
                break;
            }
            case "LruBenchmark": {
                LruBenchmark b = new LruBenchmark();
                b.size = size;
                b.kind = kind;
                b.setup();
                switch (op) {
                    case "progLookupHit": return b::progLookupHit;
                    case "syscallLookupHit": return b::syscallLookupHit;
                    case "updateWithEviction": return b::updateWithEviction;
                    default: break;
                }
                break;
            }
            case "EventCostBenchmark": {
                EventCostBenchmark b = new EventCostBenchmark();
                b.size = size;
                b.variant = kind;
                b.setup();
                switch (op) {
                    case "lookupHit": return b::lookupHit;
                    case "updateExisting": return b::updateExisting;
                    default: break;
                }
                break;
            }
            default:
                break;
        }
        throw new IllegalArgumentException("unknown benchmark " + bench);
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: CpuTimeRunner <Class.method> <kind|variant> <size> [rounds]");
            System.exit(2);
        }
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        IntSupplier op = target(args[0], args[1], Integer.parseInt(args[2]));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] rates = new double[rounds + 3];
        int acc = 0;
        for (int r = 0; r < rates.length; r++) { // the first three rounds are warm-up
            long ops = 0;
            long t0 = mx.getCurrentThreadCpuTime();
            long t;
            do {
                for (int i = 0; i < 4096; i++) {
                    acc += op.getAsInt();
                }
                ops += 4096;
                t = mx.getCurrentThreadCpuTime();
            } while (t - t0 < 500_000_000L);
            rates[r] = ops * 1e9 / (t - t0);
        }
        sink = acc;
        double[] m = Arrays.copyOfRange(rates, 3, rates.length);
        Arrays.sort(m);
        System.out.printf("%-32s %-20s %8s %14.0f ops/cpu-s  (min %.0f, max %.0f)%n", args[0], args[1], args[2],
                m[m.length / 2], m[0], m[m.length - 1]);
    }
}
