package io.htablab.hashtab.cfront.body;

/**
 * Something that sets bytes of a local, as {@link FunctionBody#writesBefore(Local, int)} lists them.
 *
 * @param kind   what kind of write
 * @param span   the statement part that writes (the assignment, the call)
 * @param member for MEMBER_STORE the member path written ({@code "a"}, {@code "a.b"}, {@code "arr[]"}), else null
 * @param callee for MEMSET and ESCAPE the function called, else null
 */
public record Write(Kind kind, Span span, String member, String callee) {

    public enum Kind {
        /** {@code k.a = ...} (also compound assignments and increments): the member's bytes only. */
        MEMBER_STORE,
        /** {@code k = ...}: clang copies members, so padding is not known to be written. */
        WHOLE_ASSIGN,
        /** {@code memset(&k, 0, sizeof(k))} / {@code __builtin_memset}: every byte of the local set to zero. */
        MEMSET,
        /** memset over only part of the local, or with a non-zero or unknown byte. */
        PARTIAL_MEMSET,
        /** {@code &k} (or the array {@code k}) passed to another function, which may write any of it. */
        ESCAPE
    }
}
