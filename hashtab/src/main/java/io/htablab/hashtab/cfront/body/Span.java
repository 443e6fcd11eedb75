package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.SourceRange;

/**
 * Where a piece of a body is: token indices into {@link io.htablab.hashtab.cfront.FunctionDefinition#body()}
 * ({@code start} inclusive, {@code end} exclusive) and the source range they cover. Token order is the order the
 * analysis reasons in ("before the call" means a smaller index).
 */
public record Span(int start, int end, SourceRange range) {
}
