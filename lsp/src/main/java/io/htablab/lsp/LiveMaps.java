package io.htablab.lsp;

import io.htablab.hashtab.kernel.LoadedMaps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Maps loaded in the kernel of the machine the server runs on, found by name.
 *
 * <p>The facts come from the project's own bpf() harness ({@link LoadedMaps}: BPF_MAP_GET_NEXT_ID,
 * a read-only BPF_MAP_GET_FD_BY_ID descriptor, BPF_OBJ_GET_INFO_BY_FD, fdinfo memlock, a GET_NEXT_KEY walk).
 * Every refresh runs on a background thread, entry counting has a time budget, results are cached for a few
 * seconds, and where bpf() is refused (no privilege, no bpf() in the kernel) nothing is found. Requests never
 * wait: {@link #find} answers from the cache and schedules a refresh.
 */
public class LiveMaps {

    /**
     * One loaded map; {@code entries} is -1 until counted, and a lower bound when {@code entriesAtLeast}
     * (the count stopped early); {@code memlock} is -1 when unknown.
     */
    public record LiveMap(long id, String name, String type, long keySize, long valueSize, long maxEntries,
                          long memlock, long entries, boolean entriesAtLeast) {

        public LiveMap(long id, String name, String type, long keySize, long valueSize, long maxEntries,
                       long memlock, long entries) {
            this(id, name, type, keySize, valueSize, maxEntries, memlock, entries, false);
        }
    }

    /** An entry count; {@code atLeast} when counting stopped before the end of the map. */
    public record Count(long entries, boolean atLeast) {
    }

    /** Where the facts come from (the kernel, or a fake in tests). */
    public interface Source {
        List<LiveMap> list() throws Exception;

        long countEntries(long id) throws Exception;

        /** The count with its exactness; sources that always count to the end need not override it. */
        default Count count(long id) throws Exception {
            return new Count(countEntries(id), false);
        }
    }

    /** Never finds anything (tests, the check command). */
    public static final LiveMaps NONE = new LiveMaps(null, 0);

    /** Kernel object names are at most 15 characters (BPF_OBJ_NAME_LEN 16 with the NUL). */
    static final int BPF_OBJ_NAME_LEN = 16;

    private final Source source;
    private final long maxAgeMillis;
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private volatile Map<String, LiveMap> byName = Map.of();
    private volatile long refreshedAt = Long.MIN_VALUE / 2;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final ExecutorService executor;

    public LiveMaps(Source source, long maxAgeMillis) {
        this.source = source;
        this.maxAgeMillis = maxAgeMillis;
        this.executor = source == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "htab-live-maps");
            t.setDaemon(true);
            return t;
        });
    }

    /** The running kernel through {@link LoadedMaps}: counts stop after 2 seconds, results are cached for 3. */
    public static LiveMaps kernel() {
        return new LiveMaps(new KernelSource(2000), 3000);
    }

    /** The loaded map called {@code name} as last seen (never blocks); schedules a refresh when stale. */
    public Optional<LiveMap> find(String name) {
        if (source == null || name == null) {
            return Optional.empty();
        }
        String kernelName = kernelName(name);
        wanted.add(kernelName);
        refreshIfStale();
        return Optional.ofNullable(byName.get(kernelName));
    }

    /** Start looking for these names now, so the first hover can already show them. */
    public void prefetch(List<String> names) {
        if (source == null) {
            return;
        }
        for (String n : names) {
            wanted.add(kernelName(n));
        }
        refreshIfStale();
    }

    static String kernelName(String name) {
        return name.length() < BPF_OBJ_NAME_LEN ? name : name.substring(0, BPF_OBJ_NAME_LEN - 1);
    }

    private void refreshIfStale() {
        if (System.currentTimeMillis() - refreshedAt < maxAgeMillis || !refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::refresh);
        } catch (RuntimeException e) {
            refreshing.set(false);
        }
    }

    /** Runs on the background thread. */
    void refresh() {
        try {
            Map<String, LiveMap> found = new ConcurrentHashMap<>();
            for (LiveMap m : source.list()) {
                if (m.name() == null || !wanted.contains(m.name())) {
                    continue;
                }
                Count count = new Count(-1, false);
                try {
                    count = source.count(m.id());
                } catch (Exception e) {
                    // counting is best effort
                }
                // several maps may share a name: the newest (highest id, listed last) wins
                found.put(m.name(), new LiveMap(m.id(), m.name(), m.type(), m.keySize(), m.valueSize(),
                        m.maxEntries(), m.memlock(), count.entries(), count.atLeast()));
            }
            byName = Map.copyOf(found);
        } catch (Exception | LinkageError e) {
            byName = Map.of();
        } finally {
            refreshedAt = System.currentTimeMillis();
            refreshing.set(false);
        }
    }

    /** Waits until a refresh in flight has finished (tests). */
    void awaitIdle(long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (refreshing.get() && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
    }

    /**
     * The project's own bpf() harness: {@link LoadedMaps} walks the map ids, reads each map's info and
     * fdinfo memlock on a read-only descriptor, and counts entries with GET_NEXT_KEY within a time budget.
     * Where bpf() is refused it lists nothing.
     */
    static final class KernelSource implements Source {
        private final long countBudgetMillis;

        KernelSource(long countBudgetMillis) {
            this.countBudgetMillis = countBudgetMillis;
        }

        @Override
        public List<LiveMap> list() {
            List<LiveMap> out = new ArrayList<>();
            for (LoadedMaps.LoadedMap m : LoadedMaps.list()) {
                out.add(new LiveMap(m.id(), m.name(), m.typeLabel(), m.keySize(), m.valueSize(), m.maxEntries(),
                        LoadedMaps.memlock(m.id()), -1));
            }
            return out;
        }

        @Override
        public long countEntries(long id) {
            return count(id).entries();
        }

        @Override
        public Count count(long id) {
            LoadedMaps.EntryCount c = LoadedMaps.countEntries(id, LoadedMaps.DEFAULT_COUNT_CAP, countBudgetMillis);
            return new Count(c.count(), c.known() && !c.exact());
        }
    }
}
