package io.htablab.lsp;

import org.junit.jupiter.api.Test;

import static io.htablab.lsp.Dsl.diagnostics;
import static io.htablab.lsp.Dsl.error;
import static io.htablab.lsp.Dsl.hover;

/** Hover on maps whose values hold special fields, and the fields a map type does not allow (issue 10). */
class SpecialFieldsTest {

    static String map(String type, String value, String flags) {
        return "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n"
                + "struct inner { __u32 id; struct bpf_timer t; };\n"
                + "struct val { __u64 n; struct bpf_spin_lock lock; struct bpf_timer t; };\n"
                + "struct tval { __u64 n; struct bpf_timer t; };\n"
                + "struct nval { __u32 a; struct inner in; };\n"
                + "struct two { struct bpf_timer a; struct bpf_timer b; };\n"
                + "struct plain { __u64 a, b; };\n"
                + "struct {\n"
                + "    __uint(type, " + type + ");\n"
                + "    __uint(max_entries, 1024);\n"
                + "    __type(key, __u32);\n"
                + "    __type(value, " + value + ");\n"
                + (flags == null ? "" : "    __uint(map_flags, " + flags + ");\n")
                + "} m|ap SEC(\".maps\");\n";
    }

    @Test
    void hashMapHoverListsFieldsAndTheirReleaseRules() {
        hover(map("BPF_MAP_TYPE_HASH", "struct val", null)).contains(
                "**Special fields** of `struct val`", "| 8 | 4 | lock | `struct bpf_spin_lock` |",
                "| 16 | 16 | t | `struct bpf_timer` |",
                "`bpf_timer`: the timer is cancelled and freed", "`bpf_spin_lock`: nothing to release",
                "- delete: `bpf_map_delete_elem` and BPF_MAP_DELETE_ELEM\n",
                "- lookup-and-delete", "- batch delete: BPF_MAP_LOOKUP_AND_DELETE_BATCH and BPF_MAP_DELETE_BATCH",
                "an update with BPF_F_LOCK copies in place under the lock and keeps them",
                "in every preallocated element (linked, free or extra)", "bpf_timer_init/bpf_wq_init on this map fail"
                        + " with EPERM", "- map free: every field of every element",
                "User-space reads (lookup, lookup-and-delete, batch lookups) return zeros")
                .doesNotContain("LRU eviction");
    }

    @Test
    void lruHoverAddsEvictionAndEveryUpdateReplaces() {
        hover(map("BPF_MAP_TYPE_LRU_HASH", "struct tval", null)).contains("| 8 | 16 | t | `struct bpf_timer` |",
                "every update of an existing key puts a new element in", "- LRU eviction")
                .doesNotContain("BPF_F_LOCK");
    }

    @Test
    void allocatedOnDemandOnlyLinkedElementsLoseTheirTimersWithTheLastReference() {
        hover(map("BPF_MAP_TYPE_HASH", "struct tval", "BPF_F_NO_PREALLOC")).contains("cancelled and freed in the"
                + " linked elements");
    }

    @Test
    void nestedFieldsAreNamedByTheirPath() {
        hover(map("BPF_MAP_TYPE_HASH", "struct nval", null)).contains("| 16 | 16 | in.t | `struct bpf_timer` |");
    }

    @Test
    void twoTimersAreNoFieldsToTheKernel() {
        hover(map("BPF_MAP_TYPE_HASH", "struct two", null)).contains("**Special fields**: none as the kernel reads"
                + " this value").doesNotContain("**Released**");
        diagnostics(map("BPF_MAP_TYPE_HASH", "struct two", null).replace("m|ap", "map")).hasNoErrors();
    }

    @Test
    void plainValuesHaveNoSection() {
        hover(map("BPF_MAP_TYPE_HASH", "struct plain", null)).doesNotContain("Special fields");
    }

    @Test
    void fieldsTheMapTypeDoesNotAllow() {
        diagnostics(map("BPF_MAP_TYPE_PERCPU_HASH", "struct val", null).replace("m|ap", "map"))
                .has(error("htab.create.EOPNOTSUPP").onLine(13).on("__type(value, struct val)")
                        .saying("struct bpf_spin_lock (lock) is not allowed in a BPF_MAP_TYPE_PERCPU_HASH value",
                                "libbpf then retries without BTF"));
        diagnostics(map("BPF_MAP_TYPE_LRU_HASH", "struct val", null).replace("m|ap", "map"))
                .has(error("htab.create.EOPNOTSUPP").saying("BPF_MAP_TYPE_LRU_HASH"));
        diagnostics(map("BPF_MAP_TYPE_LRU_PERCPU_HASH", "struct tval", null).replace("m|ap", "map"))
                .has(error("htab.create.EOPNOTSUPP").saying("struct bpf_timer (t)"));
        diagnostics(map("BPF_MAP_TYPE_LRU_HASH", "struct tval", null).replace("m|ap", "map")).hasNoErrors();
        diagnostics(map("BPF_MAP_TYPE_HASH", "struct tval", "BPF_F_RDONLY_PROG").replace("m|ap", "map"))
                .has(error("htab.create.EACCES").onLine(14));
    }

    @Test
    void refusedMapHoverSaysSo() {
        hover(map("BPF_MAP_TYPE_PERCPU_HASH", "struct val", null)).contains("**The kernel refuses this map**"
                + " (EOPNOTSUPP)");
    }
}
