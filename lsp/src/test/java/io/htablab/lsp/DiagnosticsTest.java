package io.htablab.lsp;

import org.junit.jupiter.api.Test;

import static io.htablab.lsp.Dsl.diagnostics;
import static io.htablab.lsp.Dsl.error;
import static io.htablab.lsp.Dsl.info;
import static io.htablab.lsp.Dsl.warning;
import static org.assertj.core.api.Assertions.assertThat;

class DiagnosticsTest {

    static String map(String type, String maxEntries, String key, String value, String flags) {
        return "#include <linux/bpf.h>\n"
                + "#include <bpf/bpf_helpers.h>\n"
                + "struct {\n"
                + "    __uint(type, " + type + ");\n"
                + "    __uint(max_entries, " + maxEntries + ");\n"
                + "    __type(key, " + key + ");\n"
                + "    __type(value, " + value + ");\n"
                + (flags == null ? "" : "    __uint(map_flags, " + flags + ");\n")
                + "} m SEC(\".maps\");\n";
    }

    @Test
    void cleanHashMapHasNoDiagnostics() {
        diagnostics(map("BPF_MAP_TYPE_HASH", "1024", "__u32", "__u64", null)).isEmpty();
    }

    @Test
    void lruWithNoPreallocIsEnotsuppOnTheFlagsEntry() {
        diagnostics(map("BPF_MAP_TYPE_LRU_HASH", "4096", "__u32", "__u64", "BPF_F_NO_PREALLOC"))
                .has(error("htab.create.ENOTSUPP").onLine(8).on("__uint(map_flags, BPF_F_NO_PREALLOC)")
                        .saying("LRU maps must be preallocated", "ENOTSUPP", "BPF_MAP_TYPE_LRU_HASH"));
    }

    @Test
    void noCommonLruOnPlainHashIsEinval() {
        diagnostics(map("BPF_MAP_TYPE_HASH", "64", "__u32", "__u64", "BPF_F_NO_COMMON_LRU"))
                .has(error("htab.create.EINVAL").onLine(8).saying("BPF_F_NO_COMMON_LRU", "EINVAL"));
    }

    @Test
    void zeroMaxEntriesIsEinvalOnMaxEntries() {
        diagnostics(map("BPF_MAP_TYPE_PERCPU_HASH", "0", "__u32", "__u64", null))
                .has(error("htab.create.EINVAL").onLine(5).saying("max_entries is 0"));
    }

    @Test
    void tooManyBucketsIsE2big() {
        diagnostics(map("BPF_MAP_TYPE_HASH", "(1 << 27) + 1", "__u32", "__u64", null))
                .has(error("htab.create.E2BIG").onLine(5).saying("2^27"));
    }

    @Test
    void perCpuValueSlotAbove32KiBIsE2bigOnTheValue() {
        diagnostics(map("BPF_MAP_TYPE_PERCPU_HASH", "16", "__u32", "char[32769]", null))
                .has(error("htab.create.E2BIG").onLine(7));
    }

    @Test
    void rdonlyAndWronlyTogetherIsEinval() {
        diagnostics(map("BPF_MAP_TYPE_HASH", "16", "__u32", "__u32", "BPF_F_RDONLY | BPF_F_WRONLY"))
                .has(error("htab.create.EINVAL").onLine(8).saying("BPF_F_RDONLY and BPF_F_WRONLY"));
    }

    @Test
    void missingMaxEntriesReachesTheKernelAsZero() {
        String text = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __type(key, __u32);\n"
                + "    __type(value, __u32);\n} no_max SEC(\".maps\");\n";
        diagnostics(text).has(error("htab.create.EINVAL").on("no_max").saying("max_entries is 0"));
    }

