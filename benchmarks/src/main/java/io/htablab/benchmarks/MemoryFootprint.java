package io.htablab.benchmarks;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.MapType;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.openjdk.jol.info.GraphLayout;

/**
 * Retained heap per element of full 4B/8B maps of 1,048,576 max_entries, next to the kernel's memlock bytes per
 * element for the same map ({@code memlock() / max_entries}, the engine's copy of htab_map_mem_usage).
 *
 * <p>Two measurements per map: JOL's walk of the object graph reachable from the map (exact shallow sizes of
 * every reachable object), and the drop in {@code Runtime} free memory around creating and filling it, after
 * repeated {@code System.gc()} (a cross-check; it includes nothing but the map since the key arrays are built
 * before the first reading).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.htablab.benchmarks.MemoryFootprint [maxEntries]}.
 */
public final class MemoryFootprint {

    private MemoryFootprint() {
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    private record Sample(Object map, long runtimeBytes) {
    }

    private static Sample measure(Supplier<Object> build) {
        long before = usedAfterGc();
        Object map = build.get();
        long after = usedAfterGc();
        return new Sample(map, after - before);
    }

    private static BpfMap engineMap(MapType type, int maxEntries, byte[][] keys) {
        BpfMap map = Engine.create(type, maxEntries);
        for (int i = 0; i < keys.length; i++) {
            Engine.check(map.update(0, keys[i], Keys.value(i),
                    type == MapType.HASH ? ElemFlag.BPF_NOEXIST : ElemFlag.BPF_ANY), "fill");
        }
        return map;
    }

    private static Map<ByteKey, byte[]> javaMap(Map<ByteKey, byte[]> map, byte[][] keys) {
        // Key wrappers are built here, inside the measurement: a Java map has to retain them.
        for (int i = 0; i < keys.length; i++) {
            map.put(new ByteKey(keys[i].clone()), Keys.value(i));
        }
        return map;
    }

    public static void main(String[] args) {
        // The LRU's eviction callback is a lambda (a hidden class), whose field offsets Unsafe refuses; JOL then
        // needs its own way to find them. Must be set before JOL's first use.
        System.setProperty("jol.magicFieldOffset", "true");
        int maxEntries = args.length > 0 ? Integer.parseInt(args[0]) : 1_048_576;
        byte[][] keys = Keys.range(0, maxEntries);
        System.out.printf("max_entries %,d, key_size 4, value_size 8, full maps, %s%n", maxEntries,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.printf("%-22s %14s %12s %14s %12s %14s %10s%n", "map", "JOL bytes", "JOL B/elem",
                "Runtime bytes", "RT B/elem", "memlock B/elem", "JOL/memlock");
        for (MapType type : new MapType[] {MapType.HASH, MapType.LRU_HASH}) {
            Sample s = measure(() -> engineMap(type, maxEntries, keys));
            BpfMap map = (BpfMap) s.map();
            if (map.count() < maxEntries / 2) {
                throw new IllegalStateException(type + " holds only " + map.count() + " elements");
            }
            long jol = GraphLayout.parseInstance(map).totalSize();
            double memlockPer = (double) map.memlock() / maxEntries;
            double jolPer = (double) jol / maxEntries;
            System.out.printf("%-22s %,14d %12.1f %,14d %12.1f %14.1f %10.2f%n", "engine " + type, jol, jolPer,
                    s.runtimeBytes(), (double) s.runtimeBytes() / maxEntries, memlockPer, jolPer / memlockPer);
        }
        for (String kind : new String[] {"HashMap", "ConcurrentHashMap"}) {
            Sample s = measure(() -> javaMap(kind.equals("HashMap") ? new HashMap<>(maxEntries)
                    : new ConcurrentHashMap<>(maxEntries), keys));
            long jol = GraphLayout.parseInstance(s.map()).totalSize();
            System.out.printf("%-22s %,14d %12.1f %,14d %12.1f %14s %10s%n", kind, jol, (double) jol / maxEntries,
                    s.runtimeBytes(), (double) s.runtimeBytes() / maxEntries, "-", "-");
        }
    }
}
