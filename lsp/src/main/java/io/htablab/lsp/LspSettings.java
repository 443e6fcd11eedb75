package io.htablab.lsp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the user can configure, through {@code initializationOptions} or
 * {@code workspace/didChangeConfiguration} (either flat or under an {@code "htab"} key).
 *
 * @param possibleCpus             P used for every per-CPU figure (default: this machine's possible CPUs)
 * @param includePaths             extra directories for {@code #include}
 * @param percpuMemoryWarningBytes per-CPU value memory above which "percpu.memory" warns
 * @param inlayHints               whether size hints are shown
 * @param visualizerJar            the visualizer's jar, or null to look beside this server's jar
 */
public record LspSettings(int possibleCpus, List<Path> includePaths, long percpuMemoryWarningBytes,
                          boolean inlayHints, String visualizerJar) {

    public static final long DEFAULT_PERCPU_MEMORY_WARNING_BYTES = 64L << 20;

    public LspSettings {
        if (possibleCpus < 1) {
            possibleCpus = machinePossibleCpus();
        }
        includePaths = includePaths == null ? List.of() : List.copyOf(includePaths);
        if (percpuMemoryWarningBytes <= 0) {
            percpuMemoryWarningBytes = DEFAULT_PERCPU_MEMORY_WARNING_BYTES;
        }
    }

    public static LspSettings defaults() {
        return new LspSettings(machinePossibleCpus(), List.of(), DEFAULT_PERCPU_MEMORY_WARNING_BYTES, true, null);
    }

    public LspSettings withPossibleCpus(int cpus) {
        return new LspSettings(cpus, includePaths, percpuMemoryWarningBytes, inlayHints, visualizerJar);
    }

    public LspSettings withIncludePaths(List<Path> paths) {
        return new LspSettings(possibleCpus, paths, percpuMemoryWarningBytes, inlayHints, visualizerJar);
    }

    public LspSettings withPercpuMemoryWarningBytes(long bytes) {
        return new LspSettings(possibleCpus, includePaths, bytes, inlayHints, visualizerJar);
    }

    public LspSettings withInlayHints(boolean on) {
        return new LspSettings(possibleCpus, includePaths, percpuMemoryWarningBytes, on, visualizerJar);
    }

    public LspSettings withVisualizerJar(String jar) {
        return new LspSettings(possibleCpus, includePaths, percpuMemoryWarningBytes, inlayHints, jar);
    }

    /**
     * These settings updated by the keys present in {@code json}; absent or ill-typed keys keep their value
     * (a wrong setting must not take the server down).
     */
    public LspSettings merge(JsonElement json) {
        if (json == null || !json.isJsonObject()) {
            return this;
        }
        JsonObject o = json.getAsJsonObject();
        if (o.has("htab") && o.get("htab").isJsonObject()) {
            o = o.getAsJsonObject("htab");
        }
        LspSettings s = this;
        try {
            if (isNumber(o, "possibleCpus")) {
                s = s.withPossibleCpus(o.get("possibleCpus").getAsInt());
            }
            if (o.has("includePaths") && o.get("includePaths").isJsonArray()) {
                List<Path> paths = new ArrayList<>();
                JsonArray a = o.getAsJsonArray("includePaths");
                for (JsonElement e : a) {
                    if (e.isJsonPrimitive()) {
                        paths.add(Path.of(e.getAsString()));
                    }
                }
                s = s.withIncludePaths(paths);
            }
            if (isNumber(o, "percpuMemoryWarningBytes")) {
                s = s.withPercpuMemoryWarningBytes(o.get("percpuMemoryWarningBytes").getAsLong());
            }
            if (o.has("inlayHints") && o.get("inlayHints").isJsonPrimitive()
                    && o.get("inlayHints").getAsJsonPrimitive().isBoolean()) {
                s = s.withInlayHints(o.get("inlayHints").getAsBoolean());
            }
            if (o.has("visualizerJar") && o.get("visualizerJar").isJsonPrimitive()) {
                s = s.withVisualizerJar(o.get("visualizerJar").getAsString());
            }
        } catch (RuntimeException e) {
            // ill-formed value (e.g. a path with a NUL): keep what we had so far
        }
        return s;
    }

    private static boolean isNumber(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() && o.get(key).getAsJsonPrimitive().isNumber();
    }

    /**
     * The number of possible CPUs of this machine, from {@code /sys/devices/system/cpu/possible} (e.g.
     * "0-1" or "0-3,5"), falling back to the JVM's processor count.
     */
    public static int machinePossibleCpus() {
        try {
            return parseCpuList(Files.readString(Path.of("/sys/devices/system/cpu/possible")));
        } catch (IOException | RuntimeException e) {
            return Math.max(1, Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * P as the kernel counts possible CPUs (num_possible_cpus: how many ids the list names), from a list
     * such as "0-1" or "0-3,5".
     */
    static int parseCpuList(String list) {
        int count = 0;
        for (String part : list.trim().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] ends = part.trim().split("-");
            int first = Integer.parseInt(ends[0].trim());
            int last = Integer.parseInt(ends[ends.length - 1].trim());
            if (last < first) {
                throw new IllegalArgumentException("bad CPU range " + part);
            }
            count += last - first + 1;
        }
        if (count == 0) {
            throw new IllegalArgumentException("empty CPU list");
        }
        return count;
    }
}
