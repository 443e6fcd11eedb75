package io.htablab.hashtab.cfront;

/**
 * One preprocessed token of a function definition, as the body analysis ({@code cfront.body}) reads it.
 * A token that came out of a macro expansion is placed at the outermost macro invocation in the file and has
 * {@code fromMacro} set, so a range may cover more than the token's own text.
 *
 * @param kind      what the token is
 * @param text      its spelling after preprocessing (string and char literals with their quotes)
 * @param uri       the file it is written in (null for the built-in prelude)
 * @param range     where it is written
 * @param fromMacro whether it came out of a macro expansion
 */
public record CToken(Kind kind, String text, String uri, SourceRange range, boolean fromMacro) {

    public enum Kind { IDENT, NUMBER, CHAR, STRING, PUNCT, OTHER }

    public boolean is(String s) {
        return (kind == Kind.PUNCT || kind == Kind.IDENT) && text.equals(s);
    }

    public boolean isIdent() {
        return kind == Kind.IDENT;
    }
}
