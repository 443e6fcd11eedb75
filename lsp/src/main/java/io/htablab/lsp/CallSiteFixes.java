package io.htablab.lsp;

import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.CToken;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.cfront.body.FunctionBody;
import io.htablab.hashtab.cfront.body.Initializer;
import io.htablab.hashtab.cfront.body.Local;
import io.htablab.hashtab.cfront.body.Span;
import io.htablab.hashtab.cfront.body.Write;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Quick fixes for keys that reach a map helper with unwritten bytes ({@code call.key.uninit-padding},
 * {@code call.key.uninit}): insert {@code __builtin_memset(&k, 0, sizeof(k));} before the first statement that
 * writes the key (in the key's own block, so it runs whenever the store does), or initialise the declaration with
 * {@code = {}}; a brace initialiser with run-time values becomes {@code = {}} followed by one member store per item.
 * Every fix is offered only after re-reading the edited text shows that the finding is gone.
 */
final class CallSiteFixes {

    private CallSiteFixes() {
    }

    static void actions(Analysis a, SourceRange range, Function<String, CFrontResult> reparse,
                        List<CodeActionData> out) {
        List<String> seen = new ArrayList<>();
        for (CallSiteChecks.Finding f : CallSites.of(a).findings(a)) {
            String code = f.diagnostic().code();
            if (f.key() == null || !CodeActionFeature.overlaps(f.diagnostic().range(), range)
                    || !(code.equals("call.key.uninit-padding") || code.equals("call.key.uninit"))) {
                continue;
            }
            for (CodeActionData d : new CodeActionData[] {memset(a, f), emptyInitialiser(a, f)}) {
                if (d != null && !seen.contains(d.title()) && verified(a, f, d, reparse)) {
                    seen.add(d.title());
                    out.add(d);
                }
            }
        }
    }

    /** {@code __builtin_memset(&k, 0, sizeof(k));} before the first statement of k's block that writes it. */
    static CodeActionData memset(Analysis a, CallSiteChecks.Finding f) {
        Local k = f.key();
        FunctionBody body = f.call().body();
        if (k.initializer() != null || k.block() < 0) {
            return null; // a brace list would be wiped out by a memset after it; "= {}" handles those
        }
        int firstWrite = f.call().site().index();
        for (Write w : body.writesBefore(k, f.call().site().index())) {
            if (w.kind() == Write.Kind.MEMBER_STORE || w.kind() == Write.Kind.WHOLE_ASSIGN
                    || w.kind() == Write.Kind.PARTIAL_MEMSET) {
                firstWrite = Math.min(firstWrite, w.span().start());
            }
        }
        FunctionBody.Statement st = body.statementContaining(k.block(), firstWrite);
        if (st == null || st.span().start() <= k.declaration().start()) {
            return null;
        }
        CToken first = body.function().body().get(st.span().start());
        if (!a.isThisDocument(first.uri())) {
            return null;
        }
        SourceRange at = first.range();
        String line = a.index().line(at.startLine());
        String before = line.substring(0, Math.min(at.startCol(), line.length()));
        String call = "__builtin_memset(&" + k.name() + ", 0, sizeof(" + k.name() + "));";
        String text = before.isBlank() ? call + "\n" + before : call + " ";
        SourceRange point = new SourceRange(at.startLine(), at.startCol(), at.startLine(), at.startCol());
        return new CodeActionData("Zero `" + k.name() + "` with __builtin_memset before it is filled",
                f.diagnostic().code(), List.of(new TextEdit(point, text)));
    }

    /**
     * {@code = {}} on a declaration without initialiser; a brace list with run-time values becomes {@code = {}}
     * and member stores right after the declaration (in the order written).
     */
    static CodeActionData emptyInitialiser(Analysis a, CallSiteChecks.Finding f) {
        Local k = f.key();
        FunctionBody body = f.call().body();
        for (Local other : body.locals()) {
            if (other != k && other.declaration().equals(k.declaration())) {
                return null; // "struct key a, b;": one declaration for several locals
            }
        }
        Initializer init = k.initializer();
        String title = "Initialise `" + k.name() + "` with = {}";
        if (init == null) {
            Span end = k.declaratorEnd();
            CToken last = body.function().body().get(end.start());
            if (last.fromMacro() || !a.isThisDocument(last.uri())) {
                return null;
            }
            SourceRange r = last.range();
            SourceRange point = new SourceRange(r.endLine(), r.endCol(), r.endLine(), r.endCol());
            return new CodeActionData(title, f.diagnostic().code(), List.of(new TextEdit(point, " = {}")));
        }
        if (init.kind() != Initializer.Kind.LIST) {
            return null;
        }
        RecordType record = Padding.record(k.type());
        if (record == null || record.isUnion()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (Layout.Member m : record.layout().members()) {
            if (m.name() != null) {
                names.add(m.name());
            } else if (!m.isBitField()) {
                return null; // an anonymous struct/union member: positional items would go inside it
            }
        }
        StringBuilder stores = new StringBuilder();
        String indent = indentOf(a, k.declaration().range().startLine());
        int position = 0;
        for (Initializer.Item item : init.items()) {
            String member;
            if (item.designated()) {
                member = item.designator();
                if (member == null) {
                    return null;
                }
                position = names.indexOf(member) + 1;
            } else {
                if (position >= names.size()) {
                    return null;
                }
                member = names.get(position++);
            }
            String value = textOf(a, body, item.valueSpan());
            if (item.value() == null || value == null) {
                return null;
            }
            stores.append('\n').append(indent).append(k.name()).append('.').append(member).append(" = ")
                    .append(value).append(';');
        }
        SourceRange initRange = init.span().range();
        SourceRange declEnd = k.declaration().range();
        if (!a.index().isValid(initRange) || !a.index().isValid(declEnd)) {
            return null;
        }
        SourceRange after = new SourceRange(declEnd.endLine(), declEnd.endCol(), declEnd.endLine(), declEnd.endCol());
        return new CodeActionData(title + " and member stores", f.diagnostic().code(),
                List.of(new TextEdit(initRange, "{}"), new TextEdit(after, stores.toString())));
    }

    private static String indentOf(Analysis a, int line) {
        String l = a.index().line(line);
        int i = 0;
        while (i < l.length() && (l.charAt(i) == ' ' || l.charAt(i) == '\t')) {
            i++;
        }
        return l.substring(0, i);
    }

    /** The source text of a span when it is written plainly in this document (not produced by a macro). */
    private static String textOf(Analysis a, FunctionBody body, Span span) {
        if (span.start() >= span.end()) {
            return null;
        }
        for (int i = span.start(); i < span.end(); i++) {
            CToken t = body.function().body().get(i);
            if (t.fromMacro() || !a.isThisDocument(t.uri())) {
                return null;
            }
        }
        SourceRange r = span.range();
        return a.text().substring(a.index().offset(r, false), a.index().offset(r, true));
    }

    /** Re-reads the edited text: the fix must leave no uninitialised-key finding on the same local and call. */
    private static boolean verified(Analysis a, CallSiteChecks.Finding f, CodeActionData d,
                                    Function<String, CFrontResult> reparse) {
        String edited = TextEdits.apply(a.text(), d.edits());
        CFrontResult result = reparse.apply(edited);
        if (result == null) {
            return false;
        }
        Analysis after = new Analysis(a.uri(), edited, result, a.settings());
        String function = f.call().body().function().name();
        for (CallSiteChecks.Finding g : CallSites.of(after).findings(after)) {
            String code = g.diagnostic().code();
            if ((code.equals("call.key.uninit-padding") || code.equals("call.key.uninit")) && g.key() != null
                    && g.key().name().equals(f.key().name()) && g.call().body().function().name().equals(function)
                    && g.call().site().callee().equals(f.call().site().callee())) {
                return false;
            }
        }
        return true;
    }
}
