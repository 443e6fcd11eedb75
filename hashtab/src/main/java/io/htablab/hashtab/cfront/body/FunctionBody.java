package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.FunctionDefinition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * What one function body does, in source order.
 *
 * @param function    the definition it was read from
 * @param locals      parameters first, then every local in declaration order
 * @param calls       every call by name, in order of the callee's position
 * @param assignments every {@code =} and compound assignment, increments and decrements excluded
 * @param increments  every {@code ++}/{@code --} (prefix or postfix) operand
 * @param conversions every place a value becomes a given type: casts, assignments, declarations with an
 *                    expression initialiser
 * @param statements  every statement written directly in a block, in source order
 */
public record FunctionBody(FunctionDefinition function, List<Local> locals, List<CallSite> calls,
                           List<Expr.Assign> assignments, List<Expr> increments, List<Conversion> conversions,
                           List<Statement> statements) {

    /** A statement of block number {@code block} (blocks are numbered as they open, the body itself is 0). */
    public record Statement(int block, Span span) {
    }

    /**
     * The statement of {@code block}'s own list that contains token {@code index} (the statement itself, or the
     * {@code if}/loop/block around it), or null.
     */
    public Statement statementContaining(int block, int index) {
        for (Statement s : statements) {
            if (s.block() == block && s.span().start() <= index && index < s.span().end()) {
                return s;
            }
        }
        return null;
    }

    /**
     * A value turned into a type: {@code (T) source}, {@code target = source} or {@code T target = source}.
     *
     * @param source the value (casts not stripped)
     * @param type   the type it becomes, null when not understood
     * @param target the local it is stored into, or null
     * @param kind   CAST, ASSIGNMENT or DECLARATION
     * @param span   the cast, assignment or declaration
     */
    public record Conversion(Expr source, CType type, Local target, CallSite.ResultUse.Kind kind, Span span) {
        public int index() {
            return source.span().start();
        }
    }

    public static FunctionBody empty(FunctionDefinition f) {
        return new FunctionBody(f, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** The local of this name visible at token {@code index} (innermost block), or null. */
    public Local localAt(String name, int index) {
        Local best = null;
        for (Local l : locals) {
            if (l.name().equals(name) && l.isVisibleAt(index) && (best == null || l.declaredAt() > best.declaredAt())) {
                best = l;
            }
        }
        return best;
    }

    /**
     * Everything written into {@code local} before token {@code index}, in source order (control flow is not
     * followed: a write inside an earlier {@code if} counts). Calls that receive the local's address are listed
     * as {@link Write.Kind#ESCAPE}; the caller decides which functions only read.
     */
    public List<Write> writesBefore(Local local, int index) {
        List<Write> out = new ArrayList<>();
        for (Expr.Assign a : assignments) {
            if (a.span().start() >= index || Exprs.storageOf(a.target()) != local) {
                continue;
            }
            if (a.target() instanceof Expr.Name) {
                out.add(new Write(Write.Kind.WHOLE_ASSIGN, a.span(), null, null));
            } else {
                out.add(new Write(Write.Kind.MEMBER_STORE, a.span(), Exprs.memberPath(a.target()), null));
            }
        }
        for (Expr inc : increments) {
            Expr operand = inc instanceof Expr.Unary u ? u.operand() : ((Expr.Postfix) inc).operand();
            if (inc.span().start() < index && Exprs.storageOf(operand) == local && !(operand instanceof Expr.Name)) {
                out.add(new Write(Write.Kind.MEMBER_STORE, inc.span(), Exprs.memberPath(operand), null));
            }
        }
        for (CallSite c : calls) {
            if (c.index() >= index) {
                continue;
            }
            List<Expr> args = c.call().args();
            if (isMemset(c.callee()) && args.size() == 3 && Exprs.addressedLocal(args.get(0)) == local) {
                boolean whole = Exprs.addressesWholeLocal(args.get(0));
                OptionalLong value = Exprs.constantValue(args.get(1));
                OptionalLong size = Exprs.constantValue(args.get(2));
                long localSize = local.type() == null ? -1 : local.type().size();
                boolean all = whole && value.isPresent() && value.getAsLong() == 0 && size.isPresent()
                        && localSize >= 0 && size.getAsLong() >= localSize;
                out.add(new Write(all ? Write.Kind.MEMSET : Write.Kind.PARTIAL_MEMSET, c.call().span(), null,
                        c.callee()));
                continue;
            }
            for (Expr arg : args) {
                if (Exprs.addressedLocal(arg) == local) {
                    out.add(new Write(Write.Kind.ESCAPE, c.call().span(), null, c.callee()));
                    break;
                }
            }
        }
        out.removeIf(w -> !local.isVisibleAt(w.span().start()) && !local.isParameter());
        out.sort(Comparator.comparingInt(w -> w.span().start()));
        return out;
    }

    static boolean isMemset(String callee) {
        return callee.equals("__builtin_memset") || callee.equals("memset");
    }

    /**
     * Where the result of {@code call} ends up: its direct use, and when it is stored into a local, every later
     * conversion of that local as a whole (a cast, a copy into another pointer) until the local is assigned again.
     */
    public List<CallSite.ResultUse> resultUses(CallSite call) {
        List<CallSite.ResultUse> out = new ArrayList<>();
        out.add(call.resultUse());
        Local holder = call.resultUse().target();
        if (holder == null) {
            return out;
        }
        int from = call.index();
        int until = Integer.MAX_VALUE;
        for (Expr.Assign a : assignments) {
            if (a.op().equals("=") && a.span().start() > from && a.target() instanceof Expr.Name n
                    && n.local() == holder && Exprs.stripCasts(a.value()) != call.call()) {
                until = Math.min(until, a.span().start());
            }
        }
        for (Conversion c : conversions) {
            if (c.index() <= from || c.index() >= until) {
                continue;
            }
            if (Exprs.stripCasts(c.source()) instanceof Expr.Name n && n.local() == holder) {
                out.add(new CallSite.ResultUse(c.kind(), c.type(), c.target(), c.span()));
            }
        }
        return out;
    }
}
