package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded random edits of C sources through every feature: nothing throws, every range (diagnostic, hint,
 * symbol, code-action edit) lies inside the edited text.
 */
class ServiceFuzzTest {

    static final String BASE = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
            + "#define MAX (1 << 10)\n"
            + "struct flow {\n    __u32 saddr;\n    __u8 proto;\n    __u32 daddr : 12, flags : 4;\n    __u64 id;\n};\n"
            + "typedef struct { __u16 port; __u8 x[3]; } port_t;\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, MAX);\n"
            + "    __type(key, struct flow);\n    __type(value, port_t);\n"
            + "    __uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU);\n} flows SEC(\".maps\");\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);\n    __uint(max_entries, 100000);\n"
            + "    __type(key, port_t);\n    __type(value, char[4096]);\n} big SEC(\".maps\");\n"
            + "struct bpf_map_def SEC(\"maps\") legacy = {\n    .type = BPF_MAP_TYPE_HASH,\n    .key_size = 4,\n"
            + "    .value_size = 8,\n    .max_entries = 0,\n};\n";

    static final String[] SNIPPETS = {"{", "}", ";", "(", ")", "|", ",", "__uint(", "__type(key, ", "struct ",
            "BPF_F_NO_PREALLOC", "BPF_MAP_TYPE_HASH", "#define X ", "#if 1\n", "#endif\n", "\n", "/*", "*/", "\"",
            "[", "]", ":", "0x", "<<", "sizeof(", "SEC(\".maps\")", "\u00e9", "\t", "\r\n", "typedef ", "__attribute__((packed))"};

    static LongStream seeds() {
        return LongStream.range(1, 41);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomEditsNeverBreakTheService(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(1 + random.nextInt(8)));
        String text = BASE;
        try {
            for (int step = 0; step < 25; step++) {
                text = edit(text, random);
                check(service, text, random);
            }
        } catch (Throwable t) {
            fail("seed " + seed + " failed on text:\n" + text, t);
        }
    }

    static String edit(String text, SplittableRandom random) {
        int at = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
        switch (random.nextInt(4)) {
            case 0 -> {
                int end = Math.min(text.length(), at + random.nextInt(12));
                return text.substring(0, at) + text.substring(end);
            }
            case 1 -> {
                return text.substring(0, at) + SNIPPETS[random.nextInt(SNIPPETS.length)] + text.substring(at);
            }
            case 2 -> {
                char c = (char) (32 + random.nextInt(95));
                return text.substring(0, at) + c + text.substring(at);
            }
            default -> {
                int end = Math.min(text.length(), at + random.nextInt(40));
                int to = random.nextInt(text.length() + 1);
                String piece = text.substring(at, end);
                return text.substring(0, to) + piece + text.substring(to);
            }
        }
    }

    static void check(HtabLanguageService service, String text, SplittableRandom random) {
        String uri = Dsl.URI;
        TextIndex index = new TextIndex(text);
        List<HtabDiagnostic> diagnostics = service.diagnostics(uri, text);
        for (HtabDiagnostic d : diagnostics) {
            assertThat(index.isValid(d.range())).as("range of %s", d).isTrue();
            assertThat(d.code()).as("the front end crashed or hung: %s", d).isNotIn("cfront.crash", "cfront.timeout");
        }
        int line = random.nextInt(index.lineCount() + 1);
        int col = random.nextInt(index.line(line).length() + 2);
        service.hover(uri, text, line, col);
        service.completion(uri, text, line, col);
        SourceRange all = new SourceRange(0, 0, index.lineCount(), 0);
        for (InlayHintData h : service.inlayHints(uri, text, all)) {
            assertThat(index.isValid(new SourceRange(h.line(), h.col(), h.line(), h.col()))).as("hint %s", h).isTrue();
        }
        for (SymbolData s : service.symbols(uri, text)) {
            assertThat(index.isValid(s.range()) && index.isValid(s.selectionRange())).as("symbol %s", s).isTrue();
        }
        SourceRange here = new SourceRange(line, 0, line, 0);
        for (CodeActionData a : service.codeActions(uri, text, here)) {
            for (TextEdit e : a.edits()) {
                assertThat(index.isValid(e.range())).as("edit %s", e).isTrue();
            }
            TextEdits.apply(text, a.edits());
        }
    }
}
