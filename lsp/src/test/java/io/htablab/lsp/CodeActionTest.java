package io.htablab.lsp;

import org.junit.jupiter.api.Test;

import static io.htablab.lsp.Dsl.applyAction;
import static io.htablab.lsp.Dsl.codeActions;
import static org.assertj.core.api.Assertions.assertThat;

class CodeActionTest {

    static final String HEAD = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n";

    @Test
    void dropNoPreallocFromAnOrExpression() {
        String before = HEAD + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, 4096);\n"
                + "    __type(key, __u32);\n    __type(value, __u64);\n"
                + "    __uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED);\n} m SEC(\".maps\");\n";
        String after = HEAD + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, 4096);\n"
                + "    __type(key, __u32);\n    __type(value, __u64);\n"
                + "    __uint(map_flags, BPF_F_ZERO_SEED);\n} m SEC(\".maps\");\n";
        assertThat(applyAction(before.replace("__uint(map_flags", "__uint(map_|flags"), "Remove BPF_F_NO_PREALLOC"))
                .isEqualTo(after);
        Dsl.diagnostics(after).hasNo("htab.create.ENOTSUPP");
    }

    @Test
    void dropTheWholeLineWhenItWasTheOnlyFlag() {
        String before = HEAD + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, 4096);\n"
                + "    __type(key, __u32);\n    __type(value, __u64);\n"
                + "    __uint(map_flags, BPF_F_NO_PREALLOC);\n} m SEC(\".maps\");\n";
        String after = HEAD + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, 4096);\n"
                + "    __type(key, __u32);\n    __type(value, __u64);\n} m SEC(\".maps\");\n";
        assertThat(applyAction(before.replace("__uint(map_flags", "__uint(map_|flags"), "Remove BPF_F_NO_PREALLOC"))
                .isEqualTo(after);
    }

    @Test
    void dropNoCommonLruFromAPlainHash() {
        String before = HEAD + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 64);\n"
                + "    __type(key, __u32);\n    __type(value, __u64);\n"
                + "    __uint(map_flags, BPF_F_NO_PREALLOC|BPF_F_NO_COMMON_LRU);\n} m SEC(\".maps\");\n";
        String after = applyAction(before.replace("__uint(map_flags", "__uint(|map_flags"), "Remove BPF_F_NO_COMMON_LRU");
        assertThat(after).contains("__uint(map_flags, BPF_F_NO_PREALLOC);");
        Dsl.diagnostics(after).isEmpty();
    }

    @Test
    void legacyEntryIsRemovedWithItsComma() {
        String before = HEAD + "struct bpf_map_def SEC(\"maps\") legacy = {\n"
                + "    .type = BPF_MAP_TYPE_LRU_HASH,\n    .key_size = 4,\n    .value_size = 8,\n"
                + "    .max_entries = 4096,\n    .map_|flags = BPF_F_NO_PREALLOC,\n};\n";
        String after = applyAction(before, "Remove BPF_F_NO_PREALLOC");
        assertThat(after).doesNotContain("map_flags").contains("    .max_entries = 4096,\n};\n");
    }

    static final String PADDED = HEAD + "struct flow {\n    __u8 proto;\n    __u32 saddr;\n    __u16 port;\n    __u64 id;\n};\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 1024);\n"
            + "    __type(|key, struct flow);\n    __type(value, __u64);\n} flows SEC(\".maps\");\n";

    @Test
    void reorderFieldsReducesPaddingToTheTail() {
        // 24 B with holes 1..3 and 10..15; sorted by alignment: 15 B of members plus 1 tail byte
        String after = applyAction(PADDED, "Reorder fields of struct flow to reduce padding (9 \u2192 1 bytes)");
        assertThat(after).contains("struct flow {\n    __u64 id;\n    __u32 saddr;\n    __u16 port;\n    __u8 proto;\n};");
        Dsl.diagnostics(after).has(Dsl.warning("key.padding").saying("at bytes 15:"));
    }

    @Test
    void reorderFieldsRemovesPaddingOnOneLine() {
        String before = HEAD + "struct k { __u8 a, c; __u32 b; __u16 e; };\n"
                + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 1024);\n"
                + "    __type(|key, struct k);\n    __type(value, __u64);\n} m SEC(\".maps\");\n";
        String after = applyAction(before, "Reorder fields of struct k to remove padding");
        assertThat(after).contains("struct k { __u32 b; __u16 e; __u8 a, c; };");
        Dsl.diagnostics(after).isEmpty();
    }

    @Test
    void explicitPaddingMembersFillTheHoles() {
        // proto 0, hole 1..3, saddr 4..7, port 8..9, hole 10..15, id 16..23
        String after = applyAction(PADDED, "Add explicit padding members");
        assertThat(after).contains("struct flow {\n    __u8 proto;\n    __u8 __pad0[3];\n    __u32 saddr;\n"
                + "    __u16 port;\n    __u8 __pad1[6];\n    __u64 id;\n};");
        Dsl.diagnostics(after).hasNo("key.padding");
    }

    @Test
    void paddingActionsAreOfferedOnTheStructToo() {
        assertThat(codeActions(PADDED.replace("|key", "key").replace("__u32 saddr", "__u32 sa|ddr")))
                .extracting(CodeActionData::title)
                .contains("Reorder fields of struct flow to reduce padding (9 \u2192 1 bytes)", "Add explicit padding members to struct flow");
    }

    @Test
    void nothingToFixNothingOffered() {
        assertThat(codeActions(HEAD + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_|entries, 1024);\n"
                + "    __type(key, __u32);\n    __type(value, __u64);\n} m SEC(\".maps\");\n")).isEmpty();
    }
}
