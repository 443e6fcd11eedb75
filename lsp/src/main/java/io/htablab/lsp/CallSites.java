package io.htablab.lsp;

import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.cfront.body.BodyAnalysis;
import io.htablab.hashtab.cfront.body.CallSite;
import io.htablab.hashtab.cfront.body.Expr;
import io.htablab.hashtab.cfront.body.Exprs;
import io.htablab.hashtab.cfront.body.FunctionBody;
import io.htablab.hashtab.cfront.body.Local;
import io.htablab.hashtab.cfront.FunctionDefinition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The map helper calls of one document version, each with the map it works on: {@code &m} naming a map the
 * front end saw (in this file or an included header), or a local that holds an inner map looked up from a
 * map-of-maps. Computed once per {@link Analysis} (which is immutable) and kept as long as the analysis is.
 */
final class CallSites {

    /** A helper call whose map is known. */
    record Resolved(FunctionBody body, CallSite site, MapHelpers.Helper helper, MapDefinition map, MapFacts facts) {
    }

    private static final Map<Analysis, CallSites> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private final List<FunctionBody> bodies;
    private final List<Resolved> calls;
    private volatile List<CallSiteChecks.Finding> findings;

    private CallSites(List<FunctionBody> bodies, List<Resolved> calls) {
        this.bodies = bodies;
        this.calls = calls;
    }

    static CallSites of(Analysis a) {
        CallSites cs = CACHE.get(a);
        if (cs == null) {
            cs = compute(a);
            CACHE.put(a, cs);
        }
        return cs;
    }

    /** The bodies of this document's functions. */
    List<FunctionBody> bodies() {
        return bodies;
    }

    List<Resolved> calls() {
        return calls;
    }

    List<CallSiteChecks.Finding> findings(Analysis a) {
        List<CallSiteChecks.Finding> f = findings;
        if (f == null) {
            f = List.copyOf(CallSiteChecks.check(a, this));
            findings = f;
        }
        return f;
    }

    private static CallSites compute(Analysis a) {
        List<FunctionBody> bodies = new ArrayList<>();
        List<FunctionDefinition> functions = a.result().functions();
        if (functions != null) {
            for (FunctionDefinition f : functions) {
                if (a.isThisDocument(f.uri())) {
                    bodies.add(BodyAnalysis.analyze(f, a.result().types()));
                }
            }
        }
        List<Resolved> calls = new ArrayList<>();
        for (FunctionBody b : bodies) {
            for (CallSite c : b.calls()) {
                MapHelpers.Helper h = MapHelpers.of(c.callee());
                if (h == null) {
                    continue;
                }
                MapDefinition m = mapOf(a, b, c, 0);
                if (m != null) {
                    calls.add(new Resolved(b, c, h, m, new MapFacts(m, a.settings().possibleCpus())));
                }
            }
        }
        return new CallSites(List.copyOf(bodies), List.copyOf(calls));
    }

    /** The map a helper call works on, or null when the map argument is not one the front end knows. */
    static MapDefinition mapOf(Analysis a, FunctionBody b, CallSite c, int depth) {
        Expr arg = c.call().arg(0);
        if (arg == null || depth > 4) {
            return null;
        }
        Expr s = Exprs.stripCasts(arg);
        if (s instanceof Expr.Unary u && u.op().equals("&")) {
            s = Exprs.stripCasts(u.operand());
        }
        if (!(s instanceof Expr.Name n)) {
            return null;
        }
        if (n.local() == null) {
            return map(a, n.name());
        }
        // a local holding the result of a lookup in a map of maps: the inner map template
        Local holder = n.local();
        CallSite source = null;
        for (CallSite other : b.calls()) {
            if (other.index() < c.index() && other.resultUse().target() == holder
                    && "bpf_map_lookup_elem".equals(other.callee())) {
                source = other;
            }
        }
        if (source == null) {
            return null;
        }
        MapDefinition outer = mapOf(a, b, source, depth + 1);
        return outer == null ? null : outer.innerMap();
    }

    /** A map by name among every map the front end found (this file's and its headers'). */
    static MapDefinition map(Analysis a, String name) {
        for (MapDefinition m : a.result().maps()) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** The resolved call whose helper name is at the position (0-based), or null. */
    Resolved callAt(int line, int col) {
        for (Resolved r : calls) {
            SourceRange at = r.site().calleeSpan().range();
            if (at.contains(line, col) || at.endLine() == line && at.endCol() == col) {
                return r;
            }
        }
        return null;
    }
}
