package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;

import java.util.Arrays;

/** Line starts of a document, for turning (line, column) into offsets and back, and finding words. */
public final class TextIndex {

    /** A C identifier under the cursor and where it is written. */
    public record Word(String text, SourceRange range) {
    }

    private final String text;
    private final int[] lineStarts;

    public TextIndex(String text) {
        this.text = text;
        int[] starts = new int[16];
        int n = 0;
        starts[n++] = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, n * 2);
                }
                starts[n++] = i + 1;
            }
        }
        this.lineStarts = Arrays.copyOf(starts, n);
    }

    public String text() {
        return text;
    }

    public int lineCount() {
        return lineStarts.length;
    }

    /** The text of a line without its line terminator ("" outside the document). */
    public String line(int line) {
        if (line < 0 || line >= lineStarts.length) {
            return "";
        }
        int start = lineStarts[line];
        int end = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length();
        while (end > start && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(start, end);
    }

    /** The offset of (line, col), clamped into the document. */
    public int offset(int line, int col) {
        if (line < 0) {
            return 0;
        }
        if (line >= lineStarts.length) {
            return text.length();
        }
        return lineStarts[line] + Math.max(0, Math.min(col, line(line).length()));
    }

    public int offset(SourceRange r, boolean end) {
        return end ? offset(r.endLine(), r.endCol()) : offset(r.startLine(), r.startCol());
    }

    /** The 0-based line holding {@code offset}. */
    public int lineOf(int offset) {
        int i = Arrays.binarySearch(lineStarts, offset);
        return i >= 0 ? i : -i - 2;
    }

    public SourceRange rangeOf(int startOffset, int endOffset) {
        int sl = lineOf(startOffset);
        int el = lineOf(endOffset);
        return new SourceRange(sl, startOffset - lineStarts[sl], el, endOffset - lineStarts[el]);
    }

    /** True when the range lies inside the document (so a client can display it). */
    public boolean isValid(SourceRange r) {
        return r.endLine() < lineStarts.length && r.startCol() <= line(r.startLine()).length()
                && r.endCol() <= line(r.endLine()).length();
    }

    /** The identifier touching the cursor (the cursor may stand just after it), or null. */
    public Word wordAt(int line, int col) {
        String l = line(line);
        if (l.isEmpty()) {
            return null;
        }
        int c = Math.max(0, Math.min(col, l.length()));
        int start = c;
        while (start > 0 && isIdentifierPart(l.charAt(start - 1))) {
            start--;
        }
        int end = c;
        while (end < l.length() && isIdentifierPart(l.charAt(end))) {
            end++;
        }
        if (start == end || Character.isDigit(l.charAt(start))) {
            return null;
        }
        return new Word(l.substring(start, end), new SourceRange(line, start, line, end));
    }

    /** The word written right before {@code col} on the line, skipping spaces (e.g. "struct" before a tag), or null. */
    public String wordBefore(int line, int col) {
        String l = line(line);
        int i = Math.min(col, l.length());
        while (i > 0 && Character.isWhitespace(l.charAt(i - 1))) {
            i--;
        }
        int end = i;
        while (i > 0 && isIdentifierPart(l.charAt(i - 1))) {
            i--;
        }
        return i == end ? null : l.substring(i, end);
    }

    public static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
