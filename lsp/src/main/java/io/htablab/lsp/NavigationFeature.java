package io.htablab.lsp;

import io.htablab.hashtab.cfront.CToken;
import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.EnumType;
import io.htablab.hashtab.cfront.FunctionDefinition;
import io.htablab.hashtab.cfront.MacroDef;
import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.cfront.TypeTable;
import io.htablab.hashtab.cfront.body.FunctionBody;
import io.htablab.hashtab.cfront.body.Local;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Go to definition and find references for maps, their key/value types (struct, union and enum tags, typedef
 * names) and, inside function bodies, locals and parameters. Definitions come from the front end (which knows
 * the file and place of everything it read, headers included); references of maps and types are found by
 * scanning the text of this document and of every file the front end took a definition from, so uses in
 * included headers are listed too. Built-in names (the front end's own knowledge of well-known headers) have no
 * place and give nothing.
 */
final class NavigationFeature {

    /** What the cursor is on. */
    private record Symbol(Kind kind, String name, LocationData definition, Local local, FunctionBody body) {
        enum Kind { MAP, TAG, TYPEDEF, ENUM_CONSTANT, MACRO, LOCAL }
    }

    private NavigationFeature() {
    }

    static List<LocationData> definition(Analysis a, int line, int col) {
        Symbol s = symbolAt(a, line, col);
        return s == null || s.definition() == null ? List.of() : List.of(s.definition());
    }

    /**
     * Every use of the symbol at the cursor (the definition first when {@code includeDeclaration}). {@code read}
     * gives the text of another file by URI (open editor buffers first), empty when it cannot be read.
     */
    static List<LocationData> references(Analysis a, int line, int col, boolean includeDeclaration,
                                     Function<String, Optional<String>> read) {
        Symbol s = symbolAt(a, line, col);
        if (s == null) {
            return List.of();
        }
        Set<LocationData> out = new LinkedHashSet<>();
        if (includeDeclaration && s.definition() != null) {
            out.add(s.definition());
        }
        if (s.kind() == Symbol.Kind.LOCAL) {
            localReferences(a, s, out);
        } else {
            for (String uri : files(a)) {
                String text = a.isThisDocument(uri) ? a.text() : read.apply(uri).orElse(null);
                String fileUri = a.isThisDocument(uri) ? a.uri() : uri;
                for (IdentifierScanner.Occurrence o : IdentifierScanner.find(text, s.name())) {
                    if (matches(s.kind(), s.name(), o, a)) {
                        out.add(new LocationData(fileUri, o.range()));
                    }
                }
            }
        }
        if (!includeDeclaration && s.definition() != null) {
            out.remove(s.definition());
        }
        return new ArrayList<>(out);
    }

    private static boolean matches(Symbol.Kind kind, String name, IdentifierScanner.Occurrence o, Analysis a) {
        String p = o.previous();
        boolean member = p.equals(".") || p.equals("->");
        boolean tagged = p.equals("struct") || p.equals("union") || p.equals("enum");
        return switch (kind) {
            case TAG -> tagged;
            case MAP, TYPEDEF, ENUM_CONSTANT, MACRO -> !member && !tagged;
            case LOCAL -> false;
        };
    }

    /** The files the front end took definitions from: this document first, then its headers. */
    private static List<String> files(Analysis a) {
        Set<String> uris = new LinkedHashSet<>();
        uris.add(a.uri());
        TypeTable types = a.result().types();
        for (MapDefinition m : a.result().maps()) {
            uris.add(m.uri());
        }
        for (RecordType r : types.records()) {
            uris.add(r.uri());
        }
        for (CType.TypedefType t : types.typedefs()) {
            uris.add(t.uri());
        }
        for (EnumType e : types.enums()) {
            uris.add(e.uri());
        }
        for (MacroDef m : a.result().macros().values()) {
            uris.add(m.uri());
        }
        for (FunctionDefinition f : a.result().functions()) {
            uris.add(f.uri());
        }
        uris.remove(null);
        List<String> out = new ArrayList<>();
        for (String u : uris) {
            if (a.isThisDocument(u)) {
                if (!out.contains(a.uri())) {
                    out.add(0, a.uri());
                }
            } else {
                out.add(u);
            }
        }
        return out;
    }

    private static void localReferences(Analysis a, Symbol s, Set<LocationData> out) {
        List<CToken> toks = s.body().function().body();
        for (int i = 0; i < toks.size(); i++) {
            CToken t = toks.get(i);
            if (t.isIdent() && t.text().equals(s.name()) && !t.fromMacro() && a.isThisDocument(t.uri())
                    && s.body().localAt(t.text(), i) == s.local() && !after(toks, i, ".", "->")) {
                out.add(new LocationData(a.uri(), t.range()));
            }
        }
    }

    private static boolean after(List<CToken> toks, int i, String... puncts) {
        if (i == 0) {
            return false;
        }
        for (String p : puncts) {
            if (toks.get(i - 1).is(p)) {
                return true;
            }
        }
        return false;
    }

    private static LocationData at(Analysis a, String uri, SourceRange range) {
        if (uri == null || range == null || range.equals(SourceRange.NONE)) {
            return null;
        }
        return new LocationData(a.isThisDocument(uri) ? a.uri() : uri, range);
    }

    private static Symbol symbolAt(Analysis a, int line, int col) {
        TextIndex.Word word = a.index().wordAt(line, col);
        if (word == null) {
            return null;
        }
        String w = word.text();
        String before = a.index().wordBefore(line, word.range().startCol());
        TypeTable types = a.result().types();
        if ("struct".equals(before) || "union".equals(before) || "enum".equals(before)) {
            if ("enum".equals(before)) {
                EnumType e = types.enumType(w);
                return e == null ? null : new Symbol(Symbol.Kind.TAG, w, at(a, e.uri(), e.nameRange()), null, null);
            }
            RecordType r = "struct".equals(before) ? types.struct(w) : types.union(w);
            return r == null ? null : new Symbol(Symbol.Kind.TAG, w, at(a, r.uri(), r.nameRange()), null, null);
        }
        Symbol local = localAt(a, word);
        if (local != null) {
            return local;
        }
        MapDefinition m = CallSites.map(a, w);
        if (m != null) {
            return new Symbol(Symbol.Kind.MAP, w, at(a, m.uri(), m.nameRange()), null, null);
        }
        CType.TypedefType td = types.typedef(w);
        if (td != null) {
            return new Symbol(Symbol.Kind.TYPEDEF, w, at(a, td.uri(), td.range()), null, null);
        }
        TypeTable.EnumConstant ec = types.enumConstant(w);
        if (ec != null) {
            return new Symbol(Symbol.Kind.ENUM_CONSTANT, w, at(a, ec.uri(), ec.range()), null, null);
        }
        MacroDef macro = a.result().macros().get(w);
        if (macro != null && !macro.builtin()) {
            return new Symbol(Symbol.Kind.MACRO, w, at(a, macro.uri(), macro.range()), null, null);
        }
        RecordType bare = types.struct(w); // a tag named without its keyword (e.g. in a comment or a macro)
        if (bare != null) {
            return new Symbol(Symbol.Kind.TAG, w, at(a, bare.uri(), bare.nameRange()), null, null);
        }
        return null;
    }

    /** A local or parameter under the cursor inside one of this document's function bodies. */
    private static Symbol localAt(Analysis a, TextIndex.Word word) {
        SourceRange r = word.range();
        for (FunctionBody b : CallSites.of(a).bodies()) {
            for (Local l : b.locals()) {
                if (l.isParameter() && l.name().equals(word.text()) && l.nameRange().equals(r)) {
                    return localSymbol(a, l, b);
                }
            }
            List<CToken> toks = b.function().body();
            for (int i = 0; i < toks.size(); i++) {
                CToken t = toks.get(i);
                if (!t.isIdent() || !t.text().equals(word.text()) || !t.range().equals(r) || after(toks, i, ".", "->")) {
                    continue;
                }
                for (Local l : b.locals()) {
                    if (l.declaredAt() == i) {
                        return localSymbol(a, l, b);
                    }
                }
                Local l = b.localAt(t.text(), i);
                return l == null ? null : localSymbol(a, l, b);
            }
        }
        return null;
    }

    private static Symbol localSymbol(Analysis a, Local l, FunctionBody b) {
        return new Symbol(Symbol.Kind.LOCAL, l.name(), new LocationData(a.uri(), l.nameRange()), l, b);
    }
}
