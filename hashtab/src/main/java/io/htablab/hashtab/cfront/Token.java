package io.htablab.hashtab.cfront;

import java.util.Set;

/**
 * One preprocessing token. Its position is where it is written in file {@code file}; a token produced by
 * a macro body carries the position of the outermost macro invocation instead and {@code fromMacro} is set.
 */
final class Token {
    static final int IDENT = 0, NUMBER = 1, CHAR = 2, STRING = 3, PUNCT = 4, EOF = 5, OTHER = 6;

    final int kind;
    final String text;
    final int file;
    final int line, col, endLine, endCol;
    /** First token on its (logical) line. */
    boolean bol;
    /** Whitespace came before it (for stringizing). */
    boolean space;
    boolean fromMacro;
    /** Macros that must not expand this token again (Prosser's hide set); null when empty. */
    Set<String> hideSet;
    /** Position in the parser's token array (-1 until the parser numbers it). */
    int index = -1;

    Token(int kind, String text, int file, int line, int col, int endLine, int endCol) {
        this.kind = kind;
        this.text = text;
        this.file = file;
        this.line = line;
        this.col = col;
        this.endLine = endLine;
        this.endCol = endCol;
    }

    Token copyAt(String newText, int newKind, Token where, boolean macro) {
        Token t = new Token(newKind, newText, where.file, where.line, where.col, where.endLine, where.endCol);
        t.space = space;
        t.fromMacro = macro;
        t.hideSet = hideSet;
        return t;
    }

    Token relocate(int f, int l, int c, int el, int ec) {
        Token t = new Token(kind, text, f, l, c, el, ec);
        t.space = space;
        t.fromMacro = true;
        t.hideSet = hideSet;
        return t;
    }

    boolean is(String s) {
        return (kind == PUNCT || kind == IDENT) && text.equals(s);
    }

    boolean isIdent() {
        return kind == IDENT;
    }

    SourceRange range() {
        return new SourceRange(line, col, endLine, endCol);
    }

    @Override
    public String toString() {
        return text + "@" + line + ":" + col;
    }
}
