package io.htablab.hashtab.cfront;

import java.nio.file.Path;

/** A file taking part in one parse: the main file, an included one, or the built-in prelude (index 0). */
final class SourceFile {
    final String uri;
    final String text;
    final Path path;
    /** Index of the include directory it was found in (for #include_next), -1 when not found through one. */
    int dirIndex = -1;
    /** Line of the file that {@link #text} starts on (a declaration read on its own from a large header). */
    int lineOffset;
    private int[] lineStarts;

    SourceFile(String uri, String text, Path path) {
        this.uri = uri;
        this.text = text;
        this.path = path;
    }

    /** The text between two positions, or null when they fall outside the file. */
    String slice(int line, int col, int endLine, int endCol) {
        int a = offset(line, col);
        int b = offset(endLine, endCol);
        if (a < 0 || b < a) {
            return null;
        }
        return text.substring(a, b);
    }

    int offset(int line, int col) {
        line -= lineOffset;
        if (lineStarts == null) {
            int count = 1;
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    count++;
                }
            }
            int[] starts = new int[count];
            int k = 1;
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    starts[k++] = i + 1;
                }
            }
            lineStarts = starts;
        }
        if (line < 0 || line >= lineStarts.length) {
            return -1;
        }
        int off = lineStarts[line] + col;
        return off > text.length() ? -1 : off;
    }
}
