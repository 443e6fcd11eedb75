/**
 * What a function body does with its variables, read from the preprocessed tokens the parser hands over
 * ({@link io.htablab.hashtab.cfront.FunctionDefinition}): locals and parameters with their types and initialisers,
 * every call with its argument expressions, assignments, casts and {@code sizeof}, and queries over them (what was
 * written into a local before a given point, where a call's result goes).
 *
 * <p>This is not a C compiler: statements are read in source order, control flow is not followed, and anything
 * not understood becomes an {@link io.htablab.hashtab.cfront.body.Expr.Unknown} or is skipped to the next
 * {@code ;}. {@link io.htablab.hashtab.cfront.body.BodyAnalysis} never throws. Policy (which calls are map
 * helpers, what deserves a diagnostic) lives with the caller, the language server.
 */
package io.htablab.hashtab.cfront.body;
