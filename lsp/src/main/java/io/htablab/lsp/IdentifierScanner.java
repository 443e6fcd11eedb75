package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds every occurrence of one identifier in C text, outside comments and string/character literals, with the
 * token written before it ({@code struct}, {@code .}, {@code ->}, ...) so callers can tell a tag from a variable
 * or a member. Text level on purpose: it also sees uses in inactive {@code #if} branches and macro bodies, which
 * a references search should list.
 */
final class IdentifierScanner {

    /** One occurrence: where it is and the significant token before it ("" at the start of the text). */
    record Occurrence(SourceRange range, String previous) {
    }

    private IdentifierScanner() {
    }

    /** A line ends at '\n' and at a '\r' not followed by '\n', as {@link TextIndex} counts lines. */
    private static boolean isLineEnd(String text, int i) {
        char c = text.charAt(i);
        return c == '\n' || c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n');
    }

    static List<Occurrence> find(String text, String name) {
        List<Occurrence> out = new ArrayList<>();
        if (text == null || name == null || name.isEmpty() || !text.contains(name)) {
            return out;
        }
        int n = text.length();
        int line = 0;
        int lineStart = 0;
        String previous = "";
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (isLineEnd(text, i)) {
                line++;
                lineStart = i + 1;
                i++;
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                while (i < n && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                i += 2;
                while (i < n && !(text.charAt(i) == '*' && i + 1 < n && text.charAt(i + 1) == '/')) {
                    if (isLineEnd(text, i)) {
                        line++;
                        lineStart = i + 1;
                    }
                    i++;
                }
                i = Math.min(n, i + 2);
                continue;
            }
            if (c == '"' || c == '\'') {
                i++;
                while (i < n && text.charAt(i) != c && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    i += text.charAt(i) == '\\' && i + 1 < n && text.charAt(i + 1) != '\n' ? 2 : 1;
                }
                if (i < n && text.charAt(i) == c) {
                    i++;
                }
                previous = "\"";
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (TextIndex.isIdentifierPart(c)) {
                int start = i;
                while (i < n && TextIndex.isIdentifierPart(text.charAt(i))) {
                    i++;
                }
                String word = text.substring(start, i);
                if (word.equals(name) && !Character.isDigit(c)) {
                    out.add(new Occurrence(new SourceRange(line, start - lineStart, line, i - lineStart), previous));
                }
                previous = word;
                continue;
            }
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '>') {
                previous = "->";
                i += 2;
                continue;
            }
            previous = String.valueOf(c);
            i++;
        }
        return out;
    }
}
