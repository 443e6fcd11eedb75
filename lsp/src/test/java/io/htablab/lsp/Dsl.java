package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.lsp.HtabDiagnostic.Severity;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A small assertion language over {@link HtabLanguageService}, in the style of LemMinX's XMLAssert.
 *
 * <p>The cursor is written as {@code |} touching an identifier character on at least one side
 * ({@code m|ap}, {@code map|}), so flag expressions written {@code A | B} are left alone. Lines in
 * expectations are 1-based, as editors and the {@code check} command show them.
 */
final class Dsl {

    static final String URI = "file:///tmp/htab-dsl/test.bpf.c";
    /** Every figure in the tests is for 2 possible CPUs, the spec's machine. */
    static final int CPUS = 2;

    private Dsl() {
    }

    static HtabLanguageService service() {
        return new HtabLanguageService(LspSettings.defaults().withPossibleCpus(CPUS));
    }

    /** Text and 0-based cursor position of a string with a cursor marker. */
    record Cursor(String text, int line, int col) {
    }

    static Cursor cursor(String marked) {
        for (int i = 0; i < marked.length(); i++) {
            if (marked.charAt(i) != '|') {
                continue;
            }
            boolean left = i > 0 && TextIndex.isIdentifierPart(marked.charAt(i - 1));
            boolean right = i + 1 < marked.length() && TextIndex.isIdentifierPart(marked.charAt(i + 1));
            if (left || right) {
                String text = marked.substring(0, i) + marked.substring(i + 1);
                TextIndex index = new TextIndex(text);
                int line = index.lineOf(i);
                return new Cursor(text, line, i - index.offset(line, 0));
            }
        }
        throw new IllegalArgumentException("no cursor marker in: " + marked);
    }

    // ---- hover ----

    static HoverAssert hover(String marked) {
        return hover(service(), marked);
    }

    static HoverAssert hover(HtabLanguageService service, String marked) {
        Cursor c = cursor(marked);
        return new HoverAssert(service.hover(URI, c.text(), c.line(), c.col()));
    }

    static final class HoverAssert {
        private final Optional<String> markdown;

        HoverAssert(Optional<String> markdown) {
            this.markdown = markdown;
        }

        String text() {
            assertThat(markdown).as("hover").isPresent();
            return markdown.get();
        }

        HoverAssert contains(String... parts) {
            assertThat(text()).contains(parts);
            return this;
        }

        HoverAssert doesNotContain(String part) {
            assertThat(text()).doesNotContain(part);
            return this;
        }

        void isEmpty() {
            assertThat(markdown).as("hover").isEmpty();
        }
    }

    // ---- diagnostics ----

    static DiagnosticsAssert diagnostics(String text) {
        return diagnostics(service(), text);
    }

    static DiagnosticsAssert diagnostics(HtabLanguageService service, String text) {
        return new DiagnosticsAssert(text, service.diagnostics(URI, text));
    }

    /** An expected diagnostic: severity and code, optionally a 1-based line and message fragments. */
    static final class Expected {
        final Severity severity;
        final String code;
        Integer line;
        String[] fragments = new String[0];
        String onText;

        Expected(Severity severity, String code) {
            this.severity = severity;
            this.code = code;
        }

        Expected onLine(int oneBasedLine) {
            this.line = oneBasedLine;
            return this;
        }

        Expected saying(String... parts) {
            this.fragments = parts;
            return this;
        }

        /** The diagnostic's range covers exactly this text. */
        Expected on(String text) {
            this.onText = text;
            return this;
        }

        boolean matches(HtabDiagnostic d, TextIndex index) {
            if (d.severity() != severity || !d.code().equals(code)) {
                return false;
            }
            if (line != null && d.range().startLine() + 1 != line) {
                return false;
            }
            if (onText != null) {
                String covered = index.text().substring(index.offset(d.range(), false), index.offset(d.range(), true));
                if (!covered.equals(onText)) {
                    return false;
                }
            }
            for (String f : fragments) {
                if (!d.message().contains(f)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return severity + " " + code + (line == null ? "" : " on line " + line)
                    + (onText == null ? "" : " on '" + onText + "'") + " saying " + List.of(fragments);
        }
    }

    static Expected error(String code) {
        return new Expected(Severity.ERROR, code);
    }

    static Expected warning(String code) {
        return new Expected(Severity.WARNING, code);
    }

    static Expected info(String code) {
        return new Expected(Severity.INFO, code);
    }

    static final class DiagnosticsAssert {
        final String text;
        final List<HtabDiagnostic> list;
        final TextIndex index;

        DiagnosticsAssert(String text, List<HtabDiagnostic> list) {
            this.text = text;
            this.list = list;
            this.index = new TextIndex(text);
        }

        DiagnosticsAssert has(Expected... expected) {
            for (Expected e : expected) {
                if (list.stream().noneMatch(d -> e.matches(d, index))) {
                    fail("expected " + e + " among:\n" + describe());
                }
            }
            return this;
        }

        DiagnosticsAssert hasNo(String code) {
            if (list.stream().anyMatch(d -> d.code().equals(code))) {
                fail("expected no " + code + " among:\n" + describe());
            }
            return this;
        }

        DiagnosticsAssert hasNoErrors() {
            if (list.stream().anyMatch(d -> d.severity() == Severity.ERROR)) {
                fail("expected no errors among:\n" + describe());
            }
            return this;
        }

        DiagnosticsAssert isEmpty() {
            if (!list.isEmpty()) {
                fail("expected no diagnostics, got:\n" + describe());
            }
            return this;
        }

        HtabDiagnostic get(String code) {
            return list.stream().filter(d -> d.code().equals(code)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + code + " among:\n" + describe()));
        }

        String describe() {
            return list.stream().map(d -> "  " + d + " (line " + (d.range().startLine() + 1) + ")")
                    .collect(Collectors.joining("\n"));
        }
    }

    // ---- code actions ----

    static List<CodeActionData> codeActions(String marked) {
        Cursor c = cursor(marked);
        return service().codeActions(URI, c.text(), new SourceRange(c.line(), c.col(), c.line(), c.col()));
    }

    /** Applies the action whose title contains {@code titlePart} at the cursor and returns the new text. */
    static String applyAction(String marked, String titlePart) {
        Cursor c = cursor(marked);
        List<CodeActionData> actions = service().codeActions(URI, c.text(),
                new SourceRange(c.line(), c.col(), c.line(), c.col()));
        CodeActionData action = actions.stream().filter(a -> a.title().contains(titlePart)).findFirst()
                .orElseThrow(() -> new AssertionError("no action containing '" + titlePart + "' among "
                        + actions.stream().map(CodeActionData::title).toList()));
        return TextEdits.apply(c.text(), action.edits());
    }
}
