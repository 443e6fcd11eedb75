package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.FunctionDefinition;
import io.htablab.hashtab.cfront.TypeTable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Entry point: reads function bodies into {@link FunctionBody}s. Never throws. */
public final class BodyAnalysis {

    private BodyAnalysis() {
    }

    /** Every function definition of a parse (those in included files too), in source order. */
    public static List<FunctionBody> analyzeAll(CFrontResult result) {
        List<FunctionBody> out = new ArrayList<>();
        if (result == null || result.functions() == null) {
            return out;
        }
        for (FunctionDefinition f : result.functions()) {
            out.add(analyze(f, result.types()));
        }
        return out;
    }

    /** One function; the types are the file's types (typedefs, tags and enum constants at the end of the file). */
    public static FunctionBody analyze(FunctionDefinition f, TypeTable types) {
        if (f == null) {
            return null;
        }
        try {
            return read(f, types == null ? new TypeTable() : types);
        } catch (RuntimeException | StackOverflowError e) {
            // The parser recovers statement by statement; anything that still escapes costs this one body only.
            return FunctionBody.empty(f);
        }
    }

    /** The analysis without the safety net (the fuzz test calls this to see that nothing escapes). */
    static FunctionBody read(FunctionDefinition f, TypeTable types) {
        int bodySize = f.body().size();
        List<Local> params = new BodyParser(f.header(), types).parameters(bodySize);
        List<CType> declared = f.type() == null ? List.of() : f.type().params();
        if (declared.size() == params.size()) {
            // the parser's parameter types saw everything the declaration saw (typeof, attributes, arrays)
            List<Local> typed = new ArrayList<>(params.size());
            for (int i = 0; i < params.size(); i++) {
                Local p = params.get(i);
                typed.add(new Local(p.name(), declared.get(i), p.nameSpan(), true, bodySize));
            }
            params = typed;
        }
        BodyParser parser = new BodyParser(f.body(), types);
        parser.body(params);
        Collector c = new Collector();
        for (Object[] root : parser.roots) {
            Local target = (Local) root[1];
            Expr e = (Expr) root[0];
            if (target != null) {
                CallSite.ResultUse use = new CallSite.ResultUse(CallSite.ResultUse.Kind.DECLARATION, target.type(),
                        target, target.declaration());
                c.conversions.add(new FunctionBody.Conversion(e, target.type(), target,
                        CallSite.ResultUse.Kind.DECLARATION, target.declaration()));
                c.walk(e, use, 0);
            } else {
                c.walk(e, CallSite.ResultUse.OTHER, 0);
            }
        }
        c.calls.sort(Comparator.comparingInt(CallSite::index));
        c.assignments.sort(Comparator.comparingInt(a -> a.span().start()));
        c.conversions.sort(Comparator.comparingInt(FunctionBody.Conversion::index));
        parser.statements.sort(Comparator.comparingInt(s -> s.span().start()));
        return new FunctionBody(f, List.copyOf(parser.locals), List.copyOf(c.calls), List.copyOf(c.assignments),
                List.copyOf(c.increments), List.copyOf(c.conversions), List.copyOf(parser.statements));
    }

    /** Walks full expressions, noting calls with the context their value lands in. */
    private static final class Collector {
        final List<CallSite> calls = new ArrayList<>();
        final List<Expr.Assign> assignments = new ArrayList<>();
        final List<Expr> increments = new ArrayList<>();
        final List<FunctionBody.Conversion> conversions = new ArrayList<>();

        void walk(Expr e, CallSite.ResultUse context, int depth) {
            if (e == null || depth > 200) {
                return;
            }
            CallSite.ResultUse other = CallSite.ResultUse.OTHER;
            if (e instanceof Expr.Call call) {
                if (call.calleeName() != null) {
                    calls.add(new CallSite(call.calleeName(), call.callee().span(), call, context));
                } else {
                    walk(call.callee(), other, depth + 1);
                }
                for (Expr a : call.args()) {
                    walk(a, other, depth + 1);
                }
            } else if (e instanceof Expr.Cast cast) {
                conversions.add(new FunctionBody.Conversion(cast.operand(), cast.type(), null,
                        CallSite.ResultUse.Kind.CAST, cast.span()));
                walk(cast.operand(), new CallSite.ResultUse(CallSite.ResultUse.Kind.CAST, cast.type(), null,
                        cast.span()), depth + 1);
            } else if (e instanceof Expr.Assign a) {
                assignments.add(a);
                walk(a.target(), other, depth + 1);
                if (a.op().equals("=")) {
                    Local target = a.target() instanceof Expr.Name n ? n.local() : null;
                    CType type = Exprs.typeOf(a.target());
                    conversions.add(new FunctionBody.Conversion(a.value(), type, target,
                            CallSite.ResultUse.Kind.ASSIGNMENT, a.span()));
                    walk(a.value(), new CallSite.ResultUse(CallSite.ResultUse.Kind.ASSIGNMENT, type, target,
                            a.span()), depth + 1);
                } else {
                    walk(a.value(), other, depth + 1);
                }
            } else if (e instanceof Expr.Unary u) {
                if (u.op().equals("++") || u.op().equals("--")) {
                    increments.add(u);
                }
                walk(u.operand(), other, depth + 1);
            } else if (e instanceof Expr.Postfix p) {
                increments.add(p);
                walk(p.operand(), other, depth + 1);
            } else if (e instanceof Expr.Binary b) {
                walk(b.left(), other, depth + 1);
                walk(b.right(), b.op().equals(",") ? context : other, depth + 1);
            } else if (e instanceof Expr.Conditional c) {
                walk(c.condition(), other, depth + 1);
                walk(c.then(), context, depth + 1);
                walk(c.otherwise(), context, depth + 1);
            } else if (e instanceof Expr.Member m) {
                walk(m.base(), other, depth + 1);
            } else if (e instanceof Expr.Index i) {
                walk(i.base(), other, depth + 1);
                walk(i.index(), other, depth + 1);
            } else if (e instanceof Expr.Sizeof s) {
                walk(s.operand(), other, depth + 1);
            } else if (e instanceof Expr.CompoundLiteral cl && cl.init() != null) {
                for (Initializer.Item item : cl.init().items()) {
                    walk(item.value(), other, depth + 1);
                }
            }
        }
    }
}
