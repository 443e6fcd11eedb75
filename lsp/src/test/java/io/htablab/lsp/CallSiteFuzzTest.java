package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded random edits of programs with function bodies through the call-site features: diagnostics, quick fixes
 * (applied), hover, definition and references never throw, and every range they return lies inside the text.
 */
class CallSiteFuzzTest {

    static LongStream seeds() {
        return LongStream.range(1, 31);
    }

    static final String[] BODY_SNIPPETS = {"bpf_map_lookup_elem(&flows, &k);", "struct flow k;", "k.proto = 1;",
        "__builtin_memset(&k, 0, sizeof(k));", "= {}", "{.proto = x}", "(struct flow *)", "&", "*", "->", ".",
        "if (k.port) ", "for (int i = 0; i < 2; i++) ", "({ 0; })", "bpf_map_update_elem(&nesteds, &k, &v, 0);",
        "void *p = bpf_map_lookup_elem(&flows, &k);", "struct pairs *pp = p;", "k = (struct flow){};", "}", "{", ";"};

    @ParameterizedTest
    @MethodSource("seeds")
    void randomEditsOfBodiesNeverBreakTheCallSiteFeatures(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        HtabLanguageService service = Dsl.service();
        String text = Files.readString(ClangTools.resource("/callsites/keys.bpf.c"));
        int bodies = text.indexOf("SEC(\"xdp\")");
        try {
            for (int step = 0; step < 12; step++) {
                if (random.nextBoolean()) {
                    text = ServiceFuzzTest.edit(text, random);
                } else {
                    int at = bodies + random.nextInt(Math.max(1, text.length() - bodies));
                    at = Math.min(at, text.length());
                    text = text.substring(0, at) + " " + BODY_SNIPPETS[random.nextInt(BODY_SNIPPETS.length)] + " "
                            + text.substring(at);
                }
                check(service, text, random);
            }
        } catch (Throwable t) {
            fail("seed " + seed + " failed on text:\n" + text, t);
        }
    }

    static void check(HtabLanguageService service, String text, SplittableRandom random) {
        String uri = Dsl.URI;
        TextIndex index = new TextIndex(text);
        for (HtabDiagnostic d : service.diagnostics(uri, text)) {
            assertThat(index.isValid(d.range())).as("range of %s", d).isTrue();
        }
        for (int probe = 0; probe < 4; probe++) {
            int line = random.nextInt(index.lineCount());
            int col = random.nextInt(index.line(line).length() + 1);
            service.hover(uri, text, line, col);
            for (LocationData l : service.definition(uri, text, line, col)) {
                if (l.uri().equals(uri)) {
                    assertThat(index.isValid(l.range())).as("definition %s", l).isTrue();
                }
            }
            for (LocationData l : service.references(uri, text, line, col, random.nextBoolean())) {
                if (l.uri().equals(uri)) {
                    assertThat(index.isValid(l.range())).as("reference %s", l).isTrue();
                }
            }
            List<CodeActionData> actions = service.codeActions(uri, text, new SourceRange(line, 0, line,
                    index.line(line).length()));
            for (CodeActionData a : actions) {
                for (TextEdit e : a.edits()) {
                    assertThat(index.isValid(e.range())).as("edit %s", e).isTrue();
                }
                TextEdits.apply(text, a.edits());
            }
        }
    }
}
