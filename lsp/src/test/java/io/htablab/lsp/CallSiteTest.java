package io.htablab.lsp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.htablab.lsp.Dsl.applyAction;
import static io.htablab.lsp.Dsl.codeActions;
import static io.htablab.lsp.Dsl.diagnostics;
import static io.htablab.lsp.Dsl.error;
import static io.htablab.lsp.Dsl.hover;
import static io.htablab.lsp.Dsl.warning;
import static org.assertj.core.api.Assertions.assertThat;

/** Diagnostics, quick fixes and hovers on map helper calls. Line numbers are 1-based. */
class CallSiteTest {

    /** Lines 1-22: a padded key (holes 1..3 and 10..11 of 12 B), a 16 B value, a hash map, a queue. */
    static final String HEAD = "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n"
            + "struct flow { __u8 proto; __u32 addr; __u16 port; };\n"
            + "struct other { __u32 a; __u32 b; __u32 c; };\n"
            + "struct counts { __u64 packets; __u64 bytes; };\n"
            + "struct {\n"
            + "    __uint(type, BPF_MAP_TYPE_HASH);\n"
            + "    __uint(max_entries, 64);\n"
            + "    __type(key, struct flow);\n"
            + "    __type(value, struct counts);\n"
            + "} flows SEC(\".maps\");\n"
            + "struct {\n"
            + "    __uint(type, BPF_MAP_TYPE_QUEUE);\n"
            + "    __uint(max_entries, 64);\n"
            + "    __type(value, __u32);\n"
            + "} jobs SEC(\".maps\");\n"
            + "struct {\n"
            + "    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);\n"
            + "    __uint(max_entries, 64);\n"
            + "    __type(key, __u32);\n"
            + "    __type(value, __u64);\n"
            + "} hits SEC(\".maps\");\n";

    static final int FIRST = 23;

    static String prog(String... lines) {
        return HEAD + "SEC(\"xdp\")\nint prog(struct xdp_md *ctx)\n{\n" + String.join("\n", lines) + "\n    return 0;\n}\n";
    }

    /** The 1-based line of body line {@code i} (0-based) written by {@link #prog}. */
    static int line(int i) {
        return FIRST + 3 + i;
    }

    // ---- keys ----

    @Test
    void keyFilledMemberByMemberWarnsAboutItsPadding() {
        String text = prog("    struct flow k;", "    k.proto = 6;", "    k.addr = ctx->data;", "    k.port = 80;",
                "    bpf_map_lookup_elem(&flows, &k);");
        diagnostics(text).has(warning("call.key.uninit-padding").onLine(line(4)).on("&k")
                .saying("key `k` (struct flow, 12 B) is filled member by member", "padding bytes 1..3 and 10..11",
                        "bpf_map_lookup_elem misses"));
    }

    @Test
    void zeroedKeysAreQuiet() {
        for (String decl : List.of("    struct flow k = {};", "    struct flow k = {0};",
                "    struct flow k = {.proto = 6, .port = 80};")) {
            diagnostics(prog(decl, "    k.addr = ctx->data;", "    bpf_map_update_elem(&flows, &k, &(struct counts){}, 0);"))
                    .hasNo("call.key.uninit-padding").hasNo("call.key.uninit");
        }
        diagnostics(prog("    struct flow k;", "    __builtin_memset(&k, 0, sizeof(k));", "    k.addr = ctx->data;",
                "    bpf_map_delete_elem(&flows, &k);")).hasNo("call.key.uninit-padding");
        diagnostics(prog("    struct flow k;", "    memset(&k, 0, sizeof(struct flow));", "    k.addr = 1;",
                "    bpf_map_delete_elem(&flows, &k);")).hasNo("call.key.uninit-padding");
    }

    @Test
    void aKeyFilledByAnotherFunctionIsNotJudged() {
        diagnostics(prog("    struct flow k;", "    bpf_probe_read_kernel(&k, sizeof(k), (void *)ctx->data);",
                "    bpf_map_lookup_elem(&flows, &k);")).hasNo("call.key.uninit-padding").hasNo("call.key.uninit");
    }

    @Test
    void anEarlierLookupDoesNotCountAsWritingTheKey() {
        String text = prog("    struct flow k;", "    k.proto = 1;", "    bpf_map_lookup_elem(&flows, &k);",
                "    bpf_map_delete_elem(&flows, &k);");
        HtabDiagnostic second = diagnostics(text).list.stream()
                .filter(d -> d.code().equals("call.key.uninit-padding") && d.range().startLine() + 1 == line(3))
                .findFirst().orElseThrow();
        assertThat(second.message()).contains("bpf_map_delete_elem misses the element it should delete");
    }

