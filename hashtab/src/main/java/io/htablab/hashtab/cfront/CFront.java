package io.htablab.hashtab.cfront;

/**
 * Entry point: reads eBPF C (libbpf {@code SEC(".maps")} definitions and legacy {@code struct bpf_map_def})
 * and returns its maps, C types with clang-exact BPF layouts, macros and diagnostics. Never throws on bad input.
 */
public final class CFront {

    private CFront() {
    }

    /**
     * Parses {@code text} as the contents of {@code uri} (a {@code file:} URI or a plain path; includes are
     * resolved relative to it).
     */
    public static CFrontResult parse(String uri, String text, CFrontOptions options) {
        return new CParser(uri, text == null ? "" : text, options == null ? CFrontOptions.defaults() : options).run();
    }

    /** Headers reused from the shared cache since start (for tests and measurements). */
    public static long headerCacheHits() {
        return HeaderCache.SHARED.hits();
    }

    /** Headers parsed into the shared cache since start. */
    public static long headerCacheMisses() {
        return HeaderCache.SHARED.misses();
    }

    /** Forgets every cached header (they are re-read and re-parsed on next use). */
    public static void clearHeaderCache() {
        HeaderCache.SHARED.clear();
    }

    /** {@link #parse(String, String, CFrontOptions)} with {@link CFrontOptions#defaults()}. */
    public static CFrontResult parse(String uri, String text) {
        return parse(uri, text, CFrontOptions.defaults());
    }
}
