package io.htablab.hashtab.cfront;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Translation phase 2 (backslash-newline splicing) everywhere, with positions in the file as written. */
class LineSpliceTest {

    private static CFrontResult parse(String text) {
        return CFront.parse("untitled:splice.c", text);
    }

    @Test
    void anIdentifierSplitAcrossLinesIsOneNameSpanningBothLines() {
        CFrontResult r = parse("#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "struct { __uint(type, BPF_MAP_TYPE_\\\nHASH); __uint(max_entries, 1\\\n6); __type(key, __u32);"
                + " __type(value, __u64); } fl\\\nows SEC(\".maps\");\n");
        MapDefinition m = r.map("flows");
        assertThat(m).isNotNull();
        assertThat(m.mapType()).hasValue(1);
        assertThat(m.maxEntries()).hasValue(16);
        // "fl\" ends line 3 (0-based), "ows" starts line 4: the name's range covers both as written
        assertThat(m.nameRange().startLine()).isEqualTo(4);
        assertThat(m.nameRange().endLine()).isEqualTo(5);
        assertThat(m.nameRange().endCol()).isEqualTo(3);
    }

    @Test
    void diagnosticsAfterSplicedLinesStayOnTheirOwnLines() {
        CFrontResult r = parse("#define A 1 + \\\n   2\n/* x */ int a[A \\\n + UNDEFINED_X];\nint b[UNDEFINED_Y];\n");
        assertThat(r.diagnostics()).anySatisfy(d -> {
            assertThat(d.message()).contains("UNDEFINED_X");
            assertThat(d.range().startLine()).isEqualTo(3);
            assertThat(d.range().startCol()).isEqualTo(3);
        });
        assertThat(r.diagnostics()).anySatisfy(d -> {
            assertThat(d.message()).contains("UNDEFINED_Y");
            assertThat(d.range()).isEqualTo(new SourceRange(4, 6, 4, 17));
        });
        assertThat(r.macros().get("A").body()).isEqualTo("1 + 2");
    }

    @Test
    void aSpliceInsideALineCommentContinuesTheCommentAndBlanksBeforeTheNewlineStillSplice() {
        CFrontResult r = parse("// comment \\\nstruct hidden { int x; };\nstruct vis\\  \nible { long y; };\n"
                + "char s[] = \"ab\\\ncd\";\n");
        assertThat(r.types().struct("hidden")).isNull();
        assertThat(r.types().struct("visible")).isNotNull();
        assertThat(r.types().struct("visible").nameRange().startLine()).isEqualTo(2);
    }

    @Test
    void crlfSplicesToo() {
        CFrontResult r = parse("struct sp\\\r\nlit { int a; };\r\nstruct after { char c; };\r\n");
        assertThat(r.types().struct("split")).isNotNull();
        assertThat(r.types().struct("after").nameRange()).isEqualTo(new SourceRange(2, 7, 2, 12));
    }
}
