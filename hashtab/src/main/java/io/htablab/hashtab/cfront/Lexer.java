package io.htablab.hashtab.cfront;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one file into preprocessing tokens. Translation phase 2 comes first: every backslash-newline
 * (clang also accepts blanks between the two) is spliced away, wherever it is, so an identifier, number,
 * string or {@code //} comment continues on the next line and a directive continues over continued lines
 * (its tokens carry no {@code bol} mark). Positions stay those of the file as written: a token split by a
 * splice starts where its first character is and ends just after its last one.
 */
final class Lexer {
    private static final String[] PUNCT3 = {"...", "<<=", ">>="};
    private static final String[] PUNCT2 = {"->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=",
        "%=", "+=", "-=", "&=", "^=", "|=", "##"};

    private final String s;
    private final int file;
    private final List<CDiagnostic> diags;
    private final String uri;
    private int i;
    private int line;
    private int lineStart;
    /** Spliced text only: original offset of each character of {@link #s} (plus one past the end). */
    private final int[] orig;
    /** Spliced text only: start offsets of the original lines. */
    private final int[] origLineStarts;

    /** First line of {@code text} in its file (a slice of a file starts on its own line there). */
    private final int lineOffset;

    Lexer(String text, int file, String uri, List<CDiagnostic> diags) {
        this(text, file, uri, diags, 0);
    }

    Lexer(String text, int file, String uri, List<CDiagnostic> diags, int lineOffset) {
        this.lineOffset = lineOffset;
        this.line = lineOffset;
        this.file = file;
        this.uri = uri;
        this.diags = diags;
        int first = firstSplice(text, 0);
        if (first < 0) {
            this.s = text;
            this.orig = null;
            this.origLineStarts = null;
        } else {
            // phase 2 on a copy; the offset map keeps diagnostics on the lines the user wrote
            StringBuilder sb = new StringBuilder(text.length());
            int[] map = new int[text.length() + 1];
            int k = 0;
            int at = 0;
            int next = first;
            while (at < text.length()) {
                if (at == next) {
                    at = spliceEnd(text, at);
                    next = firstSplice(text, at);
                    continue;
                }
                sb.append(text.charAt(at));
                map[k++] = at;
                at++;
            }
            map[k] = text.length();
            this.s = sb.toString();
            this.orig = java.util.Arrays.copyOf(map, k + 1);
            int lines = 1;
            for (int j = 0; j < text.length(); j++) {
                if (text.charAt(j) == '\n') {
                    lines++;
                }
            }
            int[] starts = new int[lines];
            int li = 1;
            for (int j = 0; j < text.length(); j++) {
                if (text.charAt(j) == '\n') {
                    starts[li++] = j + 1;
                }
            }
            this.origLineStarts = starts;
        }
    }

    /** Offset of the next backslash that starts a line splice (backslash, blanks, newline), or -1. */
    private static int firstSplice(String t, int from) {
        int b = t.indexOf('\\', from);
        while (b >= 0) {
            if (spliceEnd(t, b) > b) {
                return b;
            }
            b = t.indexOf('\\', b + 1);
        }
        return -1;
    }

    /** Just past the newline of the splice starting at backslash {@code b}, or {@code b} when it is none. */
    private static int spliceEnd(String t, int b) {
        int j = b + 1;
        while (j < t.length() && (t.charAt(j) == ' ' || t.charAt(j) == '\t' || t.charAt(j) == '\f')) {
            j++;
        }
        if (j < t.length() && t.charAt(j) == '\r') {
            j++;
        }
        return j < t.length() && t.charAt(j) == '\n' ? j + 1 : b;
    }

    /** Original line of working offset {@code at} (exclusive end offsets map to just past the previous char). */
    private int origLine(int off) {
        int lo = 0, hi = origLineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (origLineStarts[mid] <= off) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private int startLineAt(int at) {
        return orig == null ? line : origLine(orig[at]) + lineOffset;
    }

    private int startColAt(int at) {
        return orig == null ? at - lineStart : orig[at] - origLineStarts[origLine(orig[at])];
    }

    List<Token> run() {
        List<Token> out = new ArrayList<>(s.length() / 4 + 4);
        boolean bol = true;
        boolean space = false;
        int n = s.length();
        while (true) {
            // whitespace and comments
            while (i < n) {
                char c = s.charAt(i);
                if (c == '\n') {
                    newline(i + 1);
                    i++;
                    bol = true;
                    space = false;
                } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0b) {
                    i++;
                    space = true;
                } else if (c == '\\' && i + 1 < n && (s.charAt(i + 1) == '\n'
                        || (s.charAt(i + 1) == '\r' && i + 2 < n && s.charAt(i + 2) == '\n'))) {
                    i += s.charAt(i + 1) == '\n' ? 2 : 3;
                    newline(i);
                    space = true;
                } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                    // splices are gone (phase 2), so the comment ends at the newline; indexOf is the fast scan
                    int eol = s.indexOf('\n', i);
                    i = eol < 0 ? n : eol;
                    space = true;
                } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                    int startLine = startLineAt(i), startCol = startColAt(i);
                    int close = s.indexOf("*/", i + 2);
                    boolean closed = close >= 0;
                    int stop = closed ? close : n;
                    for (int nl = s.indexOf('\n', i + 2); nl >= 0 && nl < stop; nl = s.indexOf('\n', nl + 1)) {
                        newline(nl + 1);
                    }
                    i = closed ? close + 2 : n;
                    if (!closed) {
                        diags.add(new CDiagnostic(CDiagnostic.Severity.ERROR, "syntax", "unterminated /* comment", uri,
                                new SourceRange(startLine, startCol, startLine, startCol + 2)));
                    }
                    space = true;
                } else {
                    break;
                }
            }
            if (i >= n) {
                int el = startLineAt(i), ec = startColAt(i);
                Token eof = new Token(Token.EOF, "", file, el, ec, el, ec);
                eof.bol = true;
                out.add(eof);
                return out;
            }
            Token t = lexOne();
            t.bol = bol;
            t.space = space;
            bol = false;
            space = false;
            out.add(t);
        }
    }

    private void newline(int next) {
        line++;
        lineStart = next;
    }

    private Token make(int kind, int start, int startLine, int startCol) {
        if (orig == null) {
            return new Token(kind, s.substring(start, i), file, startLine, startCol, line, i - lineStart);
        }
        int endOff = i > start ? orig[i - 1] + 1 : orig[i];
        int el = origLine(endOff);
        return new Token(kind, s.substring(start, i), file, startLine, startCol, el + lineOffset,
                endOff - origLineStarts[el]);
    }

    private Token lexOne() {
        int n = s.length();
        int start = i;
        int sl = startLineAt(i), sc = startColAt(i);
        char c = s.charAt(i);
        if (isIdentStart(c)) {
            i++;
            while (i < n && isIdentPart(s.charAt(i))) {
                i++;
            }
            // wide/UTF prefixes of string and char literals
            if (i < n && (s.charAt(i) == '\'' || s.charAt(i) == '"')) {
                String p = s.substring(start, i);
                if (p.equals("L") || p.equals("u") || p.equals("U") || p.equals("u8")) {
                    return quoted(s.charAt(i), start, sl, sc);
                }
            }
            return make(Token.IDENT, start, sl, sc);
        }
        if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
            i++;
            while (i < n) {
                char d = s.charAt(i);
                if ((d == '+' || d == '-') && "eEpP".indexOf(s.charAt(i - 1)) >= 0) {
                    i++;
                } else if (Character.isLetterOrDigit(d) || d == '.' || d == '_' || d == '\'') {
                    i++;
                } else {
                    break;
                }
            }
            return make(Token.NUMBER, start, sl, sc);
        }
        if (c == '"' || c == '\'') {
            return quoted(c, start, sl, sc);
        }
        if (c < 128 && "<>.-+&|=!*/%^#".indexOf(c) < 0) {
            i++;
            return make("[](){}.&*+-~!/%<>^|?:;=,#".indexOf(c) >= 0 ? Token.PUNCT : Token.OTHER, start, sl, sc);
        }
        for (String p : PUNCT3) {
            if (s.startsWith(p, i)) {
                i += 3;
                return make(Token.PUNCT, start, sl, sc);
            }
        }
        for (String p : PUNCT2) {
            if (s.startsWith(p, i)) {
                i += 2;
                return make(Token.PUNCT, start, sl, sc);
            }
        }
        i++;
        if (Character.isHighSurrogate(c) && i < n) {
            i++;
        }
        return make("[](){}.&*+-~!/%<>^|?:;=,#".indexOf(c) >= 0 ? Token.PUNCT : Token.OTHER, start, sl, sc);
    }

    private static boolean isIdentStart(char c) {
        if (c < 128) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
        }
        return Character.isLetter(c);
    }

    private static boolean isIdentPart(char c) {
        if (c < 128) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
        }
        return Character.isLetterOrDigit(c);
    }

    private Token quoted(char q, int start, int sl, int sc) {
        int n = s.length();
        i++;
        while (i < n && s.charAt(i) != q && s.charAt(i) != '\n') {
            if (s.charAt(i) == '\\' && i + 1 < n) {
                if (s.charAt(i + 1) == '\n') {
                    i += 2;
                    newline(i);
                    continue;
                }
                i++;
            }
            i++;
        }
        if (i < n && s.charAt(i) == q) {
            i++;
        } else {
            diags.add(new CDiagnostic(CDiagnostic.Severity.ERROR, "syntax",
                    "missing terminating " + q + " character", uri, new SourceRange(sl, sc, sl, sc + 1)));
        }
        return make(q == '"' ? Token.STRING : Token.CHAR, start, sl, sc);
    }
}
