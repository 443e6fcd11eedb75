package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintKind;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.SymbolKind;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Between the service's plain records and LSP4J's protocol types. */
final class Conversions {

    static final String SOURCE = "htab";

    private Conversions() {
    }

    static Range range(SourceRange r) {
        return new Range(new Position(r.startLine(), r.startCol()), new Position(r.endLine(), r.endCol()));
    }

    static SourceRange range(Range r) {
        Position s = r.getStart();
        Position e = r.getEnd();
        int sl = Math.max(0, s.getLine());
        int sc = Math.max(0, s.getCharacter());
        int el = Math.max(sl, e.getLine());
        int ec = el == sl ? Math.max(sc, e.getCharacter()) : Math.max(0, e.getCharacter());
        return new SourceRange(sl, sc, el, ec);
    }

    static org.eclipse.lsp4j.Location location(LocationData l) {
        return new org.eclipse.lsp4j.Location(l.uri(), range(l.range()));
    }

    static Diagnostic diagnostic(HtabDiagnostic d) {
        Diagnostic out = new Diagnostic(range(d.range()), d.message(), switch (d.severity()) {
            case ERROR -> DiagnosticSeverity.Error;
            case WARNING -> DiagnosticSeverity.Warning;
            case INFO -> DiagnosticSeverity.Information;
        }, SOURCE, d.code());
        return out;
    }

    static CompletionItem completion(CompletionData c) {
        CompletionItem item = new CompletionItem(c.label());
        item.setDetail(c.detail());
        item.setInsertText(c.textToInsert());
        item.setKind(switch (c.kind()) {
            case MAP_TYPE -> CompletionItemKind.EnumMember;
            case FLAG -> CompletionItemKind.Constant;
            case FIELD -> CompletionItemKind.Field;
            case TYPE -> CompletionItemKind.Struct;
        });
        return item;
    }

    static CodeAction codeAction(CodeActionData a, String uri, List<Diagnostic> contextDiagnostics) {
        CodeAction action = new CodeAction(a.title());
        action.setKind(CodeActionKind.QuickFix);
        List<org.eclipse.lsp4j.TextEdit> edits = new ArrayList<>();
        for (TextEdit e : a.edits()) {
            edits.add(new org.eclipse.lsp4j.TextEdit(range(e.range()), e.newText()));
        }
        action.setEdit(new WorkspaceEdit(Map.of(uri, edits)));
        List<Diagnostic> fixes = new ArrayList<>();
        for (Diagnostic d : contextDiagnostics) {
            if (d.getCode() != null && d.getCode().isLeft() && a.diagnosticCode().equals(d.getCode().getLeft())) {
                fixes.add(d);
            }
        }
        if (!fixes.isEmpty()) {
            action.setDiagnostics(fixes);
        }
        return action;
    }

    static InlayHint inlayHint(InlayHintData h) {
        InlayHint hint = new InlayHint(new Position(h.line(), h.col()), Either.forLeft(h.label()));
        hint.setKind(InlayHintKind.Type);
        hint.setPaddingLeft(false);
        return hint;
    }

    static DocumentSymbol symbol(SymbolData s) {
        DocumentSymbol out = new DocumentSymbol(s.name(), switch (s.kind()) {
            case MAP -> SymbolKind.Variable;
            case STRUCT -> SymbolKind.Struct;
            case FIELD -> SymbolKind.Field;
        }, range(s.range()), range(s.selectionRange()), s.detail());
        if (!s.children().isEmpty()) {
            List<DocumentSymbol> children = new ArrayList<>();
            for (SymbolData c : s.children()) {
                children.add(symbol(c));
            }
            out.setChildren(children);
        }
        return out;
    }
}
