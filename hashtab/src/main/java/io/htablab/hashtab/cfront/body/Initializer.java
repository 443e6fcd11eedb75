package io.htablab.hashtab.cfront.body;

import java.util.List;

/**
 * What follows {@code =} in a declaration.
 *
 * @param kind   what sort of initialiser it is
 * @param span   the initialiser (from {@code {} or the expression's first token)
 * @param expr   the expression for {@link Kind#EXPRESSION}, else null
 * @param items  the top-level items of a brace list, in order
 */
public record Initializer(Kind kind, Span span, Expr expr, List<Item> items) {

    public enum Kind {
        /** {@code = {}}: every byte zero (clang emits a zero store over the whole object). */
        EMPTY,
        /** {@code = {0}}: every byte zero, as {@code {}}. */
        ZERO,
        /**
         * A brace list whose every value is an integer constant ({@code {.proto = 6, .port = 80}}): clang builds the
         * object as one constant, padding included.
         */
        CONSTANT_LIST,
        /**
         * A brace list with a run-time value ({@code {.pid = pid}}): clang stores the members one by one and leaves
         * the padding bytes as they were.
         */
        LIST,
        /** {@code = expression}. */
        EXPRESSION
    }

    /**
     * One top-level item of a brace list.
     *
     * @param designator the member named by {@code .name =}, null for a positional item or a designator the
     *                   analysis does not follow ({@code [2] =}, {@code .a.b =})
     * @param designated whether the item had any designator
     * @param value      the value (null for a nested brace list)
     * @param valueSpan  where the value is written
     * @param span       the whole item, designator included
     */
    public record Item(String designator, boolean designated, Expr value, Span valueSpan, Span span) {
    }

    public boolean zeroesEveryByte() {
        return kind == Kind.EMPTY || kind == Kind.ZERO || kind == Kind.CONSTANT_LIST;
    }
}
