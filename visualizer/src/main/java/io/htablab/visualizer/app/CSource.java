package io.htablab.visualizer.app;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.SourceRange;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns eBPF C pasted into the setup dialog into scenario statements: the type declarations as one {@code ctype}
 * line (map definitions, comments and preprocessor lines left out) and C type names as {@code btf_key=} writes them.
 * So a map from C is created with BTF, as libbpf creates it, and the session saved as {@code .hts} replays it.
 */
final class CSource {
    private CSource() {
    }

    /** What {@link #declarations} kept and what it had to leave out. */
    record Declarations(String line, List<String> dropped) {
    }

    /**
     * The source without the {@code cut} ranges (the map definitions), comments and preprocessor lines, on one line;
     * blank when nothing is left. {@code dropped} lists the preprocessor lines (their macros are not available to
     * the scenario).
     */
    static Declarations declarations(String source, List<SourceRange> cut) {
        String[] lines = source.split("\n", -1);
        StringBuilder kept = new StringBuilder();
        List<String> dropped = new ArrayList<>();
        for (int l = 0; l < lines.length; l++) {
            StringBuilder line = new StringBuilder();
            String text = lines[l];
            for (int c = 0; c < text.length(); c++) {
                if (!inside(cut, l, c)) {
                    line.append(text.charAt(c));
                }
            }
            String t = line.toString();
            if (t.strip().startsWith("#")) {
                dropped.add(t.strip());
                continue;
            }
            kept.append(t).append('\n');
        }
        String noComments = stripComments(kept.toString());
        return new Declarations(noComments.replaceAll("\\s+", " ").strip(), dropped);
    }

    private static boolean inside(List<SourceRange> ranges, int line, int col) {
        for (SourceRange r : ranges) {
            boolean afterStart = line > r.startLine() || (line == r.startLine() && col >= r.startCol());
            boolean beforeEnd = line < r.endLine() || (line == r.endLine() && col < r.endCol());
            if (afterStart && beforeEnd) {
                return true;
            }
        }
        return false;
    }

    /** C comments removed (string and character literals kept as they are). */
    static String stripComments(String s) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < s.length()) {
                    out.append(s.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                out.append(c);
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
                out.append('\n');
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 1;
                out.append(' ');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * {@code type} as {@code btf_key=}/{@code btf_value=} names it ({@code struct:flow}, {@code __u32},
     * {@code unsigned:int}), or null when it has no name to give (an anonymous struct).
     */
    static String btfName(CType type) {
        String s = type.spelling();
        if (s.contains("(anonymous") || s.contains("*") || s.contains("(")) {
            return null;
        }
        return s.replace(' ', ':');
    }
}
