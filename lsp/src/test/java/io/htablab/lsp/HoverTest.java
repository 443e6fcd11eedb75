package io.htablab.lsp;

import org.junit.jupiter.api.Test;

import static io.htablab.lsp.Dsl.hover;

/** Figures are the spec's memlock examples for P = 2 (section 2.5), computed independently of the code. */
class HoverTest {

    static String map(String name, String type, int max, String key, String value, String flags) {
        return "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "struct flow { __u32 saddr; __u8 proto; __u32 daddr; __u8 dscp; };\n"
                + "struct {\n    __uint(type, " + type + ");\n    __uint(max_entries, " + max + ");\n"
                + "    __type(key, " + key + ");\n    __type(value, " + value + ");\n"
                + (flags == null ? "" : "    __uint(map_flags, " + flags + ");\n")
                + "} " + name + " SEC(\".maps\");\n";
    }

    @Test
    void hashMapShowsGeometryAndKernelMemlock() {
        // HASH k4 v8 max4 -> 1360
        hover(map("cou|nts", "BPF_MAP_TYPE_HASH", 4, "__u32", "__u64", null))
                .contains("map `counts`", "BPF_MAP_TYPE_HASH", "n_buckets: 4", "elem_size: 64 B",
                        "preallocated elements: 6 (4 + 2 per-CPU spares", "1,360 B", "E2BIG");
    }

    @Test
    void lruMapShowsEvictionInsteadOfE2big() {
        // LRU k4 v4 max7 -> 1472
        hover(map("l|ru", "BPF_MAP_TYPE_LRU_HASH", 7, "__u32", "__u32", null))
                .contains("n_buckets: 8", "1,472 B", "never E2BIG", "target_free = 1")
                .doesNotContain("fails with E2BIG");
    }

    @Test
    void perCpuLruShowsRoundingAndPerCpuSplit() {
        // LRU NO_COMMON_LRU k4 v4 max7 (rounded to 8) -> 1536
        hover(map("pcl|ru", "BPF_MAP_TYPE_LRU_HASH", 7, "__u32", "__u32", "BPF_F_NO_COMMON_LRU"))
                .contains("max_entries: 8 (rounded up", "1,536 B", "each CPU owns 4 of the 8 nodes");
    }

    @Test
    void perCpuHashMultipliesValuesByCpus() {
        // PERCPU k4 v12 max10 -> 2112
        hover(map("per|cpu", "BPF_MAP_TYPE_PERCPU_HASH", 10, "__u32", "char[12]", null))
                .contains("2,112 B", "16 B \u00d7 2 CPUs per element", "value buffer is 32 B", "8 per-CPU pointer");
    }

    @Test
    void noPreallocShowsEmptyAndFullFootprint() {
        // HASH NO_PREALLOC k4 v4 max300: 832 + 16*512 + 64 = 9088 empty; + 300 * (64 + 8) = 30688 full
        hover(map("dyn|amic", "BPF_MAP_TYPE_HASH", 300, "__u32", "__u32", "BPF_F_NO_PREALLOC"))
                .contains("9,088 B", "30,688 B", "on demand");
    }

    @Test
    void keyLayoutTableShowsPaddingRows() {
        hover(map("fl|ows", "BPF_MAP_TYPE_HASH", 64, "struct flow", "__u64", null))
                .contains("**Key layout** `struct flow`", "| 0 | 4 | saddr | `__u32` |", "| 4 | 1 | proto | `__u8` |",
                        "| 5..7 | 3 | _padding_ |", "| 8 | 4 | daddr |", "| 13..15 | 3 | _tail padding_ |");
    }

    @Test
    void refusedMapSaysWhy() {
        hover(map("b|ad", "BPF_MAP_TYPE_LRU_HASH", 64, "__u32", "__u64", "BPF_F_NO_PREALLOC"))
                .contains("The kernel refuses this map", "ENOTSUPP");
    }

    @Test
    void hoverOnTheTypeEntryShowsConstantAndMap() {
        hover(map("m", "BPF_MAP_TYPE_LRU|_HASH", 1024, "__u32", "__u64", null))
                .contains("`BPF_MAP_TYPE_LRU_HASH` = 9", "map `m`", "n_buckets: 1024");
    }

    @Test
    void hoverOnAFlagConstant() {
        hover(map("m", "BPF_MAP_TYPE_HASH", 1024, "__u32", "__u64", "BPF_F_NO_PRE|ALLOC"))
                .contains("`BPF_F_NO_PREALLOC` = 1 (0x1)", "allocate elements on update");
    }

    @Test
    void hoverOnAStructNameShowsItsLayout() {
        hover(map("m", "BPF_MAP_TYPE_HASH", 16, "struct fl|ow", "__u64", null))
                .contains("size 16 B, align 4", "| 5..7 | 3 | _padding_ |", "Padding bytes: 5..7 and 13..15 (6 of 16)");
    }

    @Test
    void arrayMapsGetOnlyGenericFacts() {
        hover(map("ar|r", "BPF_MAP_TYPE_ARRAY", 16, "__u32", "__u64", null))
                .contains("Array indexed by a u32 key", "htab-lab models the four hash map types")
                .doesNotContain("n_buckets");
    }

    @Test
    void nothingOnWhitespace() {
        new Dsl.HoverAssert(Dsl.service().hover(Dsl.URI, "int x;\n\n\n", 1, 0)).isEmpty();
    }
}
