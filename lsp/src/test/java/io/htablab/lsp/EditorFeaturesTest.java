package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Completion, inlay hints and document symbols. */
class EditorFeaturesTest {

    static final String TEXT = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
            + "struct flow {\n    __u32 saddr;\n    __u8 proto;\n};\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 4);\n"
            + "    __type(key, __u32);\n    __type(value, __u64);\n} counts SEC(\".maps\");\n";

    static List<String> complete(String marked) {
        Dsl.Cursor c = Dsl.cursor(marked);
        return Dsl.service().completion(Dsl.URI, c.text(), c.line(), c.col()).stream().map(CompletionData::label).toList();
    }

    @Test
    void mapTypesAfterTypeEntry() {
        List<String> labels = complete("struct {\n    __uint(type, BPF_|\n");
        assertThat(labels).contains("BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_LRU_PERCPU_HASH", "BPF_MAP_TYPE_RINGBUF")
                .noneMatch(l -> l.startsWith("BPF_F_"));
    }

    @Test
    void flagsAfterMapFlagsEntryAndAfterABar() {
        assertThat(complete("struct {\n    __uint(map_flags, BPF_|\n")).contains("BPF_F_NO_PREALLOC", "BPF_F_NO_COMMON_LRU")
                .noneMatch(l -> l.startsWith("BPF_MAP_TYPE_"));
        assertThat(complete("struct {\n    __uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_|\n")).contains("BPF_F_ZERO_SEED");
        assertThat(complete("struct bpf_map_def SEC(\"maps\") m = {\n    .type = BPF_|\n")).contains("BPF_MAP_TYPE_HASH");
    }

    @Test
    void fieldNamesInsideUint() {
        assertThat(complete("struct {\n    __uint(max|\n")).contains("type", "max_entries", "map_flags", "key_size",
                "value_size", "pinning", "numa_node");
        assertThat(complete("struct {\n    __type(k|\n")).containsExactly("key", "value");
    }

    @Test
    void knownTypesForKeyAndValue() {
        String text = TEXT.replace("__type(key, __u32);", "__type(key, str|);");
        assertThat(complete(text)).contains("struct flow", "__u32", "__u64");
    }

    @Test
    void entriesAtTheStartOfALineInsideAStruct() {
        assertThat(complete("struct {\n    __|\n")).contains("__uint(type, ...)", "__type(key, ...)", "__uint(max_entries, ...)");
    }

    @Test
    void inlayHintsShowSizes() {
        List<InlayHintData> hints = Dsl.service().inlayHints(Dsl.URI, TEXT, new SourceRange(0, 0, 20, 0));
        TextIndex index = new TextIndex(TEXT);
        // after "counts": key 4 -> value 8, HASH max 4 memlock 1360 B
        assertThat(hints).anySatisfy(h -> {
            assertThat(index.line(h.line()).substring(0, h.col())).endsWith("} counts");
            assertThat(h.label()).isEqualTo(": 4\u21928 B, 1.3 KiB");
        });
        assertThat(hints).anySatisfy(h -> {
            assertThat(index.line(h.line()).substring(0, h.col())).endsWith("__u8 proto");
            assertThat(h.label()).isEqualTo(": 1 B @4");
        });
        assertThat(hints).anySatisfy(h -> {
            assertThat(index.line(h.line()).substring(0, h.col())).endsWith("struct flow");
            assertThat(h.label()).isEqualTo(": 8 B");
        });
    }

    @Test
    void inlayHintsCanBeTurnedOff() {
        HtabLanguageService s = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2).withInlayHints(false));
        assertThat(s.inlayHints(Dsl.URI, TEXT, new SourceRange(0, 0, 20, 0))).isEmpty();
    }

    @Test
    void outlineListsMapsAndStructs() {
        List<SymbolData> symbols = Dsl.service().symbols(Dsl.URI, TEXT);
        assertThat(symbols).extracting(SymbolData::name).containsExactly("struct flow", "counts");
        SymbolData map = symbols.get(1);
        assertThat(map.kind()).isEqualTo(SymbolData.Kind.MAP);
        assertThat(map.detail()).isEqualTo("hash, 4\u21928 B, 4 entries");
        assertThat(map.selectionRange().startLine()).isEqualTo(11);
        SymbolData struct = symbols.get(0);
        assertThat(struct.detail()).isEqualTo("8 B");
        assertThat(struct.children()).extracting(SymbolData::name).containsExactly("saddr", "proto");
        assertThat(struct.children().get(1).detail()).isEqualTo("@4, 1 B");
    }
}
