package io.htablab.lsp;

import java.util.ArrayList;
import java.util.List;

/** Applies non-overlapping edits to a text (code actions are verified, and tested, this way). */
public final class TextEdits {

    private TextEdits() {
    }

    public static String apply(String text, List<TextEdit> edits) {
        TextIndex index = new TextIndex(text);
        List<TextEdit> sorted = new ArrayList<>(edits);
        sorted.sort((x, y) -> Integer.compare(index.offset(y.range(), false), index.offset(x.range(), false)));
        StringBuilder sb = new StringBuilder(text);
        for (TextEdit e : sorted) {
            int start = index.offset(e.range(), false);
            int end = Math.max(start, index.offset(e.range(), true));
            sb.replace(start, end, e.newText());
        }
        return sb.toString();
    }
}
