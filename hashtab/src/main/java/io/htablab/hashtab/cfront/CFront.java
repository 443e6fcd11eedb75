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

    /** {@link #parse(String, String, CFrontOptions)} with {@link CFrontOptions#defaults()}. */
    public static CFrontResult parse(String uri, String text) {
        return parse(uri, text, CFrontOptions.defaults());
    }
}
