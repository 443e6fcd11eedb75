package io.htablab.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Maps loaded in the kernel of the machine the server runs on, found by name.
 *
 * <p>Decision: read through {@code bpftool -j map show} / {@code bpftool -j map dump id N} until the project's
 * own bpf() harness exists; bpftool already does the BPF_MAP_GET_NEXT_ID / GET_INFO_BY_FD walk. Every call
 * runs on a background thread with a short timeout, results are cached for a few seconds, and a missing or
 * failing bpftool (no privilege, no binary) simply yields nothing. Requests never wait: {@link #find} answers
 * from the cache and schedules a refresh.
 */
public class LiveMaps {

    /** One loaded map; {@code entries} is -1 until counted. */
    public record LiveMap(long id, String name, String type, long keySize, long valueSize, long maxEntries,
                          long memlock, long entries) {
    }

    /** Where the facts come from (bpftool, or a fake in tests). */
    public interface Source {
        List<LiveMap> list() throws Exception;

        long countEntries(long id) throws Exception;
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

    /** bpftool from the PATH, cached for 3 seconds. */
    public static LiveMaps bpftool() {
        return new LiveMaps(new BpftoolSource(2000), 3000);
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
                long entries = -1;
                try {
                    entries = source.countEntries(m.id());
                } catch (Exception e) {
                    // counting is best effort
                }
                found.put(m.name(), new LiveMap(m.id(), m.name(), m.type(), m.keySize(), m.valueSize(),
                        m.maxEntries(), m.memlock(), entries));
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

    /** {@code bpftool -j}: JSON on stdout, killed after the timeout. */
    static final class BpftoolSource implements Source {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final long timeoutMillis;

        BpftoolSource(long timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public List<LiveMap> list() throws Exception {
            JsonNode root = run("bpftool", "-j", "map", "show");
            List<LiveMap> out = new ArrayList<>();
            if (root != null && root.isArray()) {
                for (JsonNode n : root) {
                    out.add(new LiveMap(n.path("id").asLong(-1), n.path("name").asText(null), n.path("type").asText(null),
                            n.path("bytes_key").asLong(-1), n.path("bytes_value").asLong(-1),
                            n.path("max_entries").asLong(-1), n.path("bytes_memlock").asLong(-1), -1));
                }
            }
            return out;
        }

        @Override
        public long countEntries(long id) throws Exception {
            JsonNode root = run("bpftool", "-j", "map", "dump", "id", Long.toString(id));
            return root != null && root.isArray() ? root.size() : -1;
        }

        private JsonNode run(String... command) throws Exception {
            Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            p.getOutputStream().close();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(buffer);
                } catch (Exception e) {
                    // the process was killed
                }
            }, "bpftool-reader");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return null;
            }
            reader.join(timeoutMillis);
            if (p.exitValue() != 0) {
                return null;
            }
            return JSON.readTree(buffer.toByteArray());
        }
    }
}
