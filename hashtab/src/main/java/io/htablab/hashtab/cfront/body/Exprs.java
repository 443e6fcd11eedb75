package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;

import java.util.OptionalLong;

/** Small questions about expressions: their C type, the local they reach, their constant value. */
public final class Exprs {

    static final CType.IntType INT = new CType.IntType("int", 4, 4, true);
    static final CType.IntType ULONG = new CType.IntType("unsigned long", 8, 8, false);
    static final CType.IntType CHAR = new CType.IntType("char", 1, 1, true);
    static final CType VOID = new CType.VoidType();

    private Exprs() {
    }

    /** The expression with casts (and nothing else) peeled off: {@code (void *)&k} gives {@code &k}. */
    public static Expr stripCasts(Expr e) {
        int guard = 0;
        while (e instanceof Expr.Cast c && c.operand() != null && guard++ < 64) {
            e = c.operand();
        }
        return e;
    }

    /**
     * The C type of an expression, or null when the analysis cannot tell (an unknown name, a call to an unknown
     * function, an operator it does not type).
     */
    public static CType typeOf(Expr e) {
        return typeOf(e, 0);
    }

    private static CType typeOf(Expr e, int depth) {
        if (e == null || depth > 64) {
            return null;
        }
        if (e instanceof Expr.Name n) {
            return n.local() == null ? null : n.local().type();
        }
        if (e instanceof Expr.Number) {
            return INT;
        }
        if (e instanceof Expr.Literal l) {
            return l.string() ? new CType.ArrayType(CHAR, -1) : INT;
        }
        if (e instanceof Expr.Unary u) {
            if (u.op().equals("&")) {
                CType t = typeOf(u.operand(), depth + 1);
                return t == null ? null : new CType.PointerType(t);
            }
            if (u.op().equals("*")) {
                return pointee(typeOf(u.operand(), depth + 1));
            }
            return u.op().equals("!") ? INT : typeOf(u.operand(), depth + 1);
        }
        if (e instanceof Expr.Postfix p) {
            return typeOf(p.operand(), depth + 1);
        }
        if (e instanceof Expr.Assign a) {
            return typeOf(a.target(), depth + 1);
        }
        if (e instanceof Expr.Member m) {
            CType base = typeOf(m.base(), depth + 1);
            if (m.arrow()) {
                base = pointee(base);
            }
            Layout.Member member = member(base, m.member());
            return member == null ? null : member.type();
        }
        if (e instanceof Expr.Index i) {
            return pointee(typeOf(i.base(), depth + 1));
        }
        if (e instanceof Expr.Cast c) {
            return c.type();
        }
        if (e instanceof Expr.Sizeof) {
            return ULONG;
        }
        if (e instanceof Expr.CompoundLiteral c) {
            return c.type();
        }
        if (e instanceof Expr.Conditional c) {
            return typeOf(c.then(), depth + 1);
        }
        if (e instanceof Expr.Binary b) {
            switch (b.op()) {
                case "==", "!=", "<", ">", "<=", ">=", "&&", "||" -> {
                    return INT;
                }
                case "," -> {
                    return typeOf(b.right(), depth + 1);
                }
                default -> {
                    CType l = typeOf(b.left(), depth + 1);
                    return l != null && l.resolve() instanceof CType.PointerType ? l : null;
                }
            }
        }
        return null; // calls, unknown expressions
    }

    /** What a pointer or array points to / holds; null for anything else. */
    public static CType pointee(CType t) {
        if (t == null) {
            return null;
        }
        CType r = t.resolve();
        if (r instanceof CType.PointerType p) {
            return p.target();
        }
        if (r instanceof CType.ArrayType a) {
            return a.element();
        }
        return null;
    }

    /** A member of a struct/union type by name, looking through anonymous members; null when absent. */
    public static Layout.Member member(CType type, String name) {
        if (type == null || name == null) {
            return null;
        }
        if (!(type.resolve() instanceof RecordType r) || r.layout() == null) {
            return null;
        }
        return member(r, name, 0);
    }