    @Test
    void designatedInitialiserWithRuntimeValuesLeavesPadding() {
        diagnostics(prog("    struct flow k = {.proto = 6, .addr = ctx->data};", "    bpf_map_update_elem(&flows, &k, &(struct counts){}, 0);"))
                .has(warning("call.key.uninit-padding").onLine(line(1))
                        .saying("initialised with run-time values", "stores an element that a lookup with a properly zeroed key never finds"));
    }

    @Test
    void keyNeverWrittenAtAll() {
        diagnostics(prog("    __u32 pid;", "    bpf_map_lookup_elem(&hits, &pid);"))
                .has(warning("call.key.uninit").onLine(line(1)).on("&pid").saying("never written"));
    }

    @Test
    void keyOfTheWrongSizeOrType() {
        String text = prog("    __u32 small = 1;", "    struct other o = {};", "    char big[32] = {};",
                "    bpf_map_lookup_elem(&flows, &small);", "    bpf_map_lookup_elem(&flows, &o);",
                "    bpf_map_lookup_elem(&flows, big);", "    bpf_map_lookup_elem(&flows, (void *)&o);");
        diagnostics(text)
                .has(error("call.key.size").onLine(line(3)).on("&small")
                        .saying("reads 12 bytes (key_size of map flows, struct flow)", "__u32 (4 B)", "8 bytes after it"))
                .has(warning("call.key.type").onLine(line(4)).on("&o")
                        .saying("this key is struct other, but the key of map flows is struct flow (both 12 B)"))
                .has(warning("call.key.size").onLine(line(5)).on("big").saying("char[32] (32 B)", "only its first 12"))
                .has(warning("call.key.type").onLine(line(6)).on("(void *)&o"));
    }

    @Test
    void integerKeysOfTheSameSizeAreTheSameKey() {
        diagnostics(prog("    int pid = 7;", "    bpf_map_lookup_elem(&hits, &pid);", "    unsigned int u = 1;",
                "    bpf_map_delete_elem(&hits, &u);")).hasNo("call.key.type").hasNo("call.key.size");
    }

    @Test
    void keyThroughAPointerParameter() {
        String text = HEAD + "static int drop(struct other *o, struct flow *f)\n{\n"
                + "    bpf_map_delete_elem(&flows, o);\n    return bpf_map_delete_elem(&flows, f);\n}\n";
        diagnostics(text).has(warning("call.key.type").onLine(FIRST + 2).on("o")).hasNo("call.key.uninit-padding");
    }

    // ---- values ----

    @Test
    void valueArgumentOfTheWrongSize() {
        diagnostics(prog("    struct flow k = {};", "    __u64 one = 1;", "    bpf_map_update_elem(&flows, &k, &one, BPF_ANY);",
                "    __u32 j = 1;", "    __u64 wide = 2;", "    bpf_map_push_elem(&jobs, &wide, 0);",
                "    bpf_map_push_elem(&jobs, &j, 0);"))
                .has(error("call.value.size").onLine(line(2)).on("&one")
                        .saying("reads 16 bytes (value_size of map flows, struct counts)", "__u64 (8 B)"))
                .has(warning("call.value.size").onLine(line(5)).on("&wide").saying("only its first 4"));
    }

    @Test
    void popWritesIntoTheValue() {
        diagnostics(prog("    __u16 small;", "    bpf_map_pop_elem(&jobs, &small);"))
                .has(error("call.value.size").onLine(line(1)).saying("writes 4 bytes", "overwritten"));
    }

    @Test
    void lookupResultUsedAsAnotherType() {
        String text = prog("    struct flow k = {};", "    __u64 *p = bpf_map_lookup_elem(&flows, &k);",
                "    struct other *o = (struct other *)bpf_map_lookup_elem(&flows, &k);",
                "    void *raw;", "    raw = bpf_map_lookup_elem(&flows, &k);", "    struct flow *f = raw;",
                "    struct counts *c = bpf_map_lookup_elem(&flows, &k);", "    char *bytes = bpf_map_lookup_elem(&flows, &k);");
        diagnostics(text)
                .has(warning("call.value.type").onLine(line(1)).on("p")
                        .saying("stored in `p`, a __u64 *", "the value of map flows is struct counts (16 B)"))
                .has(warning("call.value.type").onLine(line(2)).on("(struct other *)bpf_map_lookup_elem(&flows, &k)"))
                .has(warning("call.value.type").onLine(line(5)).on("f").saying("stored in `f`, a struct flow *"));
        assertThat(diagnostics(text).list).filteredOn(d -> d.code().equals("call.value.type")).hasSize(3);
    }