    @Test
    void paddedKeyWarnsWithTheByteRanges() {
        String text = "#include <linux/bpf.h>\n"
                + "struct flow {\n    __u32 saddr;\n    __u8 proto;\n    __u32 daddr;\n    __u8 dscp;\n};\n"
                + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 1024);\n"
                + "    __type(key, struct flow);\n    __type(value, __u64);\n} flows SEC(\".maps\");\n";
        diagnostics(text).has(warning("key.padding").onLine(11).on("__type(key, struct flow)")
                .saying("key struct flow has padding at bytes 5..7 and 13..15", "lookups with uninitialised padding miss"));
    }

    @Test
    void paddingInsideANestedStructCounts() {
        String text = "#include <linux/bpf.h>\n"
                + "struct inner { __u8 a; __u16 b; };\nstruct outer { struct inner in; __u16 c; };\n"
                + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 8);\n"
                + "    __type(key, struct outer);\n    __type(value, __u64);\n} nested SEC(\".maps\");\n";
        // inner: a at 0, hole at 1, b at 2..3; outer: in 0..3, c 4..5; no hole of outer's own.
        diagnostics(text).has(warning("key.padding").saying("at bytes 1:", "all 6 key bytes"));
    }

    @Test
    void keyWithoutHolesIsQuiet() {
        String text = "#include <linux/bpf.h>\n"
                + "struct k { __u32 a; __u16 b; __u8 c; __u8 d; };\n"
                + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 8);\n"
                + "    __type(key, struct k);\n    __type(value, __u64);\n} m SEC(\".maps\");\n";
        diagnostics(text).isEmpty();
    }

    @Test
    void perCpuMemoryAboveThresholdWarns() {
        // 4096 B x 2 CPUs x 10000 entries = 81,920,000 B > 64 MiB (67,108,864 B)
        diagnostics(map("BPF_MAP_TYPE_PERCPU_HASH", "10000", "__u32", "char[4096]", null))
                .has(warning("percpu.memory").onLine(5).saying("4096 B \u00d7 2 CPUs \u00d7 10000 entries", "81,920,000 B (78.1 MiB)"));
        // 4096 x 2 x 8000 = 65,536,000 B: below
        diagnostics(map("BPF_MAP_TYPE_PERCPU_HASH", "8000", "__u32", "char[4096]", null)).hasNo("percpu.memory");
        diagnostics(map("BPF_MAP_TYPE_PERCPU_ARRAY", "10000", "__u32", "char[4096]", null)).has(warning("percpu.memory"));
    }

    @Test
    void perCpuThresholdIsConfigurable() {
        HtabLanguageService s = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2)
                .withPercpuMemoryWarningBytes(1000));
        // 8 B x 2 CPUs x 100 = 1600 B
        diagnostics(s, map("BPF_MAP_TYPE_LRU_PERCPU_HASH", "100", "__u32", "__u64", "BPF_F_NO_COMMON_LRU"))
                .has(warning("percpu.memory").saying("1,600 B"));
    }

    @Test
    void smallCommonLruWarnsAboutEarlyEviction() {
        // P = 2: target_free = clamp((100/2)/2, 1, 128) = 25; the local lists can hold 50 of 100 nodes.
        diagnostics(map("BPF_MAP_TYPE_LRU_HASH", "100", "__u32", "__u64", null))
                .has(warning("lru.early-eviction").onLine(5).saying("target_free = clamp((100/2)/2, 1, 128) = 25",
                        "up to 25 free nodes can sit in other CPUs' lists"));
        // Boundary: 4 x P x 128 = 1024 entries is the smallest quiet size for 2 CPUs.
        diagnostics(map("BPF_MAP_TYPE_LRU_HASH", "1023", "__u32", "__u64", null)).has(warning("lru.early-eviction"));
        diagnostics(map("BPF_MAP_TYPE_LRU_HASH", "1024", "__u32", "__u64", null)).isEmpty();
        // Per-CPU LRU lists have no common pool to strand nodes in.
        diagnostics(map("BPF_MAP_TYPE_LRU_HASH", "100", "__u32", "__u64", "BPF_F_NO_COMMON_LRU"))
                .hasNo("lru.early-eviction");
    }

    @Test
    void arrayMapChecksAreTheGenericOnes() {
        diagnostics(map("BPF_MAP_TYPE_ARRAY", "16", "__u64", "__u64", null))
                .has(error("map.create.EINVAL").onLine(6).saying("4-byte key"));
        diagnostics(map("BPF_MAP_TYPE_ARRAY", "16", "__u32", "__u64", null)).isEmpty();
    }

    @Test
    void syntaxErrorIsAnError() {
        String text = "#include <linux/bpf.h>\nstruct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    int oops oops;\n"
                + "} broken SEC(\".maps\");\n";
        Dsl.DiagnosticsAssert d = diagnostics(text);
        assertThat(d.list).anyMatch(x -> x.code().equals("cfront.syntax") && x.severity() == HtabDiagnostic.Severity.ERROR);
        // no follow-on "max_entries is 0" for a definition that could not be read
        d.hasNo("htab.create.EINVAL");
    }

    @Test
    void unknownMacroIsInformationAndSuppressesTheChecks() {
        String text = map("BPF_MAP_TYPE_HASH", "MAX_FLOWS", "__u32", "__u64", null);
        Dsl.DiagnosticsAssert d = diagnostics(text).hasNoErrors().hasNo("htab.create.EINVAL");
        assertThat(d.list).isNotEmpty().allMatch(x -> x.severity() == HtabDiagnostic.Severity.INFO
                && x.code().startsWith("cfront."));
    }

    @Test
    void macroValuesAreEvaluated() {
        String text = "#define MAX (1 << 4)\n#define FLAGS BPF_F_NO_PREALLOC\n"
                + map("BPF_MAP_TYPE_LRU_HASH", "MAX", "__u32", "__u64", "FLAGS");
        diagnostics(text).has(error("htab.create.ENOTSUPP").onLine(10));
    }

    @Test
    void legacyMapDefinitionsAreChecked() {
        String text = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "struct bpf_map_def SEC(\"maps\") legacy = {\n"
                + "    .type = BPF_MAP_TYPE_LRU_HASH,\n    .key_size = 4,\n    .value_size = 8,\n"
                + "    .max_entries = 4096,\n    .map_flags = BPF_F_NO_PREALLOC,\n};\n";
        diagnostics(text).has(error("htab.create.ENOTSUPP").onLine(8));
    }

    @Test
    void everyRangeLiesInsideTheText() {
        String text = map("BPF_MAP_TYPE_LRU_HASH", "10", "__u32", "__u64", "BPF_F_NO_PREALLOC");
        TextIndex index = new TextIndex(text);
        assertThat(diagnostics(text).list).isNotEmpty().allMatch(d -> index.isValid(d.range()));
    }
}
