package io.htablab.hashtab.cfront;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one file into preprocessing tokens. Comments and backslash-newlines become whitespace, so a
 * directive continues over continued lines (its tokens carry no {@code bol} mark).
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

    Lexer(String text, int file, String uri, List<CDiagnostic> diags) {
        this.s = text;
        this.file = file;
        this.uri = uri;
        this.diags = diags;
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
                    while (i < n && s.charAt(i) != '\n') {
                        // a backslash-newline continues a // comment, as in C
                        if (s.charAt(i) == '\\' && i + 1 < n && s.charAt(i + 1) == '\n') {
                            i += 2;
                            newline(i);
                            continue;
                        }
                        i++;
                    }
                    space = true;
                } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                    int startLine = line, startCol = i - lineStart;
                    i += 2;
                    boolean closed = false;
                    while (i < n) {
                        char d = s.charAt(i);
                        if (d == '*' && i + 1 < n && s.charAt(i + 1) == '/') {
                            i += 2;
                            closed = true;
                            break;
                        }
                        if (d == '\n') {
                            newline(i + 1);
                        }
                        i++;
                    }
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
                Token eof = new Token(Token.EOF, "", file, line, i - lineStart, line, i - lineStart);
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
        return new Token(kind, s.substring(start, i), file, startLine, startCol, line, i - lineStart);
    }

    private Token lexOne() {
        int n = s.length();
        int start = i;
        int sl = line, sc = i - lineStart;
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
