package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.SourceRange;

/**
 * A call by name, with where its result goes.
 *
 * @param callee      the called identifier
 * @param calleeSpan  where the name is written
 * @param call        the call expression
 * @param resultUse   how the result is used right where the call stands
 */
public record CallSite(String callee, Span calleeSpan, Expr.Call call, ResultUse resultUse) {

    /** The token index of the callee name (the order the analysis reasons in). */
    public int index() {
        return calleeSpan.start();
    }

    public SourceRange range() {
        return call.span().range();
    }

    /**
     * Where a value goes: cast to a type, stored into a local (by its declaration or by assignment), or anything else
     * (compared, passed on, ignored).
     *
     * @param kind   CAST, DECLARATION, ASSIGNMENT or OTHER
     * @param type   the type it becomes (the cast's type, the local's declared type), null for OTHER or unknown
     * @param target the local it is stored into, else null
     * @param span   the cast, declaration or assignment
     */
    public record ResultUse(Kind kind, CType type, Local target, Span span) {
        public enum Kind { CAST, DECLARATION, ASSIGNMENT, OTHER }

        public static final ResultUse OTHER = new ResultUse(Kind.OTHER, null, null, null);
    }
}
