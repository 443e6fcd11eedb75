package io.htablab.hashtab.cfront;

import java.util.List;

/**
 * A function definition as the parser saw it. The parser does not read bodies; it hands their preprocessed tokens
 * to whoever wants them (the body analysis in {@code cfront.body}).
 *
 * @param name       the function's name
 * @param uri        the file it is defined in
 * @param nameRange  where the name is written
 * @param type       its type (return and parameter types, resolved at the definition)
 * @param header     the tokens between the name and the body: the parameter list (with its parentheses) and any
 *                   attributes
 * @param body       the body's tokens from its opening brace through its closing brace
 */
public record FunctionDefinition(String name, String uri, SourceRange nameRange, CType.FuncType type,
                                 List<CToken> header, List<CToken> body) {

    /** From the opening brace to the closing one (NONE for an empty token list). */
    public SourceRange bodyRange() {
        if (body.isEmpty()) {
            return SourceRange.NONE;
        }
        SourceRange first = body.get(0).range();
        SourceRange last = body.get(body.size() - 1).range();
        return first.union(last);
    }
}