    private static Layout.Member member(RecordType r, String name, int depth) {
        if (depth > 16 || r.layout() == null) {
            return null;
        }
        for (Layout.Member m : r.layout().members()) {
            if (name.equals(m.name())) {
                return m;
            }
            if (m.name() == null && m.type().resolve() instanceof RecordType inner) {
                Layout.Member found = member(inner, name, depth + 1);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * The local whose own storage an lvalue names: {@code k}, {@code k.a}, {@code k.a.b}, {@code k.arr[i]} (an
     * array local, not a pointer) all give {@code k}; {@code p->a} and {@code *p} give null (they write elsewhere).
     */
    public static Local storageOf(Expr e) {
        int guard = 0;
        while (e != null && guard++ < 64) {
            if (e instanceof Expr.Name n) {
                return n.local();
            } else if (e instanceof Expr.Member m && !m.arrow()) {
                e = m.base();
            } else if (e instanceof Expr.Index i) {
                CType t = typeOf(i.base());
                if (t == null || !(t.resolve() instanceof CType.ArrayType)) {
                    return null;
                }
                e = i.base();
            } else {
                return null;
            }
        }
        return null;
    }

    /** The member path of an lvalue below its local ({@code k.a.b} gives "a.b", {@code k.arr[i]} "arr[]", k ""). */
    public static String memberPath(Expr e) {
        StringBuilder sb = new StringBuilder();
        int guard = 0;
        while (e != null && guard++ < 64) {
            if (e instanceof Expr.Member m && !m.arrow()) {
                // "a" before "b" is "a.b", before "[]" is "a[]"
                sb.insert(0, sb.length() == 0 || sb.charAt(0) == '[' ? m.member() : m.member() + ".");
                e = m.base();
            } else if (e instanceof Expr.Index i) {
                sb.insert(0, sb.length() == 0 || sb.charAt(0) == '[' ? "[]" : "[].");
                e = i.base();
            } else {
                break;
            }
        }
        return sb.toString();
    }

    /**
     * The local whose storage a pointer argument points at: {@code &k}, {@code &k.a}, {@code (void *)&k}, or the
     * array {@code k} itself; null for anything else (a pointer variable, a map value).
     */
    public static Local addressedLocal(Expr e) {
        Expr s = stripCasts(e);
        if (s instanceof Expr.Unary u && u.op().equals("&")) {
            return storageOf(u.operand());
        }
        if (s instanceof Expr.Name n && n.local() != null && n.local().type() != null
                && n.local().type().resolve() instanceof CType.ArrayType) {
            return n.local();
        }
        return null;
    }

    /** Whether the pointer argument covers the local from its first byte ({@code &k}, the array {@code k}). */
    public static boolean addressesWholeLocal(Expr e) {
        Expr s = stripCasts(e);
        if (s instanceof Expr.Unary u && u.op().equals("&")) {
            return u.operand() instanceof Expr.Name;
        }
        return s instanceof Expr.Name;
    }

    /** The value of an integer constant expression the analysis can evaluate, else empty. */
    public static OptionalLong constantValue(Expr e) {
        return constantValue(e, 0);
    }

    private static OptionalLong constantValue(Expr e, int depth) {
        if (e == null || depth > 64) {
            return OptionalLong.empty();
        }
        if (e instanceof Expr.Number n) {
            return n.value();
        }
        if (e instanceof Expr.Literal l && !l.string()) {
            return charValue(l.text());
        }
        if (e instanceof Expr.Sizeof s) {
            CType t = s.type() != null ? s.type() : typeOf(s.operand());
            return t != null && t.size() >= 0 ? OptionalLong.of(t.size()) : OptionalLong.empty();
        }
        if (e instanceof Expr.Cast c) {
            return c.type() != null && c.type().resolve() instanceof CType.PointerType ? OptionalLong.empty()
                    : constantValue(c.operand(), depth + 1);
        }
        if (e instanceof Expr.Unary u) {
            OptionalLong v = constantValue(u.operand(), depth + 1);
            if (v.isEmpty()) {
                return v;
            }
            return switch (u.op()) {
                case "-" -> OptionalLong.of(-v.getAsLong());
                case "+" -> v;
                case "~" -> OptionalLong.of(~v.getAsLong());
                case "!" -> OptionalLong.of(v.getAsLong() == 0 ? 1 : 0);
                default -> OptionalLong.empty();
            };
        }
        if (e instanceof Expr.Binary b) {
            OptionalLong l = constantValue(b.left(), depth + 1);
            OptionalLong r = constantValue(b.right(), depth + 1);
            if (l.isEmpty() || r.isEmpty()) {
                return OptionalLong.empty();
            }
            return binary(b.op(), l.getAsLong(), r.getAsLong());
        }
        if (e instanceof Expr.Conditional c) {
            OptionalLong cond = constantValue(c.condition(), depth + 1);
            if (cond.isEmpty()) {
                return cond;
            }
            return constantValue(cond.getAsLong() != 0 ? c.then() : c.otherwise(), depth + 1);
        }
        return OptionalLong.empty();
    }

    private static OptionalLong binary(String op, long x, long y) {
        return switch (op) {
            case "+" -> OptionalLong.of(x + y);
            case "-" -> OptionalLong.of(x - y);
            case "*" -> OptionalLong.of(x * y);
            case "/" -> y == 0 ? OptionalLong.empty() : OptionalLong.of(x / y);
            case "%" -> y == 0 ? OptionalLong.empty() : OptionalLong.of(x % y);
            case "<<" -> OptionalLong.of(x << (y & 63));
            case ">>" -> OptionalLong.of(x >> (y & 63));
            case "&" -> OptionalLong.of(x & y);
            case "|" -> OptionalLong.of(x | y);
            case "^" -> OptionalLong.of(x ^ y);
            case "==" -> OptionalLong.of(x == y ? 1 : 0);
            case "!=" -> OptionalLong.of(x != y ? 1 : 0);
            case "<" -> OptionalLong.of(x < y ? 1 : 0);
            case ">" -> OptionalLong.of(x > y ? 1 : 0);
            case "<=" -> OptionalLong.of(x <= y ? 1 : 0);
            case ">=" -> OptionalLong.of(x >= y ? 1 : 0);
            case "&&" -> OptionalLong.of(x != 0 && y != 0 ? 1 : 0);
            case "||" -> OptionalLong.of(x != 0 || y != 0 ? 1 : 0);
            default -> OptionalLong.empty();
        };
    }

    private static OptionalLong charValue(String text) {
        // 'a', '\n', '\0', '\x41'; anything fancier is not a constant for this analysis
        if (text.length() == 3 && text.charAt(0) == '\'') {
            return OptionalLong.of(text.charAt(1));
        }
        if (text.length() >= 4 && text.charAt(0) == '\'' && text.charAt(1) == '\\') {
            String esc = text.substring(2, text.length() - 1);
            try {
                return switch (esc.charAt(0)) {
                    case 'n' -> OptionalLong.of('\n');
                    case 't' -> OptionalLong.of('\t');
                    case 'r' -> OptionalLong.of('\r');
                    case '\\', '\'', '"' -> OptionalLong.of(esc.charAt(0));
                    case 'x' -> OptionalLong.of(Long.parseLong(esc.substring(1), 16) & 0xFF);
                    default -> Character.isDigit(esc.charAt(0))
                            ? OptionalLong.of(Long.parseLong(esc, 8) & 0xFF) : OptionalLong.empty();
                };
            } catch (RuntimeException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    /** Whether the expression is an integer constant the analysis can evaluate (what clang folds). */
    public static boolean isConstant(Expr e) {
        return constantValue(e).isPresent();
    }
}
