package io.htablab.lsp;

import io.htablab.hashtab.cfront.CDiagnostic;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.cfront.MapField;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.htab.MapFlag;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Quick fixes for what {@link DiagnosticsFeature} reports: drop BPF_F_NO_PREALLOC from an LRU map, drop
 * BPF_F_NO_COMMON_LRU from a non-LRU map, and for a padded key struct either reorder its members by
 * decreasing alignment or add explicit padding members; for a key that reaches a map helper with unwritten
 * bytes, zero it ({@link CallSiteFixes}). Rewrites are offered only after re-reading the edited text confirms
 * they do what the title says.
 */
final class CodeActionFeature {

    private CodeActionFeature() {
    }

    static List<CodeActionData> actions(Analysis a, SourceRange range, Function<String, CFrontResult> reparse) {
        List<CodeActionData> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (HtabDiagnostic d : a.diagnostics()) {
            if (d.mapName() == null || !overlaps(d.range(), range)) {
                continue;
            }
            MapFacts m = a.map(d.mapName());
            if (m == null) {
                continue;
            }
            if (d.code().equals("htab.create.ENOTSUPP") && m.isLru()
                    && (m.flags() & MapFlag.NO_PREALLOC.bit()) != 0) {
                add(out, seen, removeFlag(a, m.def(), "BPF_F_NO_PREALLOC", d.code()));
            } else if (d.code().equals("htab.create.EINVAL") && m.isHashFamily() && !m.isLru()
                    && (m.flags() & MapFlag.NO_COMMON_LRU.bit()) != 0 && d.message().contains("NO_COMMON_LRU")) {
                add(out, seen, removeFlag(a, m.def(), "BPF_F_NO_COMMON_LRU", d.code()));
            } else if (d.code().equals("key.padding")) {
                RecordType r = Padding.record(m.def().keyType());
                if (r != null) {
                    add(out, seen, reorder(a, r, reparse));
                    add(out, seen, explicitPadding(a, r, reparse));
                }
            }
        }
        // On the struct definition itself, when it is a padded key of some map.
        for (MapFacts m : a.maps()) {
            RecordType r = Padding.record(m.def().keyType());
            if (r != null && a.isThisDocument(r.uri()) && overlaps(r.range(), range)
                    && !Padding.holes(m.def().keyType()).isEmpty()) {
                add(out, seen, reorder(a, r, reparse));
                add(out, seen, explicitPadding(a, r, reparse));
            }
        }
        // Keys passed to map helpers with unwritten bytes.
        CallSiteFixes.actions(a, range, reparse, out);
        return out;
    }

    private static void add(List<CodeActionData> out, Set<String> seen, CodeActionData action) {
        if (action != null && seen.add(action.title())) {
            out.add(action);
        }
    }

    static boolean overlaps(SourceRange a, SourceRange b) {
        return !before(a.endLine(), a.endCol(), b.startLine(), b.startCol())
                && !before(b.endLine(), b.endCol(), a.startLine(), a.startCol());
    }

    private static boolean before(int l1, int c1, int l2, int c2) {
        return l1 < l2 || l1 == l2 && c1 < c2;
    }

