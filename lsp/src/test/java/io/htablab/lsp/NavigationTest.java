package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Go to definition and find references on the service, across a document and the header it includes. */
class NavigationTest {

    static final String HEADER = String.join("\n",
            "#pragma once",
            "struct flow { __u8 proto; __u32 addr; };",
            "typedef struct flow flow_t;",
            "struct {",
            "    __uint(type, BPF_MAP_TYPE_HASH);",
            "    __uint(max_entries, 16);",
            "    __type(key, flow_t);",
            "    __type(value, __u64);",
            "} shared_map SEC(\".maps\");",
            "static __always_inline __u64 *peek(flow_t *k)",
            "{",
            "    return bpf_map_lookup_elem(&shared_map, k);",
            "}",
            "");

    static final String MAIN = String.join("\n",
            "#include \"vmlinux.h\"",
            "#include <bpf/bpf_helpers.h>",
            "#include \"inc/shared.h\"",
            "struct {",
            "    __uint(type, BPF_MAP_TYPE_LRU_HASH);",
            "    __uint(max_entries, 64);",
            "    __type(key, struct flow);",
            "    __type(value, __u64);",
            "} local_map SEC(\".maps\");",
            "SEC(\"xdp\")",
            "int prog(struct xdp_md *ctx)",
            "{",
            "    flow_t k = {};",
            "    struct flow *p = &k;",
            "    __u64 one = 1, shared_map_hits = 0;",
            "    bpf_map_lookup_elem(&shared_map, &k);",
            "    bpf_map_update_elem(&local_map, p, &one, BPF_ANY);",
            "    if (ctx->data)",
            "        k.addr = ctx->data; /* k again */",
            "    return peek(&k) != 0;",
            "}",
            "");

    @TempDir
    Path dir;
    String uri;
    String headerUri;
    HtabLanguageService service;

    @BeforeEach
    void files() throws Exception {
        Files.createDirectories(dir.resolve("inc"));
        Path header = dir.resolve("inc/shared.h");
        Files.writeString(header, HEADER);
        Path main = dir.resolve("prog.bpf.c");
        Files.writeString(main, MAIN);
        uri = main.toUri().toString();
        headerUri = header.toUri().toString();
        service = Dsl.service();
    }

    /** 0-based position of the {@code nth} (0-based) occurrence of {@code word} on 0-based line {@code line}. */
    static int[] at(String text, int line, String word, int nth) {
        String l = text.split("\n", -1)[line];
        int col = -1;
        for (int i = 0; i <= nth; i++) {
            col = l.indexOf(word, col + 1);
        }
        assertThat(col).as("'%s' on line %d", word, line).isNotNegative();
        return new int[] {line, col + 1};
    }

    static LocationData loc(String uri, int line, int col, int endCol) {
        return new LocationData(uri, new SourceRange(line, col, line, endCol));
    }

    List<LocationData> definition(int[] p) {
        return service.definition(uri, MAIN, p[0], p[1]);
    }

    List<LocationData> references(int[] p, boolean withDeclaration) {
        return service.references(uri, MAIN, p[0], p[1], withDeclaration);
    }

    @Test
    void mapDefinedInTheHeader() {
        int[] use = at(MAIN, 15, "shared_map", 0);
        assertThat(definition(use)).containsExactly(loc(headerUri, 8, 2, 12));
        assertThat(references(use, true)).containsExactly(loc(headerUri, 8, 2, 12), loc(uri, 15, 25, 35),
                loc(headerUri, 11, 32, 42));
        // not the local named shared_map_hits, not the definition when it is not asked for
        assertThat(references(use, false)).containsExactly(loc(uri, 15, 25, 35), loc(headerUri, 11, 32, 42));
    }

    @Test
    void mapDefinedInThisFile() {
        int[] use = at(MAIN, 16, "local_map", 0);
        assertThat(definition(use)).containsExactly(loc(uri, 8, 2, 11));
        assertThat(references(at(MAIN, 8, "local_map", 0), true)).containsExactly(loc(uri, 8, 2, 11),
                loc(uri, 16, 25, 34));
    }

    @Test
    void structTagAndTypedef() {
        assertThat(definition(at(MAIN, 6, "flow", 0))).containsExactly(loc(headerUri, 1, 7, 11));
        assertThat(definition(at(MAIN, 12, "flow_t", 0))).containsExactly(loc(headerUri, 2, 20, 26));
        assertThat(references(at(MAIN, 13, "flow", 0), true)).containsExactly(loc(headerUri, 1, 7, 11),
                loc(uri, 6, 23, 27), loc(uri, 13, 11, 15), loc(headerUri, 2, 15, 19));
        assertThat(references(at(MAIN, 12, "flow_t", 0), false)).containsExactly(loc(uri, 12, 4, 10),
                loc(headerUri, 6, 16, 22), loc(headerUri, 9, 35, 41));
    }

    @Test
    void localsAndParameters() {
        int[] k = at(MAIN, 13, "k", 0);
        assertThat(definition(k)).containsExactly(loc(uri, 12, 11, 12));
        assertThat(references(k, true)).containsExactly(loc(uri, 12, 11, 12), loc(uri, 13, 22, 23),
                loc(uri, 15, 38, 39), loc(uri, 18, 8, 9), loc(uri, 19, 17, 18));
        assertThat(definition(at(MAIN, 17, "ctx", 0))).containsExactly(loc(uri, 10, 24, 27));
        assertThat(references(at(MAIN, 10, "ctx", 0), false)).containsExactly(loc(uri, 17, 8, 11),
                loc(uri, 18, 17, 20));
    }

    @Test
    void builtInsAndUnknownNamesHaveNoPlace() {
        assertThat(definition(at(MAIN, 14, "__u64", 0))).isEmpty(); // the built-in linux/types.h subset
        assertThat(definition(at(MAIN, 4, "BPF_MAP_TYPE_LRU_HASH", 0))).isEmpty();
        assertThat(definition(new int[] {11, 0})).isEmpty();
        assertThat(definition(at(MAIN, 19, "return", 0))).isEmpty();
        assertThat(references(at(MAIN, 17, "data", 0), true)).isEmpty(); // a member, not a symbol of its own
    }

    @Test
    void callSitesOnAMapFromTheHeaderAreChecked() {
        String bad = MAIN.replace("bpf_map_lookup_elem(&shared_map, &k);", "bpf_map_lookup_elem(&shared_map, &one);");
        assertThat(service.diagnostics(uri, bad)).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo("call.key.type");
            assertThat(d.range().startLine()).isEqualTo(15);
            assertThat(d.message()).contains("this key is __u64, but the key of map shared_map is flow_t (both 8 B)");
        });
    }
}
