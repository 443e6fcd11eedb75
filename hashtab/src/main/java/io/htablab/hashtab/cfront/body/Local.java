package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.SourceRange;

/**
 * A local variable or parameter. Identity matters: two locals of one name in different blocks are different
 * variables, and {@link Expr.Name} nodes point at the one they name.
 */
public final class Local {

    private final String name;
    private final CType type;
    private final Span nameSpan;
    private final boolean parameter;
    private Span declaratorEnd;
    private Span declaration;
    private Initializer initializer;
    private int scopeEnd;
    private int block = -1;

    Local(String name, CType type, Span nameSpan, boolean parameter, int scopeEnd) {
        this.name = name;
        this.type = type;
        this.nameSpan = nameSpan;
        this.parameter = parameter;
        this.declaratorEnd = nameSpan;
        this.declaration = nameSpan;
        this.scopeEnd = scopeEnd;
    }

    public String name() {
        return name;
    }

    /** The declared type; null when the type name was not understood. */
    public CType type() {
        return type;
    }

    /** The name in its declarator (for a parameter the indices are -1 and the range is in the function header). */
    public Span nameSpan() {
        return nameSpan;
    }

    public SourceRange nameRange() {
        return nameSpan.range();
    }

    /** The last token of the declarator, before any initialiser (where {@code " = {}"} would go). */
    public Span declaratorEnd() {
        return declaratorEnd;
    }

    /** The whole declaration through its {@code ;} (for a parameter, its name). */
    public Span declaration() {
        return declaration;
    }

    /** Null when the declaration has none (always for parameters). */
    public Initializer initializer() {
        return initializer;
    }

    public boolean isParameter() {
        return parameter;
    }

    /** The token index where the local's block ends (exclusive). */
    public int scopeEnd() {
        return scopeEnd;
    }

    /** The token index of the name (-1 for parameters, which are visible in the whole body). */
    public int declaredAt() {
        return nameSpan.start();
    }

    public boolean isVisibleAt(int index) {
        return index > declaredAt() && index < scopeEnd;
    }

    /**
     * The number of the block whose statement list holds the declaration ({@link FunctionBody#statements()}); -1
     * for parameters and for a declaration in a {@code for} header.
     */
    public int block() {
        return block;
    }

    void setBlock(int b) {
        this.block = b;
    }

    void setDeclaratorEnd(Span s) {
        this.declaratorEnd = s;
    }

    void setDeclaration(Span s) {
        this.declaration = s;
    }

    void setInitializer(Initializer i) {
        this.initializer = i;
    }

    void setScopeEnd(int end) {
        this.scopeEnd = end;
    }

    @Override
    public String toString() {
        return (parameter ? "param " : "local ") + (type == null ? "?" : type.spelling()) + " " + name;
    }
}
