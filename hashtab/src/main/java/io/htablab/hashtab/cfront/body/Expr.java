package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CType;

import java.util.List;

/** An expression of a function body, as far as the analysis understands it. Parentheses leave no node. */
public sealed interface Expr {

    Span span();

    /** An identifier; {@code local} is the local or parameter it names, null for anything else (a map, a global). */
    record Name(Span span, String name, Local local) implements Expr {
    }

    /** An integer literal; {@code value} is empty when it does not fit a long or is a floating literal. */
    record Number(Span span, String text, java.util.OptionalLong value) implements Expr {
    }

    /** A character or string literal (adjacent strings joined), with its quotes. */
    record Literal(Span span, String text, boolean string) implements Expr {
    }

    /** Prefix {@code & * - + ! ~ ++ --}. */
    record Unary(Span span, String op, Expr operand) implements Expr {
    }

    /** Postfix {@code ++ --}. */
    record Postfix(Span span, String op, Expr operand) implements Expr {
    }

    record Binary(Span span, String op, Expr left, Expr right) implements Expr {
    }

    /** {@code =} or a compound assignment ({@code += ...}). */
    record Assign(Span span, String op, Expr target, Expr value) implements Expr {
    }

    record Conditional(Span span, Expr condition, Expr then, Expr otherwise) implements Expr {
    }

    /** {@code base.member} or {@code base->member}. */
    record Member(Span span, Expr base, String member, boolean arrow) implements Expr {
    }

    record Index(Span span, Expr base, Expr index) implements Expr {
    }

    /** A call; {@code calleeName} is the called identifier, null for a call through an expression. */
    record Call(Span span, Expr callee, String calleeName, List<Expr> args) implements Expr {
        public Expr arg(int i) {
            return i >= 0 && i < args.size() ? args.get(i) : null;
        }
    }

    /** {@code (type) operand}; {@code type} is null when the type name was not understood. */
    record Cast(Span span, CType type, Span typeSpan, Expr operand) implements Expr {
    }

    /** {@code sizeof(type)} (operand null) or {@code sizeof expr} (type null unless understood). */
    record Sizeof(Span span, CType type, Expr operand) implements Expr {
    }

    /** {@code (type){ ... }}. */
    record CompoundLiteral(Span span, CType type, Initializer init) implements Expr {
    }

    /** Anything else (a statement expression, a builtin the analysis does not know, a broken expression). */
    record Unknown(Span span) implements Expr {
    }
}