    /**
     * Removes one flag from {@code __uint(map_flags, A | B)} (or {@code .map_flags = A | B,}); when it is the
     * only flag, the whole entry goes (with its line when nothing else is on it). Null when the flag is not
     * written literally (e.g. hidden in a macro).
     */
    static CodeActionData removeFlag(Analysis a, MapDefinition def, String flag, String code) {
        MapField field = def.field("map_flags");
        if (field == null || field.exprText() == null || field.valueRange() == null) {
            return null;
        }
        String expr = field.exprText().trim();
        if (expr.startsWith("(") && expr.endsWith(")")) {
            expr = expr.substring(1, expr.length() - 1);
        }
        if (expr.contains("(")) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String p : expr.split("\\|")) {
            parts.add(p.trim());
        }
        if (!parts.remove(flag)) {
            return null;
        }
        String title = "Remove " + flag + " from map " + def.name();
        if (!parts.isEmpty()) {
            return new CodeActionData(title, code, List.of(new TextEdit(field.valueRange(), String.join(" | ", parts))));
        }
        return new CodeActionData(title, code, List.of(deleteEntry(a, field.range())));
    }

    /** Deletes an entry with its terminating ';' or ',', and its whole line when nothing else is on it. */
    private static TextEdit deleteEntry(Analysis a, SourceRange range) {
        String text = a.text();
        TextIndex index = a.index();
        int start = index.offset(range, false);
        int end = index.offset(range, true);
        int e = end;
        while (e < text.length() && (text.charAt(e) == ' ' || text.charAt(e) == '\t')) {
            e++;
        }
        if (e < text.length() && (text.charAt(e) == ';' || text.charAt(e) == ',')) {
            end = e + 1;
        }
        int lineStart = index.offset(range.startLine(), 0);
        int lineEnd = lineStart + index.line(range.startLine()).length();
        boolean aloneOnLine = text.substring(lineStart, start).isBlank()
                && range.startLine() == index.lineOf(end) && text.substring(end, lineEnd).isBlank();
        if (aloneOnLine && range.startLine() + 1 < index.lineCount()) {
            return new TextEdit(new SourceRange(range.startLine(), 0, range.startLine() + 1, 0), "");
        }
        return new TextEdit(index.rangeOf(start, end), "");
    }

    /** Member declarations of a struct, grouped by declaration (so "int a, b;" moves as one). */
    private record Decl(SourceRange range, int align, List<Layout.Member> members) {
    }

    private static List<Decl> declarations(Analysis a, RecordType r) {
        if (r.isUnion() || r.isPacked() || !a.isThisDocument(r.uri()) || r.layout() == null) {
            return null;
        }
        Map<Integer, Decl> decls = new LinkedHashMap<>();
        for (Layout.Member m : r.layout().members()) {
            if (m.isBitField() || m.name() == null || m.declRange() == null
                    || m.declRange().equals(SourceRange.NONE) || !a.index().isValid(m.declRange())) {
                return null;
            }
            SourceRange full = wholeDeclaration(a, m.declRange());
            if (full == null) {
                return null;
            }
            int start = a.index().offset(full, false);
            Decl d = decls.get(start);
            if (d == null) {
                d = new Decl(full, m.type().align(), new ArrayList<>());
                decls.put(start, d);
            }
            d.members().add(m);
            if (m.type().align() > d.align()) {
                decls.put(start, new Decl(d.range(), m.type().align(), d.members()));
            }
        }
        return decls.isEmpty() ? null : new ArrayList<>(decls.values());
    }

    /**
     * A member's declaration through its ';' (the front end's range may stop at the declarator, and with
     * several declarators "int a, b;" each member's range ends at its own name).
     */
    private static SourceRange wholeDeclaration(Analysis a, SourceRange declRange) {
        String text = a.text();
        int start = a.index().offset(declRange, false);
        int end = a.index().offset(declRange, true);
        if (end > start && text.charAt(end - 1) == ';') {
            return declRange;
        }
        int depth = 0;
        for (int i = end; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    return null;
                }
                depth--;
            } else if (c == ';' && depth == 0) {
                return a.index().rangeOf(start, i + 1);
            }
        }
        return null;
    }

    /**
     * What goes between two member declarations: a newline and the first member's indentation, or a space
     * when the struct is written on one line.
     */
    private static String separator(Analysis a, SourceRange first) {
        String line = a.index().line(first.startLine());
        String before = line.substring(0, Math.min(first.startCol(), line.length()));
        return before.isBlank() ? "\n" + before : " ";
    }

    /** Sort member declarations by decreasing alignment (stable), if that leaves fewer padding bytes. */
    static CodeActionData reorder(Analysis a, RecordType r, Function<String, CFrontResult> reparse) {
        List<Decl> decls = declarations(a, r);
        if (decls == null || decls.size() < 2) {
            return null;
        }
        List<Decl> sorted = new ArrayList<>(decls);
        sorted.sort((x, y) -> Integer.compare(y.align(), x.align()));
        if (sorted.equals(decls)) {
            return null;
        }
        String separator = separator(a, decls.get(0).range());
        StringBuilder body = new StringBuilder();
        for (Decl d : sorted) {
            if (body.length() > 0) {
                body.append(separator);
            }
            body.append(a.text(), a.index().offset(d.range(), false), a.index().offset(d.range(), true));
        }
        SourceRange whole = decls.get(0).range().union(decls.get(decls.size() - 1).range());
        List<TextEdit> edits = List.of(new TextEdit(whole, body.toString()));
        long before = Padding.totalBytes(Padding.holes(r));
        CFrontResult reread = reparse.apply(TextEdits.apply(a.text(), edits));
        RecordType after = sameRecord(reread, r);
        if (!sameMembers(r, after) || errors(reread) > errors(a.result())) {
            return null;
        }
        long left = Padding.totalBytes(Padding.holes(after));
        if (left >= before) {
            return null;
        }
        String what = r.spelling();
        String title = left == 0 ? "Reorder fields of " + what + " to remove padding"
                : "Reorder fields of " + what + " to reduce padding (" + before + " \u2192 " + left + " bytes)";
        return new CodeActionData(title, "key.padding", edits);
    }

    /** Insert {@code __u8 __padN[size];} at every hole of the struct (its own holes, tail included). */
    static CodeActionData explicitPadding(Analysis a, RecordType r, Function<String, CFrontResult> reparse) {
        List<Decl> decls = declarations(a, r);
        if (decls == null || !r.layout().hasHoles()) {
            return null;
        }
        Set<String> names = new HashSet<>();
        for (Layout.Member m : r.layout().members()) {
            names.add(m.name());
        }
        String byteType = a.result().types().typedef("__u8") != null ? "__u8" : "unsigned char";
        String separator = separator(a, decls.get(0).range());
        Map<SourceRange, StringBuilder> inserts = new LinkedHashMap<>();
        int next = 0;
        for (Layout.Hole hole : r.layout().holes()) {
            Decl after = null;
            for (Decl d : decls) {
                Layout.Member last = d.members().get(d.members().size() - 1);
                if (last.offset() + last.size() <= hole.offset()) {
                    after = d;
                }
            }
            if (after == null) {
                return null;
            }
            String name;
            do {
                name = "__pad" + next++;
            } while (names.contains(name));
            String member = byteType + " " + name + (hole.size() == 1 ? "" : "[" + hole.size() + "]") + ";";
            inserts.computeIfAbsent(after.range(), k -> new StringBuilder()).append(separator).append(member);
        }
        List<TextEdit> edits = new ArrayList<>();
        for (Map.Entry<SourceRange, StringBuilder> e : inserts.entrySet()) {
            SourceRange end = new SourceRange(e.getKey().endLine(), e.getKey().endCol(), e.getKey().endLine(),
                    e.getKey().endCol());
            edits.add(new TextEdit(end, e.getValue().toString()));
        }
        CFrontResult reread = reparse.apply(TextEdits.apply(a.text(), edits));
        RecordType after = sameRecord(reread, r);
        if (after == null || after.layout() == null || after.layout().hasHoles() || after.size() != r.size()
                || errors(reread) > errors(a.result())) {
            return null;
        }
        return new CodeActionData("Add explicit padding members to " + r.spelling(), "key.padding", edits);
    }

    private static long errors(CFrontResult result) {
        return result == null ? Long.MAX_VALUE
                : result.diagnostics().stream().filter(d -> d.severity() == CDiagnostic.Severity.ERROR).count();
    }

    /** Reordering must keep every member (same names, same types). */
    private static boolean sameMembers(RecordType before, RecordType after) {
        if (after == null || after.layout() == null) {
            return false;
        }
        Map<String, String> x = new HashMap<>();
        for (Layout.Member m : before.layout().members()) {
            x.put(m.name(), m.type().spelling());
        }
        Map<String, String> y = new HashMap<>();
        for (Layout.Member m : after.layout().members()) {
            y.put(m.name(), m.type().spelling());
        }
        return x.equals(y);
    }

    /** The record of a re-read text that corresponds to {@code r} (by tag, else by start line). */
    private static RecordType sameRecord(CFrontResult result, RecordType r) {
        if (result == null) {
            return null;
        }
        if (r.name() != null) {
            return r.isUnion() ? result.types().union(r.name()) : result.types().struct(r.name());
        }
        for (RecordType other : result.types().records()) {
            if (other.name() == null && other.range().startLine() == r.range().startLine()
                    && other.range().startCol() == r.range().startCol()) {
                return other;
            }
        }
        return null;
    }
}