    @Test
    void aPointerToTheFirstElementOfAnArrayValueIsFine() {
        String text = HEAD.replace("} hits SEC(\".maps\");\n", "} hits SEC(\".maps\");\n"
                + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 8);\n"
                + "    __type(key, __u32);\n    __type(value, __u64[16]);\n} hist SEC(\".maps\");\n")
                + "SEC(\"xdp\")\nint prog(struct xdp_md *ctx)\n{\n    __u32 id = 0;\n"
                + "    __u64 *slots = bpf_map_lookup_elem(&hist, &id);\n    __u32 *wrong = bpf_map_lookup_elem(&hist, &id);\n"
                + "    return 0;\n}\n";
        assertThat(diagnostics(text).list).filteredOn(d -> d.code().equals("call.value.type"))
                .singleElement().satisfies(d -> assertThat(d.message()).contains("stored in `wrong`"));
    }

    @Test
    void readingPastTheValue() {
        diagnostics(prog("    __u32 id = 0;", "    struct counts *c = bpf_map_lookup_elem(&hits, &id);"))
                .has(warning("call.value.type").onLine(line(1)).saying("the values of map hits are 8 B",
                        "runs past the value"));
    }

    // ---- helpers the verifier refuses ----

    @Test
    void helpersThatTheMapTypeDoesNotTake() {
        diagnostics(prog("    __u32 v = 1;", "    struct flow k = {};", "    bpf_map_push_elem(&flows, &v, 0);",
                "    bpf_map_lookup_elem(&jobs, &v);", "    bpf_map_lookup_percpu_elem(&flows, &k, 0);",
                "    bpf_map_lookup_percpu_elem(&hits, &v, 1);"))
                .has(error("call.map.helper").onLine(line(2)).on("bpf_map_push_elem")
                        .saying("works only on queue, stack and Bloom filter maps"))
                .has(error("call.map.helper").onLine(line(3)).saying("queue maps take only bpf_map_push_elem"))
                .has(error("call.map.helper").onLine(line(4)).saying("percpu_hash, percpu_array and lru_percpu_hash"));
        assertThat(diagnostics(prog("    __u32 v = 1;", "    bpf_map_lookup_percpu_elem(&hits, &v, 1);")).list)
                .noneMatch(d -> d.code().startsWith("call."));
    }

    @Test
    void libbpfToolsLookupOrTryInitAndLookupAndDelete() {
        String text = "static __always_inline void *bpf_map_lookup_or_try_init(void *map, const void *key,"
                + " const void *init)\n{\n    void *val = bpf_map_lookup_elem(map, key);\n    if (val)\n"
                + "        return val;\n    bpf_map_update_elem(map, key, init, BPF_NOEXIST);\n"
                + "    return bpf_map_lookup_elem(map, key);\n}\n";
        String program = HEAD.replace("} hits SEC(\".maps\");\n", "} hits SEC(\".maps\");\n" + text)
                + "SEC(\"xdp\")\nint prog(struct xdp_md *ctx)\n{\n    __u32 id = 1;\n    __u32 small = 0;\n"
                + "    struct flow k = {};\n    struct counts zero = {};\n"
                + "    __u32 *c = bpf_map_lookup_or_try_init(&flows, &k, &small);\n"
                + "    bpf_map_lookup_and_delete_elem(&hits, &id, &small);\n    return 0;\n}\n";
        int call = FIRST + 8 + 7; // the wrapper's 8 lines, then 7 lines of the program before the call
        diagnostics(program)
                .has(error("call.value.size").onLine(call).on("&small").saying("bpf_map_lookup_or_try_init reads 16 bytes"))
                .has(warning("call.value.type").onLine(call).on("c").saying("stored in `c`, a __u32 *"))
                .has(error("call.value.size").onLine(call + 1).saying("bpf_map_lookup_and_delete_elem writes 8 bytes"));
    }

    // ---- macros, inner maps, headers ----

    @Test
    void callsThroughMacrosAreChecked() {
        String text = "#define LOOKUP(m, k) bpf_map_lookup_elem(&(m), &(k))\n" + prog("    __u32 small = 0;",
                "    LOOKUP(flows, small);");
        diagnostics(text).has(error("call.key.size").onLine(line(1) + 1).saying("__u32 (4 B)"));
    }

    @Test
    void innerMapOfAMapOfMaps() {
        String text = HEAD + "struct inner {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 8);\n"
                + "    __type(key, __u64);\n    __type(value, __u32);\n};\n"
                + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);\n    __uint(max_entries, 4);\n"
                + "    __type(key, __u32);\n    __array(values, struct inner);\n} outer SEC(\".maps\");\n"
                + "SEC(\"xdp\")\nint prog(struct xdp_md *ctx)\n{\n    __u32 i = 0;\n"
                + "    void *in = bpf_map_lookup_elem(&outer, &i);\n    if (!in)\n        return 0;\n"
                + "    bpf_map_lookup_elem(in, &i);\n    return 0;\n}\n";
        diagnostics(text).has(error("call.key.size").onLine(FIRST + 19).on("&i").saying("reads 8 bytes"))
                .hasNo("call.value.type");
    }

    // ---- quick fixes ----

    static final String FILLED = prog("    struct flow k;", "    if (ctx->data)", "        k.proto = 6;",
            "    k.addr = ctx->data;", "    k.port = 80;", "    bpf_map_lookup_elem(&flows, &|k);");

    @Test
    void memsetIsInsertedBeforeTheStatementThatFirstWritesTheKey() {
        String after = applyAction(FILLED, "Zero `k` with __builtin_memset");
        assertThat(after).contains("    struct flow k;\n    __builtin_memset(&k, 0, sizeof(k));\n    if (ctx->data)\n"
                + "        k.proto = 6;\n");
        diagnostics(after).hasNo("call.key.uninit-padding");
    }

    @Test
    void emptyInitialiserOnTheDeclaration() {
        String after = applyAction(FILLED, "Initialise `k` with = {}");
        assertThat(after).contains("    struct flow k = {};\n    if (ctx->data)\n");
        diagnostics(after).hasNo("call.key.uninit-padding");
    }

    @Test
    void runtimeInitialiserBecomesMemberStores() {
        String text = prog("    struct flow k = {.proto = 6, .addr = ctx->data};", "    bpf_map_lookup_elem(&flows, &|k);");
        assertThat(codeActions(text)).extracting(CodeActionData::title)
                .containsExactly("Initialise `k` with = {} and member stores");
        String after = applyAction(text, "and member stores");
        assertThat(after).contains("    struct flow k = {};\n    k.proto = 6;\n    k.addr = ctx->data;\n"
                + "    bpf_map_lookup_elem(&flows, &k);");
        diagnostics(after).hasNo("call.key.uninit-padding").hasNoErrors();
    }

    @Test
    void positionalInitialiserBecomesMemberStoresInLayoutOrder() {
        String after = applyAction(prog("    struct flow k = {ctx->data, 1, 2};", "    bpf_map_lookup_elem(&flows, &|k);"),
                "and member stores");
        assertThat(after).contains("    struct flow k = {};\n    k.proto = ctx->data;\n    k.addr = 1;\n    k.port = 2;\n");
    }

    @Test
    void neverWrittenKeyGetsTheInitialiser() {
        String after = applyAction(prog("    __u32 pid;", "    bpf_map_lookup_elem(&hits, &p|id);"), "Initialise `pid`");
        assertThat(after).contains("    __u32 pid = {};\n");
        diagnostics(after).hasNo("call.key.uninit");
    }

    @Test
    void noFixWhereTheEditCannotBeMadeSafely() {
        // one declaration for two locals: "= {}" would have to pick one; the memset still works
        assertThat(codeActions(prog("    struct flow a, k;", "    k.proto = 1;", "    bpf_map_lookup_elem(&flows, &|k);")))
                .extracting(CodeActionData::title).containsExactly("Zero `k` with __builtin_memset before it is filled");
    }

    // ---- hover ----

    @Test
    void hoverOnACallShowsTheMapsKeyAndValueLayout() {
        hover(prog("    struct flow k = {};", "    bpf_map_lookup_|elem(&flows, &k);"))
                .contains("### `bpf_map_lookup_elem` on map `flows`", "Looks the key up", "| key | `struct flow`, 12 B;"
                        + " padding at bytes 1..3 and 10..11", "**Key layout** `struct flow`", "| 1..3 | 3 | _padding_ |",
                        "**Value layout** `struct counts`");
        hover(prog("    __u32 v = 0;", "    bpf_map_|push_elem(&flows, &v, 0);"))
                .contains("**The verifier refuses this call**").doesNotContain("**Key layout**");
    }

    @Test
    void hoverOnAMapUseInABody() {
        hover(prog("    __u32 v = 0;", "    bpf_map_push_elem(&jo|bs, &v, 0);")).contains("map `jobs`", "BPF_MAP_TYPE_QUEUE");
    }
}
