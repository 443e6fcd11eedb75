package io.htablab.hashtab.cfront;

import io.htablab.hashtab.cfront.CDiagnostic.Severity;
import io.htablab.hashtab.cfront.CType.ArrayType;
import io.htablab.hashtab.cfront.CType.FuncType;
import io.htablab.hashtab.cfront.CType.IntType;
import io.htablab.hashtab.cfront.CType.PointerType;
import io.htablab.hashtab.cfront.CType.TypedefType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Recursive-descent parser for the declaration part of C that eBPF objects use. Function bodies and
 * initializers other than legacy map definitions are skipped by brace matching.
 */
final class CParser {

    static final IntType CHAR = new IntType("char", 1, 1, true);
    static final IntType SCHAR = new IntType("signed char", 1, 1, true);
    static final IntType UCHAR = new IntType("unsigned char", 1, 1, false);
    static final IntType SHORT = new IntType("short", 2, 2, true);
    static final IntType USHORT = new IntType("unsigned short", 2, 2, false);
    static final IntType INT = new IntType("int", 4, 4, true);
    static final IntType UINT = new IntType("unsigned int", 4, 4, false);
    static final IntType LONG = new IntType("long", 8, 8, true);
    static final IntType ULONG = new IntType("unsigned long", 8, 8, false);
    static final IntType LLONG = new IntType("long long", 8, 8, true);
    static final IntType ULLONG = new IntType("unsigned long long", 8, 8, false);
    static final IntType INT128 = new IntType("__int128", 16, 16, true);
    static final IntType UINT128 = new IntType("unsigned __int128", 16, 16, false);
    static final IntType BOOL = new IntType("_Bool", 1, 1, false);
    static final CType VOID = new CType.VoidType();

    static final String[] KERNEL_MAP_NAMES = {"unspec", "hash", "array", "prog_array", "perf_event_array",
        "percpu_hash", "percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie",
        "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash", "cgroup_storage",
        "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash",
        "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter", "user_ringbuf", "cgrp_storage",
        "arena"};

    static final Set<String> NUMERIC_MAP_FIELDS = Set.of("type", "max_entries", "map_flags", "key_size",
            "value_size", "numa_node", "pinning", "map_extra");

    /** Thrown to abandon the current declaration; the diagnostic is already recorded. */
    private static final class ParseError extends RuntimeException {
        ParseError() {
            super(null, null, false, false);
        }
    }

    /** An integer constant with the C type it has (32 or 64 bits, signed or not). */
    record Val(long v, boolean uns, boolean wide) {
        static Val of(long v, boolean uns, boolean wide) {
            if (!wide) {
                v = uns ? (v & 0xFFFFFFFFL) : (int) v;
            }
            return new Val(v, uns, wide);
        }
    }

    private static final class Attrs {
        boolean packed;
        int aligned;
        String section;
        boolean unknownAligned;

        void merge(Attrs o) {
            packed |= o.packed;
            aligned = Math.max(aligned, o.aligned);
            if (o.section != null) {
                section = o.section;
            }
        }
    }

    private static final class Spec {
        CType type;
        boolean isTypedef;
        boolean isExtern;
        final Attrs attrs = new Attrs();
        Token first;
    }

    private static final class Declarator {
        String name;
        Token nameTok;
        CType type;
        final Attrs attrs = new Attrs();
        Token arrayFirst;
        Token arrayLast;
        Val arrayValue;
        boolean arrayUnknown;
    }

    /** A member as written, kept for layouts and map fields. */
    static final class MemberSyntax {
        String name;
        SourceRange nameRange = SourceRange.NONE;
        SourceRange declRange = SourceRange.NONE;
        int file;
        CType type;
        int bitWidth = -1;
        boolean packed;
        int aligned;
        Token typeofFirst;
        Token typeofLast;
        Token arrayFirst;
        Token arrayLast;
        Val arrayValue;
        boolean arrayUnknown;
        /** For members a map definition reads: the array size / typeof text and where it is written. */
        String arrayText;
        SourceRange arrayRange;
        String typeofText;
        SourceRange typeofRange;
    }

    /** Member names a map definition reads (their texts are kept so a shared header can drop its tokens). */
    static final Set<String> MAP_MEMBER_NAMES = Set.of("type", "max_entries", "map_flags", "key_size",
            "value_size", "numa_node", "pinning", "map_extra", "key", "value", "values");

    private final String uri;
    private final String text;
    private final CFrontOptions options;
    private final List<CDiagnostic> diags = new ArrayList<>();
    private final List<SourceFile> files = new ArrayList<>();
    /** This parse's own layer, over the layers of the headers shared through {@link HeaderCache}. */
    private TypeTable types = new TypeTable();
    private final Map<String, CType> variables = new HashMap<>();
    private final Map<RecordType, List<MemberSyntax>> recordSyntax = new HashMap<>();
    /** The last shared header unit under this parse (its types, variables and record syntax lie underneath). */
    private HeaderUnit under;
    private final List<MapDefinition> maps = new ArrayList<>();
    private final List<FunctionDefinition> functions = new ArrayList<>();
    private final Set<String> reportedUnknown = new HashSet<>();
    private Token[] toks;
    private int pos;
    private boolean ppMode;
    private Preprocessor pp;
    private Token typeofFirst;
    private Token typeofLast;

    CParser(String uri, String text, CFrontOptions options) {
        this.uri = uri;
        this.text = text;
        this.options = options;
    }

    // ================================================================ driver

    CFrontResult run() {
        Map<String, MacroDef> macroDefs = Map.of();
        try {
            files.add(new SourceFile(null, "", null)); // index 0: the built-ins (their tokens come from the root unit)
            Path path = Preprocessor.pathOf(uri);
            files.add(new SourceFile(uri, text, path));
            pp = new Preprocessor(files, diags, options, uri != null && uri.startsWith("file:"), HeaderCache.SHARED);
            pp.startFrom(prelude());
            for (Map.Entry<String, String> e : options.predefinedMacros().entrySet()) {
                pp.define(e.getKey(), e.getValue() == null || e.getValue().isEmpty() ? "1" : e.getValue());
            }
            List<Token> main = pp.run(1);
            macroDefs = pp.macroDefs();
            layerOver(pp);
            toks = main.toArray(new Token[0]);
            for (int i = 0; i < toks.length; i++) {
                toks[i].index = i;
            }
            pos = 0;
            translationUnit();
        } catch (RuntimeException | StackOverflowError e) {
            diags.add(new CDiagnostic(Severity.ERROR, "internal-error", "C front end failure: " + e, uri,
                    SourceRange.NONE));
        }
        return new CFrontResult(uri, List.copyOf(maps), List.copyOf(diags), types, macroDefs,
                pp == null ? Map.of() : pp.includeSites, List.copyOf(functions));
    }

    /** Puts this parse's own layer over the header units its preprocessor read, and takes their maps. */
    private void layerOver(Preprocessor p) {
        under = p.lastUnit();
        types = new TypeTable(under == null ? null : under.types());
        for (HeaderUnit u : p.units) {
            maps.addAll(u.maps());
        }
    }

    private static volatile HeaderUnit prelude;

    /** The built-in knowledge ({@link Prelude}), parsed once per JVM: the root of every chain of header units. */
    static HeaderUnit prelude() {
        HeaderUnit u = prelude;
        if (u == null) {
            synchronized (CParser.class) {
                u = prelude;
                if (u == null) {
                    u = buildPrelude();
                    prelude = u;
                }
            }
        }
        return u;
    }

    private static HeaderUnit buildPrelude() {
        CParser c = new CParser(null, Prelude.TEXT, CFrontOptions.defaults().withSystemIncludePaths(List.of()));
        c.files.add(new SourceFile(null, Prelude.TEXT, null));
        c.pp = new Preprocessor(c.files, c.diags, c.options, false, null);
        c.pp.defineSpecials();
        c.toks = c.pp.run(0).toArray(new Token[0]);
        c.types = new TypeTable(null);
        for (int i = 0; i < c.toks.length; i++) {
            c.toks[i].index = i;
        }
        c.translationUnit();
        Map<String, Preprocessor.Macro> all = new HashMap<>(c.pp.macros);
        return new HeaderUnit("", HeaderCache.mix("", "prelude " + Prelude.TEXT.hashCode()), "<built-in>", null,
                java.util.Collections.unmodifiableMap(all), Set.of(), 0, c.types, Map.copyOf(c.variables),
                c.keptSyntax(), List.of(), List.of(), List.of(), Prelude.TEXT.length());
    }

    /**
     * Parses the header {@code path} on its own, starting in the state {@code including} stands in, and returns
     * it as a shareable unit (weight -1 when it must not be cached), or null when it cannot be read.
     */
    static HeaderUnit parseHeader(Preprocessor including, String before, Path path, String headerUri, int dirIndex) {
        CFrontOptions opts = including.options();
        Object stamp = opts.reader().fingerprint(path);
        java.util.Optional<String> read = opts.reader().read(path);
        if (read.isEmpty()) {
            return null;
        }
        String headerText = read.get();
        if (LAZY_HEADERS) {
            HeaderUnit lazy = LazyHeader.unit(including, before, path, headerUri, headerText, stamp);
            if (lazy != null) {
                return lazy;
            }
        }
        CParser c = new CParser(headerUri, headerText, opts);
        c.files.add(new SourceFile(null, "", null));
        SourceFile sf = new SourceFile(headerUri, headerText, path);
        sf.dirIndex = dirIndex;
        c.files.add(sf);
        c.pp = new Preprocessor(c.files, c.diags, opts, including.fileUris(), HeaderCache.SHARED);
        c.pp.continueFrom(including);
        c.pp.stamps.add(new HeaderUnit.Stamp(path, stamp));
        c.pp.charsRead += headerText.length();
        try {
            List<Token> tokens = c.pp.run(1);
            c.layerOver(c.pp);
            c.toks = tokens.toArray(new Token[0]);
            for (int i = 0; i < c.toks.length; i++) {
                c.toks[i].index = i;
            }
            c.pos = 0;
            c.translationUnit();
        } catch (RuntimeException | StackOverflowError e) {
            c.diags.add(new CDiagnostic(Severity.ERROR, "internal-error", "C front end failure: " + e, headerUri,
                    SourceRange.NONE));
            c.pp.uncacheable = true;
        }
        // what the header did to the macros: every name whose definition is not the including parse's
        Map<String, Preprocessor.Macro> delta = new HashMap<>();
        for (Map.Entry<String, Preprocessor.Macro> e : c.pp.macros.entrySet()) {
            if (including.macros.get(e.getKey()) != e.getValue()) {
                delta.put(e.getKey(), e.getValue());
            }
        }
        for (String name : including.macros.keySet()) {
            if (!c.pp.macros.containsKey(name)) {
                delta.put(name, null);
            }
        }
        Set<String> once = new HashSet<>(c.pp.onceFiles());
        once.removeAll(including.onceFiles());
        List<HeaderUnit.Stamp> stamps = List.copyOf(c.pp.stamps);
        StringBuilder read2 = new StringBuilder("unit ").append(path);
        for (HeaderUnit.Stamp st : stamps) {
            read2.append(' ').append(st.path()).append('=').append(st.fingerprint());
        }
        long weight = c.pp.uncacheable ? -1 : c.pp.charsRead;
        for (HeaderUnit u : c.pp.units) {
            if (u.weight() < 0) {
                weight = -1;
            }
        }
        return new HeaderUnit(before, HeaderCache.mix(before, read2.toString()), path.toString(), c.under,
                java.util.Collections.unmodifiableMap(delta), Set.copyOf(once), c.pp.counter(), c.types,
                Map.copyOf(c.variables), c.keptSyntax(), List.copyOf(c.maps), List.copyOf(c.diags), stamps, weight);
    }

    /** {@code -Dhtablab.cfront.lazyHeaders=false} parses bpftool-dumped headers eagerly (to compare the two). */
    static final boolean LAZY_HEADERS = !"false".equals(System.getProperty("htablab.cfront.lazyHeaders"));

    /** Parses one declaration of a lazily read header into its shared layer (the caller holds its lock). */
    static void parseDeclarationInto(LazyHeader lh, String chunk, int line) {
        CParser c = new CParser(lh.uri(), chunk, lh.options());
        c.files.add(new SourceFile(null, "", null));
        SourceFile sf = new SourceFile(lh.uri(), chunk, lh.path());
        sf.lineOffset = line;
        c.files.add(sf);
        c.pp = new Preprocessor(c.files, c.diags, lh.options(), lh.fileUris(), null, lh.macros());
        try {
            List<Token> tokens = c.pp.run(1);
            c.under = lh.previous();
            c.types = lh.table();
            c.toks = tokens.toArray(new Token[0]);
            for (int i = 0; i < c.toks.length; i++) {
                c.toks[i].index = i;
            }
            c.pos = 0;
            c.translationUnit();
        } catch (RuntimeException | StackOverflowError e) {
            // a declaration that cannot be read leaves its names unknown, as a parse error would
        }
    }

    /** The member syntax a later map definition may need: records with a member a map reads; tokens dropped. */
    private Map<RecordType, List<MemberSyntax>> keptSyntax() {
        Map<RecordType, List<MemberSyntax>> kept = new HashMap<>();
        for (Map.Entry<RecordType, List<MemberSyntax>> e : recordSyntax.entrySet()) {
            boolean mapLike = false;
            for (MemberSyntax m : e.getValue()) {
                if (m.name != null && MAP_MEMBER_NAMES.contains(m.name)) {
                    mapLike = true;
                    break;
                }
            }
            if (mapLike) {
                for (MemberSyntax m : e.getValue()) {
                    m.typeofFirst = null;
                    m.typeofLast = null;
                    m.arrayFirst = null;
                    m.arrayLast = null;
                }
                kept.put(e.getKey(), List.copyOf(e.getValue()));
            }
        }
        return java.util.Collections.unmodifiableMap(kept);
    }

    private CType variable(String name) {
        CType t = variables.get(name);
        if (t == null && under != null) {
            t = under.variable(name);
        }
        return t;
    }

    private List<MemberSyntax> syntaxOf(RecordType r) {
        List<MemberSyntax> s = recordSyntax.get(r);
        if (s == null && under != null) {
            s = under.syntaxOf(r);
        }
        return s == null ? List.of() : s;
    }

    /** Evaluates an #if expression (identifiers are 0); null when it is malformed. */
    static Long evalPreprocessorExpression(List<Token> expr, Preprocessor pp, String uri, Token where) {
        CParser p = new CParser(uri, "", CFrontOptions.defaults());
        p.ppMode = true;
        p.files.addAll(pp.files);
        List<Token> list = new ArrayList<>(expr);
        Token eof = new Token(Token.EOF, "", where.file, where.line, where.col, where.endLine, where.endCol);
        list.add(eof);
        p.toks = list.toArray(new Token[0]);
        try {
            Val v = p.conditional();
            if (p.peek().kind != Token.EOF) {
                p.error(p.peek(), "token is not a valid binary operator in a preprocessor subexpression");
            }
            pp.diags.addAll(p.diags);
            return v == null ? null : v.v();
        } catch (ParseError e) {
            pp.diags.addAll(p.diags);
            return null;
        }
    }

    private void translationUnit() {
        while (peek().kind != Token.EOF) {
            int start = pos;
            try {
                externalDeclaration();
            } catch (ParseError e) {
                recover(start);
            } catch (RuntimeException | StackOverflowError e) {
                diag(Severity.ERROR, "internal-error", "C front end failure: " + e, peek());
                recover(start);
            }
            if (pos == start) {
                pos++;
            }
        }
    }

    /** Skips to the end of the broken top-level declaration: a ';' or '}' back at brace depth 0. */
    private void recover(int start) {
        int depth = 0;
        for (int i = start; i < pos && i < toks.length; i++) {
            if (toks[i].is("{")) {
                depth++;
            } else if (toks[i].is("}")) {
                depth = Math.max(0, depth - 1);
            }
        }
        int errorLine = peek().line;
        while (peek().kind != Token.EOF) {
            Token t = peek();
            if (depth > 0 && t.line > errorLine && t.col == 0 && t.file == 1 && !t.fromMacro && startsDeclaration(t)) {
                return; // a missing '}': resume at the next declaration written in column 0
            }
            pos++;
            if (t.is("{")) {
                depth++;
            } else if (t.is("}")) {
                depth--;
                if (depth <= 0) {
                    if (peek().is(";")) {
                        pos++;
                    }
                    return;
                }
            } else if (t.is(";") && depth <= 0) {
                return;
            }
        }
    }

    private static boolean startsDeclaration(Token t) {
        return switch (t.text) {
            case "struct", "union", "enum", "typedef", "static", "SEC", "char", "int", "long", "unsigned", "extern",
                "const", "void", "__u32", "__u64", "u32", "u64", "#" -> true;
            default -> false;
        };
    }

    // ================================================================ token helpers

    private Token peek() {
        return toks[Math.min(pos, toks.length - 1)];
    }

    private Token peek(int ahead) {
        return toks[Math.min(pos + ahead, toks.length - 1)];
    }

    private Token advance() {
        Token t = peek();
        if (t.kind != Token.EOF) {
            pos++;
        }
        return t;
    }

    private boolean accept(String s) {
        if (peek().is(s) && peek().kind != Token.STRING) {
            pos++;
            return true;
        }
        return false;
    }

    private Token expect(String s) {
        Token t = peek();
        if (!t.is(s)) {
            error(t, "expected '" + s + "'" + (t.kind == Token.EOF ? " at end of input" : " before '" + t.text + "'"));
        }
        pos++;
        return t;
    }

    private Token prev() {
        return toks[Math.max(0, pos - 1)];
    }

    private ParseError error(Token at, String msg) {
        diag(Severity.ERROR, "syntax", msg, at);
        throw new ParseError();
    }

    private void diag(Severity sev, String code, String msg, Token at) {
        if (at.file == 0 && !ppMode) {
            return;
        }
        SourceFile f = at.file < files.size() ? files.get(at.file) : null;
        diags.add(new CDiagnostic(sev, code, msg, f == null ? uri : f.uri, at.range()));
    }

    private SourceRange rangeOf(Token a, Token b) {
        if (a.file != b.file) {
            return a.range();
        }
        SourceRange ra = a.range();
        SourceRange rb = b.range();
        return ra.union(rb);
    }

    private String uriOf(Token t) {
        return t.file == 0 ? null : files.get(t.file).uri;
    }

    private SourceRange posOf(Token t) {
        return t.file == 0 ? SourceRange.NONE : t.range();
    }

    /** The source text from a to b, or the tokens' spellings when the text is inside a macro body. */
    private String textOf(int from, int to) {
        if (from > to) {
            return "";
        }
        Token a = toks[from];
        Token b = toks[to];
        if (a.file == b.file && a.file > 0) {
            SourceRange r = rangeOf(a, b);
            String s = files.get(a.file).slice(r.startLine(), r.startCol(), r.endLine(), r.endCol());
            boolean insideOneExpansion = a.fromMacro && b.fromMacro && a.range().equals(b.range());
            if (s != null && (!insideOneExpansion || isIdentifier(s))) {
                return s;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to; i++) {
            if (i > from && toks[i].space) {
                sb.append(' ');
            }
            sb.append(toks[i].text);
        }
        return sb.toString();
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    private boolean isTypedefName(Token t) {
        return t.kind == Token.IDENT && types.typedef(t.text) != null;
    }

    // ================================================================ declarations

    private void externalDeclaration() {
        Token t = peek();
        if (accept(";")) {
            return;
        }
        if (t.is("_Static_assert") || t.is("static_assert")) {
            staticAssert();
            return;
        }
        if (t.is("asm") || t.is("__asm__") || t.is("__asm")) {
            advance();
            skipBalancedParens();
            accept(";");
            return;
        }
        Spec spec = specifiers(true);
        if (accept(";")) {
            return; // a struct/union/enum declaration, or a stray specifier list
        }
        boolean first = true;
        while (true) {
            Declarator d = declarator(spec.type, false);
            attributesInto(d.attrs);
            skipAsmLabel();
            attributesInto(d.attrs);
            if (first && d.type instanceof FuncType && peek().is("{")) {
                if (d.name != null) {
                    variables.put(d.name, d.type); // a known function: typeof(f(x)) is its return type
                }
                int bodyStart = pos;
                skipBalancedBraces();
                functionDefinition(d, bodyStart);
                return; // function definition
            }
            first = false;
            Attrs attrs = new Attrs();
            attrs.merge(spec.attrs);
            attrs.merge(d.attrs);
            if (d.name != null) {
                if (spec.isTypedef) {
                    int align = attrs.aligned;
                    TypedefType td = new TypedefType(d.name, d.type, align, uriOf(d.nameTok), posOf(d.nameTok));
                    types.putTypedef(td);
                } else {
                    variables.put(d.name, d.type);
                }
            }
            int initStart = -1;
            if (accept("=")) {
                initStart = pos;
                skipInitializer();
            }
            if (d.name != null && !spec.isTypedef && attrs.section != null) {
                mapFromDeclaration(spec, d, attrs.section, initStart);
            }
            if (accept(",")) {
                continue;
            }
            if (peek().is(";")) {
                advance();
                return;
            }
            error(peek(), "expected ';' after top level declarator");
        }
    }

    /** Hands a skipped body's tokens to the body analysis (cfront.body); the parser reads no further. */
    private void functionDefinition(Declarator d, int bodyStart) {
        if (d.nameTok == null || d.nameTok.file == 0 || d.nameTok.index < 0 || !(d.type instanceof FuncType ft)) {
            return;
        }
        functions.add(new FunctionDefinition(d.name, uriOf(d.nameTok), d.nameTok.range(), ft,
                publicTokens(d.nameTok.index + 1, bodyStart), publicTokens(bodyStart, pos)));
    }

    private List<CToken> publicTokens(int from, int to) {
        List<CToken> out = new ArrayList<>(Math.max(0, to - from));
        for (int i = from; i < to && i < toks.length; i++) {
            Token t = toks[i];
            CToken.Kind kind = switch (t.kind) {
                case Token.IDENT -> CToken.Kind.IDENT;
                case Token.NUMBER -> CToken.Kind.NUMBER;
                case Token.CHAR -> CToken.Kind.CHAR;
                case Token.STRING -> CToken.Kind.STRING;
                case Token.PUNCT -> CToken.Kind.PUNCT;
                default -> CToken.Kind.OTHER;
            };
            out.add(new CToken(kind, t.text, uriOf(t), t.range(), t.fromMacro));
        }
        return out;
    }

    private void staticAssert() {
        advance();
        skipBalancedParens();
        accept(";");
    }

    private void skipAsmLabel() {
        if (peek().is("asm") || peek().is("__asm__") || peek().is("__asm")) {
            advance();
            skipBalancedParens();
        }
    }

    private void skipBalancedParens() {
        Token open = expect("(");
        skipToClose(open, "(", ")");
    }

    private void skipBalancedBraces() {
        Token open = expect("{");
        skipToClose(open, "{", "}");
    }

    /**
     * Skips past the {@code closeText} matching {@code open} (already consumed), nesting included; at the end
     * of input the unmatched opener is reported where it stands.
     */
    private void skipToClose(Token open, String openText, String closeText) {
        int depth = 1;
        while (depth > 0) {
            Token t = advance();
            if (t.kind == Token.EOF) {
                error(open, "unmatched '" + openText + "'");
            }
            if (t.is(openText)) {
                depth++;
            } else if (t.is(closeText)) {
                depth--;
            }
        }
    }

    private void skipInitializer() {
        int depth = 0;
        while (true) {
            Token t = peek();
            if (t.kind == Token.EOF) {
                error(t, "unexpected end of input in initializer");
            }
            if (depth == 0 && (t.is(",") || t.is(";"))) {
                return;
            }
            if (t.is("{") || t.is("(") || t.is("[")) {
                depth++;
            } else if (t.is("}") || t.is(")") || t.is("]")) {
                depth--;
                if (depth < 0) {
                    error(t, "unbalanced '" + t.text + "' in initializer");
                }
            }
            pos++;
        }
    }

    private boolean isTypeStart(Token t) {
        if (t.kind != Token.IDENT) {
            return false;
        }
        return switch (t.text) {
            case "void", "char", "short", "int", "long", "float", "double", "signed", "__signed", "__signed__",
                "unsigned", "_Bool", "__int128", "__int128_t", "__uint128_t", "struct", "union", "enum", "const",
                "volatile", "restrict", "__restrict", "__restrict__", "__const", "__const__", "__volatile__",
                "typeof", "__typeof__", "__typeof", "_Atomic", "__attribute__", "__attribute", "static", "extern",
                "typedef", "inline", "__inline", "__inline__", "register", "auto", "_Alignas", "alignas",
                "__extension__", "_Noreturn", "_Thread_local", "__thread", "__auto_type", "_Float16", "__fp16" -> true;
            default -> isTypedefName(t);
        };
    }

    private Spec specifiers(boolean topLevel) {
        Spec s = new Spec();
        s.first = peek();
        int longs = 0, shorts = 0, signed = 0, unsigned = 0;
        String base = null;
        CType named = null;
        while (true) {
            Token t = peek();
            if (t.kind != Token.IDENT) {
                break;
            }
            switch (t.text) {
                case "typedef" -> { advance(); s.isTypedef = true; }
                case "extern" -> { advance(); s.isExtern = true; }
                case "static", "inline", "__inline", "__inline__", "register", "auto", "const", "volatile",
                    "restrict", "__restrict", "__restrict__", "__const", "__const__", "__volatile__", "__volatile",
                    "__extension__", "_Noreturn", "_Thread_local", "__thread" -> advance();
                case "_Atomic" -> {
                    advance();
                    if (peek().is("(")) {
                        advance();
                        named = typeName();
                        expect(")");
                    }
                }
                case "__attribute__", "__attribute" -> attributesInto(s.attrs);
                case "_Alignas", "alignas" -> {
                    advance();
                    expect("(");
                    long a;
                    if (isTypeStart(peek())) {
                        a = typeName().align();
                    } else {
                        Val v = conditional();
                        a = v == null ? 0 : v.v();
                    }
                    expect(")");
                    s.attrs.aligned = (int) Math.max(s.attrs.aligned, Math.min(a, 1 << 29));
                }
                case "long" -> { advance(); longs++; }
                case "short" -> { advance(); shorts++; }
                case "signed", "__signed", "__signed__" -> { advance(); signed++; }
                case "unsigned" -> { advance(); unsigned++; }
                case "void", "char", "int", "_Bool", "float", "double", "__int128", "_Float16", "__fp16" -> {
                    if (base != null || named != null) {
                        error(t, "cannot combine '" + t.text + "' with previous type specifier");
                    }
                    advance();
                    base = t.text;
                }
                case "__int128_t" -> { advance(); named = INT128; }
                case "__uint128_t" -> { advance(); named = UINT128; }
                case "__builtin_va_list" -> { advance(); named = new PointerType(CHAR); }
                case "struct", "union" -> named = record();
                case "enum" -> named = enumSpecifier();
                case "typeof", "__typeof__", "__typeof", "typeof_unqual", "__typeof_unqual__" -> named = typeofSpecifier();
                default -> {
                    boolean haveType = base != null || named != null || longs > 0 || shorts > 0 || signed > 0 || unsigned > 0;
                    if (haveType) {
                        return finish(s, longs, shorts, signed, unsigned, base, named);
                    }
                    TypedefType td = types.typedef(t.text);
                    if (td != null) {
                        advance();
                        named = td;
                    } else if (peek(1).kind == Token.IDENT || peek(1).is("*")) {
                        // "my_t x;" with my_t unknown: clang says unknown type name; keep going with an incomplete type
                        advance();
                        reportUnknown(t, "unknown-type", "unknown type name '" + t.text + "'");
                        named = new TypedefType(t.text, VOID, 0, null, SourceRange.NONE);
                    } else {
                        return finish(s, longs, shorts, signed, unsigned, base, named);
                    }
                }
            }
        }
        return finish(s, longs, shorts, signed, unsigned, base, named);
    }

    private void reportUnknown(Token t, String code, String msg) {
        if (reportedUnknown.add(code + ":" + t.file + ":" + t.line + ":" + t.col)) {
            diag(Severity.INFO, code, msg, t);
        }
    }

    private Spec finish(Spec s, int longs, int shorts, int signed, int unsigned, String base, CType named) {
        if (named != null) {
            if (longs + shorts + signed + unsigned > 0 || base != null) {
                if (named == INT128 && unsigned > 0) {
                    s.type = UINT128;
                    return s;
                }
                diag(Severity.ERROR, "syntax", "invalid combination of type specifiers", s.first);
            }
            s.type = named;
            return s;
        }
        boolean uns = unsigned > 0;
        if (base == null) {
            base = (longs + shorts + signed + unsigned) > 0 ? "int" : null;
        }
        if (base == null) {
            if (s.first.kind == Token.IDENT && !s.isTypedef && !s.isExtern && pos < toks.length && peek().is("(")) {
                s.type = INT;
            } else {
                // implicit int (C89); clang warns and accepts
                if (!ppMode) {
                    diag(Severity.WARNING, "implicit-int", "type specifier missing, defaults to 'int'", s.first);
                }
                s.type = INT;
            }
            return s;
        }
        switch (base) {
            case "void" -> s.type = VOID;
            case "_Bool" -> s.type = BOOL;
            case "char" -> s.type = signed > 0 ? SCHAR : uns ? UCHAR : CHAR;
            case "float", "_Float16", "__fp16" -> s.type = new CType.FloatType(base, base.equals("float") ? 4 : 2);
            case "double" -> s.type = new CType.FloatType(longs > 0 ? "long double" : "double", 8);
            case "__int128" -> s.type = uns ? UINT128 : INT128;
            default -> {
                if (shorts > 0) {
                    s.type = uns ? USHORT : SHORT;
                } else if (longs >= 2) {
                    s.type = uns ? ULLONG : LLONG;
                } else if (longs == 1) {
                    s.type = uns ? ULONG : LONG;
                } else {
                    s.type = uns ? UINT : INT;
                }
            }
        }
        return s;
    }

    private CType typeofSpecifier() {
        advance();
        Token open = expect("(");
        int start = pos;
        CType t;
        if (isTypeStart(peek())) {
            t = typeName();
        } else {
            t = typeOfExpression(open);
        }
        if (pos - 1 >= start) {
            typeofFirst = toks[start];
            typeofLast = toks[pos - 1];
        }
        expect(")");
        return t;
    }

    /** The type of the few expression shapes typeof() sees in map code. */
    private CType typeOfExpression(Token open) {
        int start = pos;
        CType typed = tryType(this::exprType);
        if (typed != null && peek().is(")")) {
            return typed;
        }
        pos = start;
        Token t = peek();
        if (t.kind == Token.IDENT && variable(t.text) != null) {
            int save = pos;
            advance();
            CType cur = variable(t.text);
            while (cur != null && !peek().is(")")) {
                CType r = cur.resolve();
                if ((peek().is(".") || peek().is("->")) && peek(1).kind == Token.IDENT) {
                    boolean arrow = advance().is("->");
                    Token mn = advance();
                    if (arrow) {
                        r = r instanceof PointerType p ? p.target().resolve() : null;
                    }
                    cur = null;
                    if (r instanceof RecordType rec && rec.layout() != null) {
                        Layout.Member f = findMember(rec, mn.text, new long[1]);
                        cur = f == null ? null : f.type();
                    }
                } else if (peek().is("[")) {
                    advance();
                    conditional();
                    expect("]");
                    cur = r instanceof ArrayType a ? a.element() : r instanceof PointerType p ? p.target() : null;
                } else {
                    cur = null;
                }
            }
            if (cur != null) {
                return cur;
            }
            pos = save;
        }
        if (t.kind == Token.IDENT && peek(1).is(")") && types.enumConstant(t.text) != null) {
            advance();
            return INT;
        }
        if (t.kind == Token.NUMBER && peek(1).is(")")) {
            advance();
            Val v = number(t);
            return v == null ? INT : v.wide() ? (v.uns() ? ULONG : LONG) : (v.uns() ? UINT : INT);
        }
        if (t.is("*") && peek(1).kind == Token.IDENT && peek(2).is(")") && variable(peek(1).text) != null) {
            advance();
            CType vt = variable(advance().text).resolve();
            if (vt instanceof PointerType p) {
                return p.target();
            }
            if (vt instanceof ArrayType a) {
                return a.element();
            }
        }
        // anything else: evaluate for its value and type it as an integer
        int save = pos;
        Val v = null;
        try {
            v = conditional();
        } catch (ParseError e) {
            pos = save;
        }
        if (v != null && peek().is(")")) {
            return v.wide() ? (v.uns() ? ULONG : LONG) : (v.uns() ? UINT : INT);
        }
        // skip to the matching ')' and give up on the type
        int depth = 0;
        while (peek().kind != Token.EOF) {
            if (peek().is("(")) {
                depth++;
            } else if (peek().is(")")) {
                if (depth == 0) {
                    break;
                }
                depth--;
            }
            advance();
        }
        reportUnknown(t, "unsupported-typeof", "typeof of this expression is not understood; its type is unknown");
        return new TypedefType("typeof(...)", VOID, 0, null, SourceRange.NONE);
    }

    // ---------------------------------------------------------------- the type of an expression (typeof, sizeof)

    /**
     * The C type of the expression at {@code pos} (a comma expression), following C's rules: integer promotions
     * and the usual arithmetic conversions, pointer arithmetic, member access through {@code .}/{@code ->} (also
     * through a cast such as {@code ((struct s *)0)->f}), subscripts, calls of declared functions and function
     * pointers, casts, {@code sizeof}/{@code _Alignof}/{@code offsetof} (unsigned long), string literals
     * ({@code char[N]}). Null when some part has no known type; tokens are consumed either way.
     */
    /** Runs a typer; on failure (null or a syntax error) rewinds nothing but drops what it reported. */
    private CType tryType(java.util.function.Supplier<CType> typer) {
        int nd = diags.size();
        CType t;
        try {
            t = typer.get();
        } catch (ParseError e) {
            t = null;
        }
        if (t == null) {
            while (diags.size() > nd) {
                diags.remove(diags.size() - 1);
            }
        }
        return t;
    }

    private CType exprType() {
        CType t = condType();
        while (peek().is(",")) {
            advance();
            t = condType();
        }
        return t;
    }

    private CType condType() {
        CType c = binType(1);
        if (!peek().is("?")) {
            return c;
        }
        advance();
        CType a = exprType();
        expect(":");
        CType b = condType();
        if (a == null || b == null) {
            return null;
        }
        if (isArith(a) && isArith(b)) {
            return arithmetic(a, b);
        }
        return decay(a);
    }

    private CType binType(int minPrec) {
        CType left = unaryType();
        while (true) {
            Token op = peek();
            int p = precedence(op);
            if (p < minPrec) {
                return left;
            }
            advance();
            CType right = binType(p + 1);
            left = binaryResult(op.text, left, right);
        }
    }

    private CType binaryResult(String op, CType a, CType b) {
        switch (op) {
            case "||", "&&", "==", "!=", "<", ">", "<=", ">=" -> {
                return INT;
            }
            default -> {
            }
        }
        if (a == null || b == null) {
            return null;
        }
        CType da = decay(a), db = decay(b);
        boolean pa = da.resolve() instanceof PointerType, pb = db.resolve() instanceof PointerType;
        if (op.equals("-") && pa && pb) {
            return LONG; // ptrdiff_t
        }
        if ((op.equals("+") || op.equals("-")) && pa && isArith(db)) {
            return da;
        }
        if (op.equals("+") && pb && isArith(da)) {
            return db;
        }
        if (op.equals("<<") || op.equals(">>")) {
            return isArith(da) ? promote(da) : null;
        }
        return isArith(da) && isArith(db) ? arithmetic(da, db) : null;
    }

    private CType unaryType() {
        Token t = peek();
        if (t.kind == Token.PUNCT) {
            switch (t.text) {
                case "(" -> {
                    if (isTypeStart(peek(1))) {
                        advance();
                        CType ct = typeName();
                        expect(")");
                        if (peek().is("{")) {
                            skipBalancedBraces(); // compound literal
                            return postfixType(ct);
                        }
                        unaryType();
                        return ct;
                    }
                }
                case "&" -> {
                    advance();
                    CType v = unaryType();
                    return v == null ? null : new PointerType(v);
                }
                case "*" -> {
                    advance();
                    CType v = unaryType();
                    return v == null ? null : pointee(v);
                }
                case "+", "-", "~" -> {
                    advance();
                    CType v = unaryType();
                    return v == null || !isArith(v) ? null : promote(v);
                }
                case "!" -> {
                    advance();
                    unaryType();
                    return INT;
                }
                case "++", "--" -> {
                    advance();
                    return unaryType();
                }
                default -> {
                }
            }
        }
        if (t.kind == Token.IDENT) {
            switch (t.text) {
                case "sizeof", "_Alignof", "__alignof__", "__alignof", "alignof" -> {
                    advance();
                    if (peek().is("(") && isTypeStart(peek(1))) {
                        advance();
                        typeName();
                        expect(")");
                    } else {
                        unaryType();
                    }
                    return ULONG;
                }
                case "__builtin_offsetof" -> {
                    advance();
                    skipBalancedParens();
                    return ULONG;
                }
                default -> {
                }
            }
        }
        return postfixType(primaryType());
    }

    private CType primaryType() {
        Token t = advance();
        switch (t.kind) {
            case Token.NUMBER -> {
                if (t.text.contains(".") || (!t.text.startsWith("0x") && !t.text.startsWith("0X")
                        && (t.text.contains("e") || t.text.contains("E")))) {
                    boolean f = t.text.endsWith("f") || t.text.endsWith("F");
                    return new CType.FloatType(f ? "float" : "double", f ? 4 : 8);
                }
                Val v = number(t);
                return v == null ? null : intTypeOf(v);
            }
            case Token.CHAR -> {
                return INT;
            }
            case Token.STRING -> {
                long n = stringLength(t.text);
                while (peek().kind == Token.STRING) {
                    n += stringLength(advance().text);
                }
                return new ArrayType(CHAR, n + 1);
            }
            case Token.IDENT -> {
                CType v = variable(t.text);
                if (v != null) {
                    return v;
                }
                TypeTable.EnumConstant c = types.enumConstant(t.text);
                if (c != null) {
                    return c.value() >= Integer.MIN_VALUE && c.value() <= Integer.MAX_VALUE ? INT
                            : c.owner().underlying() != null ? c.owner().underlying() : LONG;
                }
                return null;
            }
            default -> {
            }
        }
        if (t.is("(")) {
            CType v = exprType();
            expect(")");
            return v;
        }
        pos--;
        throw error(t, "expected expression before '" + t.text + "'");
    }

    private CType postfixType(CType v) {
        while (true) {
            if (peek().is("[")) {
                advance();
                CType idx = exprType();
                expect("]");
                if (v == null) {
                    continue;
                }
                CType p = decay(v).resolve();
                if (p instanceof PointerType pt) {
                    v = pt.target();
                } else if (idx != null && decay(idx).resolve() instanceof PointerType pt2) {
                    v = pt2.target(); // i[p]
                } else {
                    v = null;
                }
            } else if (peek().is("(")) {
                advance();
                while (!peek().is(")")) {
                    if (peek().kind == Token.EOF) {
                        error(peek(), "expected ')'");
                    }
                    condType();
                    if (!accept(",")) {
                        break;
                    }
                }
                expect(")");
                CType f = v == null ? null : v.resolve();
                if (f instanceof PointerType p && p.target().resolve() instanceof FuncType) {
                    f = p.target().resolve();
                }
                v = f instanceof FuncType ft ? ft.returnType() : null;
            } else if (peek().is(".") || peek().is("->")) {
                boolean arrow = advance().is("->");
                Token mn = advance();
                CType r = v == null ? null : arrow ? pointee(v) : v;
                r = r == null ? null : r.resolve();
                v = null;
                if (r instanceof RecordType rec && rec.layout() != null && mn.kind == Token.IDENT) {
                    Layout.Member f = findMember(rec, mn.text, new long[1]);
                    v = f == null ? null : f.type();
                }
            } else if (peek().is("++") || peek().is("--")) {
                advance();
            } else {
                return v;
            }
        }
    }

    private static CType pointee(CType v) {
        CType r = v.resolve();
        if (r instanceof PointerType p) {
            return p.target();
        }
        if (r instanceof ArrayType a) {
            return a.element();
        }
        return null;
    }

    /** Arrays and functions used as values become pointers. */
    private static CType decay(CType t) {
        CType r = t.resolve();
        if (r instanceof ArrayType a) {
            return new PointerType(a.element());
        }
        if (r instanceof FuncType) {
            return new PointerType(t);
        }
        return t;
    }

    private static boolean isArith(CType t) {
        CType r = t.resolve();
        return r instanceof IntType || r instanceof EnumType || r instanceof CType.FloatType;
    }

    /** Integer promotion: anything narrower than int (and _Bool, char, short, small enums) becomes int. */
    private static CType promote(CType t) {
        CType r = t.resolve();
        if (r instanceof EnumType e) {
            r = e.underlying() == null ? INT : e.underlying();
        }
        if (r instanceof IntType it && it.size() < 4) {
            return INT;
        }
        return r;
    }

    /** C's usual arithmetic conversions. */
    private static CType arithmetic(CType a, CType b) {
        CType x = promote(a), y = promote(b);
        if (x instanceof CType.FloatType || y instanceof CType.FloatType) {
            long sx = x instanceof CType.FloatType ? x.size() : 0, sy = y instanceof CType.FloatType ? y.size() : 0;
            return sx >= sy ? x : y;
        }
        if (!(x instanceof IntType ix) || !(y instanceof IntType iy)) {
            return null;
        }
        if (ix.equals(iy)) {
            return ix;
        }
        int rx = rank(ix), ry = rank(iy);
        if (ix.signed() == iy.signed()) {
            return rx >= ry ? ix : iy;
        }
        IntType u = ix.signed() ? iy : ix, sgn = ix.signed() ? ix : iy;
        if (rank(u) >= rank(sgn)) {
            return u;
        }
        if (sgn.size() > u.size()) {
            return sgn;
        }
        return unsignedOf(sgn);
    }

    private static int rank(IntType t) {
        String s = t.spelling();
        if (s.contains("long long")) {
            return 5;
        }
        if (s.contains("__int128")) {
            return 6;
        }
        return switch ((int) t.size()) {
            case 1 -> 1;
            case 2 -> 2;
            case 4 -> 3;
            default -> 4;
        };
    }

    private static IntType unsignedOf(IntType t) {
        if (t == LLONG) {
            return ULLONG;
        }
        if (t == LONG) {
            return ULONG;
        }
        if (t == INT128) {
            return UINT128;
        }
        return t.size() == 8 ? ULONG : UINT;
    }

    private static IntType intTypeOf(Val v) {
        return v.wide() ? (v.uns() ? ULONG : LONG) : (v.uns() ? UINT : INT);
    }

    CType typeName() {
        Spec s = specifiers(false);
        Declarator d = declarator(s.type, true);
        if (d.attrs.aligned > 0 && d.type instanceof CType) {
            return d.type;
        }
        return d.type;
    }

    // ---------------------------------------------------------------- attributes

    private void attributesInto(Attrs a) {
        while (peek().is("__attribute__") || peek().is("__attribute")) {
            advance();
            expect("(");
            expect("(");
            while (!peek().is(")")) {
                if (peek().kind == Token.EOF) {
                    error(peek(), "expected ')' in attribute");
                }
                if (accept(",")) {
                    continue;
                }
                Token name = advance();
                String n = name.text.startsWith("__") && name.text.endsWith("__") && name.text.length() > 4
                        ? name.text.substring(2, name.text.length() - 2) : name.text;
                if (n.equals("packed")) {
                    a.packed = true;
                } else if (n.equals("aligned")) {
                    if (accept("(")) {
                        Val v = conditional();
                        expect(")");
                        if (v == null) {
                            a.unknownAligned = true;
                        } else if (v.v() <= 0 || (v.v() & (v.v() - 1)) != 0) {
                            diag(Severity.ERROR, "syntax", "requested alignment is not a power of 2", name);
                        } else {
                            a.aligned = (int) Math.max(a.aligned, Math.min(v.v(), 1 << 29));
                        }
                    } else {
                        a.aligned = Math.max(a.aligned, 16); // bare 'aligned' is 16 on BPF (checked with clang 14)
                    }
                } else if (n.equals("section")) {
                    expect("(");
                    StringBuilder sb = new StringBuilder();
                    while (peek().kind == Token.STRING) {
                        String sv = advance().text;
                        sb.append(sv, 1, Math.max(1, sv.length() - 1));
                    }
                    expect(")");
                    a.section = sb.toString();
                } else if (peek().is("(")) {
                    skipBalancedParens();
                }
            }
            expect(")");
            expect(")");
        }
    }

    // ---------------------------------------------------------------- declarators

    private Declarator declarator(CType base, boolean abstractAllowed) {
        Attrs attrs = new Attrs();
        while (true) {
            if (peek().is("*")) {
                advance();
                base = new PointerType(base);
                continue;
            }
            Token t = peek();
            if (t.is("const") || t.is("volatile") || t.is("restrict") || t.is("__restrict") || t.is("__restrict__")
                    || t.is("__const") || t.is("_Atomic") || t.is("__volatile__")) {
                advance();
                continue;
            }
            if (t.is("__attribute__") || t.is("__attribute")) {
                attributesInto(attrs);
                continue;
            }
            break;
        }
        Declarator d;
        if (peek().is("(") && isNestedDeclarator()) {
            advance();
            int innerStart = pos;
            skipToMatchingParen();
            Declarator suffix = new Declarator();
            CType outer = suffixes(base, suffix);
            int after = pos;
            pos = innerStart;
            d = declarator(outer, abstractAllowed);
            expect(")");
            if (d.arrayFirst == null) {
                d.arrayFirst = suffix.arrayFirst;
                d.arrayLast = suffix.arrayLast;
                d.arrayValue = suffix.arrayValue;
                d.arrayUnknown = suffix.arrayUnknown;
            }
            pos = after;
        } else {
            d = new Declarator();
            if (peek().kind == Token.IDENT && !isTypeStartKeywordOnly(peek())) {
                d.nameTok = advance();
                d.name = d.nameTok.text;
            } else if (!abstractAllowed && !peek().is(":") && !peek().is("[")) {
                error(peek(), peek().kind == Token.EOF ? "expected identifier at end of input"
                        : "expected identifier or '(' before '" + peek().text + "'");
            }
            attributesInto(attrs);
            d.type = suffixes(base, d);
        }
        d.attrs.merge(attrs);
        return d;
    }

    private static boolean isTypeStartKeywordOnly(Token t) {
        return switch (t.text) {
            case "__attribute__", "__attribute", "const", "volatile" -> true;
            default -> false;
        };
    }

    private boolean isNestedDeclarator() {
        Token n = peek(1);
        if (n.is("*") || n.is("(") || n.is("^") || n.is("[")) {
            return !n.is("[") && !n.is("(") || n.is("(") && !isTypeStart(peek(2)) && !peek(2).is(")");
        }
        if (n.is("__attribute__")) {
            return true;
        }
        return n.kind == Token.IDENT && !isTypeStart(n);
    }

    private void skipToMatchingParen() {
        int depth = 1;
        while (true) {
            Token t = advance();
            if (t.kind == Token.EOF) {
                error(t, "expected ')'");
            }
            if (t.is("(")) {
                depth++;
            } else if (t.is(")")) {
                if (--depth == 0) {
                    return;
                }
            }
        }
    }

    private CType suffixes(CType base, Declarator d) {
        List<Long> dims = new ArrayList<>();
        List<Object> parts = new ArrayList<>();
        while (true) {
            if (peek().is("[")) {
                advance();
                while (peek().is("static") || peek().is("const") || peek().is("restrict") || peek().is("volatile")) {
                    advance();
                }
                if (accept("]")) {
                    parts.add(-1L);
                    continue;
                }
                int start = pos;
                Val v = conditional();
                d.arrayFirst = toks[start];
                d.arrayLast = toks[pos - 1];
                d.arrayValue = v;
                d.arrayUnknown = v == null;
                expect("]");
                long n;
                if (v == null) {
                    n = -2;
                } else if (v.v() < 0 && !(v.uns() && v.wide())) {
                    diag(Severity.ERROR, "syntax", "array has negative size", toks[start]);
                    n = -2;
                } else {
                    n = v.v();
                }
                parts.add(n);
            } else if (peek().is("(")) {
                advance();
                List<CType> params = new ArrayList<>();
                boolean variadic = false;
                while (!peek().is(")")) {
                    if (peek().kind == Token.EOF) {
                        error(peek(), "expected ')'");
                    }
                    if (accept("...")) {
                        variadic = true;
                        continue;
                    }
                    if (accept(",")) {
                        continue;
                    }
                    if (!isTypeStart(peek()) && peek().kind == Token.IDENT && (peek(1).is(",") || peek(1).is(")"))) {
                        advance(); // K&R identifier list
                        params.add(INT);
                        continue;
                    }
                    int paramStart = pos;
                    Spec ps = specifiers(false);
                    Declarator pd = declarator(ps.type, true);
                    attributesInto(pd.attrs);
                    if (pos == paramStart || (!peek().is(",") && !peek().is(")"))) {
                        error(peek(), "expected ')' to end the parameter list");
                    }
                    CType pt = pd.type;
                    if (pt instanceof ArrayType at) {
                        pt = new PointerType(at.element());
                    }
                    if (!(pt instanceof CType.VoidType)) {
                        params.add(pt);
                    }
                }
                expect(")");
                parts.add(new Object[] {params, variadic});
            } else {
                break;
            }
        }
        dims.clear();
        CType t = base;
        for (int i = parts.size() - 1; i >= 0; i--) {
            Object p = parts.get(i);
            if (p instanceof Long n) {
                if (n == -2) {
                    // unknown size: keep the element type visible but the size unknown
                    t = new ArrayType(t, -1);
                    t = new TypedefType(t.spelling(), VOID, 0, null, SourceRange.NONE);
                } else {
                    t = new ArrayType(t, n);
                }
            } else {
                Object[] f = (Object[]) p;
                @SuppressWarnings("unchecked")
                List<CType> params = (List<CType>) f[0];
                t = new FuncType(t, List.copyOf(params), (Boolean) f[1]);
            }
        }
        return t;
    }

    // ---------------------------------------------------------------- struct / union

    private CType record() {
        Token kw = advance();
        RecordType.Kind kind = kw.text.equals("struct") ? RecordType.Kind.STRUCT : RecordType.Kind.UNION;
        Attrs attrs = new Attrs();
        attributesInto(attrs);
        Token tag = null;
        if (peek().kind == Token.IDENT && !peek().is("__attribute__")) {
            tag = advance();
        }
        int beforeAttrs = pos;
        attributesInto(attrs);
        if (!peek().is("{")) {
            pos = beforeAttrs; // "struct x SEC(...) v": the attributes belong to the declaration
            if (tag == null) {
                error(peek(), "expected '{' or a tag after '" + kw.text + "'");
            }
            RecordType r = kind == RecordType.Kind.STRUCT ? types.struct(tag.text) : types.union(tag.text);
            if (r == null) {
                r = new RecordType(kind, tag.text, uriOf(tag), posOf(tag));
                put(r);
            }
            return r;
        }
        RecordType r;
        if (tag == null) {
            r = new RecordType(kind, null, uriOf(kw), posOf(kw));
        } else {
            RecordType old = kind == RecordType.Kind.STRUCT ? types.struct(tag.text) : types.union(tag.text);
            RecordType own = kind == RecordType.Kind.STRUCT ? types.ownStruct(tag.text) : types.ownUnion(tag.text);
            if (old != null && old.layout() == null && old == own) {
                r = old;
                r.setNameRange(posOf(tag));
            } else {
                if (old != null && old.uri() != null && tag.file != 0) {
                    diag(Severity.ERROR, "redefinition", "redefinition of '" + kw.text + " " + tag.text + "'", tag);
                }
                r = new RecordType(kind, tag.text, uriOf(tag), posOf(tag));
                put(r);
            }
        }
        types.addRecord(r);
        Token open = advance();
        List<MemberSyntax> members = new ArrayList<>();
        recordSyntax.put(r, members);
        while (!peek().is("}")) {
            if (peek().kind == Token.EOF) {
                diag(Severity.ERROR, "syntax", "expected '}' to match this '{'", open);
                break;
            }
            int start = pos;
            try {
                memberDeclaration(members);
            } catch (ParseError e) {
                recoverInRecord();
            }
            if (pos == start) {
                pos++;
            }
        }
        Token close = peek();
        if (close.is("}")) {
            advance();
        }
        attributesInto(attrs);
        boolean packed = attrs.packed;
        layout(r, members, packed, attrs.aligned, rangeOf(kw, close), kw);
        return r;
    }

    private void put(RecordType r) {
        if (r.kind() == RecordType.Kind.STRUCT) {
            types.putStruct(r);
        } else {
            types.putUnion(r);
        }
    }

    /** Skips the rest of a broken member declaration, stopping before the record's closing brace. */
    private void recoverInRecord() {
        int depth = 0;
        while (peek().kind != Token.EOF) {
            Token t = peek();
            if (t.is("{")) {
                depth++;
            } else if (t.is("}")) {
                if (depth == 0) {
                    return;
                }
                depth--;
            } else if (t.is(";") && depth == 0) {
                advance();
                return;
            }
            advance();
        }
    }

    private void memberDeclaration(List<MemberSyntax> members) {
        if (accept(";")) {
            return;
        }
        if (peek().is("_Static_assert") || peek().is("static_assert")) {
            staticAssert();
            return;
        }
        int declStart = pos;
        typeofFirst = null;
        typeofLast = null;
        Spec spec = specifiers(false);
        Token tf = typeofFirst, tl = typeofLast;
        if (peek().is(";")) {
            Token semi = advance();
            CType rt = spec.type;
            if (rt instanceof RecordType rec && rec.name() == null) {
                MemberSyntax m = new MemberSyntax();
                m.type = rt;
                m.file = toks[declStart].file;
                m.declRange = posOf(toks[declStart]).equals(SourceRange.NONE) ? SourceRange.NONE : rangeOf(toks[declStart], prev(semi));
                m.nameRange = m.declRange;
                m.packed = spec.attrs.packed;
                m.aligned = spec.attrs.aligned;
                members.add(m);
            } else {
                diag(Severity.WARNING, "syntax", "declaration does not declare anything", toks[declStart]);
            }
            return;
        }
        while (true) {
            MemberSyntax m = new MemberSyntax();
            m.file = toks[declStart].file;
            Declarator d;
            if (peek().is(":")) {
                d = new Declarator();
                d.type = spec.type;
            } else {
                d = declarator(spec.type, false);
            }
            attributesInto(d.attrs);
            if (accept(":")) {
                Token wt = peek();
                Val w = conditional();
                if (w == null) {
                    diag(Severity.ERROR, "syntax", "bit-field width is not a constant", wt);
                    m.bitWidth = 0;
                } else {
                    m.bitWidth = (int) Math.max(0, Math.min(w.v(), 1 << 20));
                    CType rt = d.type.resolve();
                    if (!(rt instanceof IntType) && !(rt instanceof EnumType)) {
                        diag(Severity.ERROR, "syntax", "bit-field has non-integral type '" + d.type.spelling() + "'", wt);
                    } else if (w.v() < 0) {
                        diag(Severity.ERROR, "syntax", "bit-field has negative width", wt);
                    } else if (d.type.size() >= 0 && w.v() > d.type.size() * 8) {
                        diag(Severity.ERROR, "syntax", "width of bit-field (" + w.v() + " bits) exceeds the width of its type ("
                                + d.type.size() * 8 + " bits)", wt);
                        m.bitWidth = (int) (d.type.size() * 8);
                    } else if (w.v() == 0 && d.name != null) {
                        diag(Severity.ERROR, "syntax", "named bit-field '" + d.name + "' has zero width", wt);
                    }
                }
                attributesInto(d.attrs);
            }
            m.name = d.name;
            m.type = d.type;
            m.nameRange = d.nameTok == null ? posOf(toks[declStart]) : posOf(d.nameTok);
            m.declRange = toks[declStart].file == 0 ? SourceRange.NONE : rangeOf(toks[declStart], prev());
            Attrs a = new Attrs();
            a.merge(spec.attrs);
            a.merge(d.attrs);
            m.packed = a.packed;
            m.aligned = a.aligned;
            m.typeofFirst = tf;
            m.typeofLast = tl;
            m.arrayFirst = d.arrayFirst;
            m.arrayLast = d.arrayLast;
            m.arrayValue = d.arrayValue;
            m.arrayUnknown = d.arrayUnknown;
            if (m.name != null && MAP_MEMBER_NAMES.contains(m.name)) {
                if (m.arrayFirst != null) {
                    m.arrayText = textOfTokens(m.arrayFirst, m.arrayLast);
                    m.arrayRange = rangeOf(m.arrayFirst, m.arrayLast);
                }
                if (m.typeofFirst != null) {
                    m.typeofText = textOfTokens(m.typeofFirst, m.typeofLast);
                    m.typeofRange = rangeOf(m.typeofFirst, m.typeofLast);
                }
            }
            members.add(m);
            if (accept(",")) {
                continue;
            }
            if (!peek().is(";")) {
                error(peek(), "expected ';' at end of declaration list");
            }
            advance();
            return;
        }
    }

    private Token prev(Token semi) {
        return toks[Math.max(0, pos - 2)];
    }

    // ---------------------------------------------------------------- layout (clang, non-MS bit-field rules)

    private void layout(RecordType r, List<MemberSyntax> members, boolean packed, int alignAttr, SourceRange range, Token kw) {
        boolean union = r.isUnion();
        long bit = 0;          // next free bit (struct) or max size in bits (union)
        long align = 1;
        boolean partial = false;
        List<Layout.Member> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            MemberSyntax m = members.get(i);
            CType t = m.type;
            long size = t.size();
            boolean flexible = t.resolve() instanceof ArrayType at && at.isFlexible();
            if (flexible) {
                size = 0;
                if (i != members.size() - 1 && !union && m.file != 0) {
                    diag(Severity.ERROR, "syntax", "flexible array member '" + m.name + "' not at end of struct", kwAt(m, kw));
                }
            }
            if (size < 0 || t instanceof CType.FuncType) {
                partial = true;
                if (!(t instanceof TypedefType td && td.target() instanceof CType.VoidType)) {
                    diag(Severity.ERROR, "incomplete-type", "field " + (m.name == null ? "" : "'" + m.name + "' ")
                            + "has incomplete type '" + t.spelling() + "'", kwAt(m, kw));
                }
                size = 0;
            }
            long typeAlign = t.align();
            if (m.bitWidth >= 0) {
                long w = m.bitWidth;
                long typeBits = Math.max(8, size * 8);
                long fieldAlignBits = (packed || m.packed) ? 8 : typeAlign * 8;
                if (m.aligned > 0) {
                    fieldAlignBits = Math.max(fieldAlignBits, m.aligned * 8L);
                }
                long off;
                if (union) {
                    off = 0;
                } else if (w == 0) {
                    off = roundUp(bit, typeAlign * 8);
                } else {
                    off = bit;
                    boolean allowPadding = !(packed || m.packed);
                    if (allowPadding && (off % (typeAlign * 8)) + w > typeBits) {
                        off = roundUp(off, typeAlign * 8);
                    }
                    if (m.aligned > 0) {
                        off = roundUp(off, m.aligned * 8L);
                    }
                }
                if (m.name != null) {
                    align = Math.max(align, fieldAlignBits / 8);
                } else if (m.aligned > 0) {
                    align = Math.max(align, m.aligned);
                }
                long end = off + w;
                bit = union ? Math.max(bit, roundUp(w, 8)) : Math.max(bit, end);
                long byteOff = off / 8;
                long bytes = w == 0 ? 0 : (end + 7) / 8 - byteOff;
                out.add(new Layout.Member(m.name, t, byteOff, off, (int) w, bytes, m.nameRange, m.declRange));
                continue;
            }
            long a = (packed || m.packed) ? 1 : typeAlign;
            if (m.aligned > 0) {
                a = Math.max(a, m.aligned);
            }
            align = Math.max(align, a);
            long off = union ? 0 : roundUp((bit + 7) / 8, a);
            if (union) {
                bit = Math.max(bit, size * 8);
            } else {
                bit = (off + size) * 8;
            }
            out.add(new Layout.Member(m.name, t, off, off * 8, -1, size, m.nameRange, m.declRange));
        }
        align = Math.max(align, alignAttr);
        long total = roundUp((bit + 7) / 8, align);
        List<Layout.Hole> holes = holes(out, total);
        r.complete(new Layout(total, (int) align, List.copyOf(out), holes), r.name() == null || kw.file == 0 ? range
                : range, packed, alignAttr, partial);
    }

    private static Token kwAt(MemberSyntax m, Token fallback) {
        return fallback;
    }

    private static boolean isUnnamedBitField(Layout.Member m) {
        return m.name() == null && m.isBitField();
    }

    private static long roundUp(long v, long a) {
        if (a <= 1) {
            return v;
        }
        return (v + a - 1) / a * a;
    }

    private static List<Layout.Hole> holes(List<Layout.Member> members, long total) {
        if (total <= 0 || total > (1 << 22)) {
            return List.of();
        }
        java.util.BitSet used = new java.util.BitSet((int) total);
        for (Layout.Member m : members) {
            if (isUnnamedBitField(m)) {
                continue; // BTF does not describe it: its bytes are padding as far as the kernel's key compare goes
            }
            cover(used, m.type(), m.bitWidth() >= 0 ? m.offset() : m.offset(), m.bitWidth() >= 0 ? m.size() : -1, total);
        }
        long lastEnd = 0;
        for (Layout.Member m : members) {
            lastEnd = Math.max(lastEnd, m.offset() + Math.max(0, m.size()));
        }
        List<Layout.Hole> holes = new ArrayList<>();
        int i = used.nextClearBit(0);
        while (i < total) {
            int j = used.nextSetBit(i);
            if (j < 0 || j > total) {
                j = (int) total;
            }
            holes.add(new Layout.Hole(i, j - i, j == total && i >= lastEnd));
            i = used.nextClearBit(j);
        }
        return List.copyOf(holes);
    }

    /** Marks the bytes a member really uses, looking inside nested records and arrays of them. */
    private static void cover(java.util.BitSet used, CType t, long off, long bitfieldBytes, long limit) {
        if (bitfieldBytes >= 0) {
            used.set((int) Math.min(off, limit), (int) Math.min(off + bitfieldBytes, limit));
            return;
        }
        CType r = t.resolve();
        long size = t.size();
        if (size <= 0) {
            return;
        }
        if (r instanceof RecordType rec && rec.layout() != null) {
            for (Layout.Member m : rec.layout().members()) {
                if (!isUnnamedBitField(m)) {
                    cover(used, m.type(), off + m.offset(), m.bitWidth() >= 0 ? m.size() : -1, limit);
                }
            }
            return;
        }
        if (r instanceof ArrayType a && a.element().resolve() instanceof RecordType && a.length() > 0 && a.length() <= 4096) {
            long es = a.element().size();
            for (long k = 0; k < a.length(); k++) {
                cover(used, a.element(), off + k * es, -1, limit);
            }
            return;
        }
        used.set((int) Math.min(off, limit), (int) Math.min(off + size, limit));
    }

    // ---------------------------------------------------------------- enums

    private CType enumSpecifier() {
        Token kw = advance();
        Attrs attrs = new Attrs();
        attributesInto(attrs);
        Token tag = null;
        if (peek().kind == Token.IDENT && !peek().is("__attribute__")) {
            tag = advance();
        }
        int beforeAttrs = pos;
        attributesInto(attrs);
        if (!peek().is("{") && !peek().is(":")) {
            pos = beforeAttrs;
        }
        CType fixed = null;
        if (peek().is(":")) {
            advance();
            fixed = typeName();
        }
        if (!peek().is("{")) {
            if (tag == null) {
                error(peek(), "expected '{' or a tag after 'enum'");
            }
            EnumType e = types.enumType(tag.text);
            if (e == null) {
                e = new EnumType(tag.text, uriOf(tag), posOf(tag));
                types.putEnum(e);
                if (fixed != null && fixed.resolve() instanceof IntType it) {
                    e.complete(it);
                }
            }
            return e;
        }
        EnumType e = new EnumType(tag == null ? null : tag.text, uriOf(tag == null ? kw : tag), posOf(tag == null ? kw : tag));
        if (tag != null) {
            types.putEnum(e);
        }
        advance();
        long next = 0;
        boolean nextKnown = true;
        long min = 0, max = 0;
        boolean any = false;
        boolean anyUnknown = false;
        boolean hasBig = false;
        while (!peek().is("}")) {
            Token name = peek();
            if (name.kind != Token.IDENT) {
                error(name, "expected identifier in enum");
            }
            advance();
            attributesInto(new Attrs());
            long value = next;
            boolean known = nextKnown;
            if (accept("=")) {
                Val v = conditional();
                known = v != null;
                value = v == null ? 0 : v.v();
                if (v != null && v.uns() && v.wide() && v.v() < 0) {
                    hasBig = true;
                }
            }
            if (known) {
                e.addConstant(name.text, value);
                types.putEnumConstant(new TypeTable.EnumConstant(name.text, value, e, uriOf(name), posOf(name)));
                if (!any) {
                    min = value;
                    max = value;
                } else if (!hasBig) {
                    min = Math.min(min, value);
                    max = Math.max(max, value);
                }
                any = true;
            } else {
                anyUnknown = true;
                types.putUnknownConstant(new TypeTable.EnumConstant(name.text, 0, e, uriOf(name), posOf(name)));
            }
            next = value + 1;
            nextKnown = known;
            if (!accept(",")) {
                break;
            }
        }
        expect("}");
        attributesInto(attrs);
        IntType u;
        if (fixed != null && fixed.resolve() instanceof IntType it) {
            u = it;
        } else if (fixed != null && fixed.resolve() instanceof EnumType et && et.underlying() != null) {
            u = et.underlying();
        } else if (attrs.packed) {
            if (min >= 0 && !hasBig) {
                u = max <= 0xFF ? UCHAR : max <= 0xFFFF ? USHORT : max <= 0xFFFFFFFFL ? UINT : ULONG;
            } else if (hasBig) {
                u = ULONG;
            } else {
                u = min >= -128 && max <= 127 ? SCHAR : min >= -32768 && max <= 32767 ? SHORT
                        : min >= Integer.MIN_VALUE && max <= Integer.MAX_VALUE ? INT : LONG;
            }
        } else if (hasBig) {
            u = ULONG;
        } else if (min >= Integer.MIN_VALUE && max <= Integer.MAX_VALUE) {
            u = min < 0 ? INT : UINT;
        } else if (min >= 0 && max <= 0xFFFFFFFFL) {
            u = UINT;
        } else {
            u = LONG;
        }
        if (anyUnknown && tag != null) {
            diag(Severity.INFO, "map-unknown-value", "some values of enum '" + tag.text + "' are unknown", tag);
        }
        e.complete(u);
        return e;
    }

    // ================================================================ constant expressions

    private Val conditional() {
        Val c = binary(0);
        if (accept("?")) {
            Val a = commaFree();
            expect(":");
            Val b = conditional();
            if (c == null) {
                return null;
            }
            Val r = c.v() != 0 ? a : b;
            if (a != null && b != null) {
                boolean wide = a.wide() || b.wide();
                boolean uns = (a.wide() == b.wide()) ? (a.uns() || b.uns()) : (a.wide() ? a.uns() : b.uns());
                return Val.of(r.v(), uns, wide);
            }
            return r;
        }
        return c;
    }

    private Val commaFree() {
        Val v = conditional();
        while (accept(",")) {
            v = conditional();
        }
        return v;
    }

    private static int precedence(Token t) {
        if (t.kind != Token.PUNCT) {
            return -1;
        }
        return switch (t.text) {
            case "||" -> 1;
            case "&&" -> 2;
            case "|" -> 3;
            case "^" -> 4;
            case "&" -> 5;
            case "==", "!=" -> 6;
            case "<", ">", "<=", ">=" -> 7;
            case "<<", ">>" -> 8;
            case "+", "-" -> 9;
            case "*", "/", "%" -> 10;
            default -> -1;
        };
    }

    private Val binary(int minPrec) {
        Val left = unary();
        while (true) {
            Token op = peek();
            int p = precedence(op);
            if (p < 0 || p <= minPrec - 1 || p < minPrec) {
                return left;
            }
            advance();
            Val right = binary(p + 1);
            left = apply(op, left, right);
        }
    }

    private Val apply(Token op, Val a, Val b) {
        String o = op.text;
        if (o.equals("&&")) {
            if (a != null && a.v() == 0) {
                return Val.of(0, false, ppMode);
            }
            return a == null || b == null ? null : Val.of(b.v() != 0 ? 1 : 0, false, ppMode);
        }
        if (o.equals("||")) {
            if (a != null && a.v() != 0) {
                return Val.of(1, false, ppMode);
            }
            return a == null || b == null ? null : Val.of(b.v() != 0 ? 1 : 0, false, ppMode);
        }
        if (a == null || b == null) {
            return null;
        }
        boolean shift = o.equals("<<") || o.equals(">>");
        boolean wide = shift ? a.wide() : (a.wide() || b.wide());
        boolean uns = shift ? a.uns() : (a.wide() == b.wide() ? (a.uns() || b.uns()) : (a.wide() ? a.uns() : b.uns()));
        long x = a.v(), y = b.v();
        if (!wide && !shift) {
            x = uns ? (x & 0xFFFFFFFFL) : (int) x;
            y = uns ? (y & 0xFFFFFFFFL) : (int) y;
        }
        int bits = wide ? 64 : 32;
        switch (o) {
            case "+": return Val.of(x + y, uns, wide);
            case "-": return Val.of(x - y, uns, wide);
            case "*": return Val.of(x * y, uns, wide);
            case "/":
            case "%":
                if (y == 0) {
                    diag(Severity.ERROR, "syntax", "division by zero in constant expression", op);
                    return null;
                }
                if (uns) {
                    return Val.of(o.equals("/") ? Long.divideUnsigned(x, y) : Long.remainderUnsigned(x, y), uns, wide);
                }
                return Val.of(o.equals("/") ? x / y : x % y, uns, wide);
            case "<<":
            case ">>":
                if (y < 0 || y >= bits) {
                    diag(Severity.WARNING, "shift-count", "shift count " + y + " is out of range for a " + bits + "-bit type", op);
                    return null;
                }
                if (o.equals("<<")) {
                    return Val.of(x << y, uns, wide);
                }
                if (uns) {
                    return Val.of((wide ? x : (x & 0xFFFFFFFFL)) >>> y, uns, wide);
                }
                return Val.of((wide ? x : (int) x) >> y, uns, wide);
            case "&": return Val.of(x & y, uns, wide);
            case "|": return Val.of(x | y, uns, wide);
            case "^": return Val.of(x ^ y, uns, wide);
            default:
                break;
        }
        int cmp = uns ? Long.compareUnsigned(x, y) : Long.compare(x, y);
        boolean r = switch (o) {
            case "==" -> cmp == 0;
            case "!=" -> cmp != 0;
            case "<" -> cmp < 0;
            case ">" -> cmp > 0;
            case "<=" -> cmp <= 0;
            default -> cmp >= 0;
        };
        return Val.of(r ? 1 : 0, false, ppMode);
    }

    private Val unary() {
        Token t = peek();
        if (t.kind == Token.PUNCT) {
            switch (t.text) {
                case "+" -> {
                    advance();
                    return unary();
                }
                case "-" -> {
                    advance();
                    Val v = unary();
                    return v == null ? null : Val.of(-v.v(), v.uns(), v.wide());
                }
                case "~" -> {
                    advance();
                    Val v = unary();
                    return v == null ? null : Val.of(~v.v(), v.uns(), v.wide());
                }
                case "!" -> {
                    advance();
                    Val v = unary();
                    return v == null ? null : Val.of(v.v() == 0 ? 1 : 0, false, ppMode);
                }
                case "&", "*", "++", "--" -> {
                    advance();
                    unary();
                    return null;
                }
                case "(" -> {
                    if (!ppMode && isTypeStart(peek(1))) {
                        advance();
                        CType ct = typeName();
                        expect(")");
                        if (peek().is("{")) {
                            skipBalancedBraces(); // compound literal
                            return null;
                        }
                        Val v = unary();
                        return cast(ct, v);
                    }
                }
                default -> {
                }
            }
        }
        if (t.kind == Token.IDENT && !ppMode) {
            switch (t.text) {
                case "sizeof", "_Alignof", "__alignof__", "__alignof", "alignof" -> {
                    advance();
                    boolean size = t.text.equals("sizeof");
                    CType ct;
                    if (peek().is("(") && isTypeStart(peek(1))) {
                        advance();
                        ct = typeName();
                        expect(")");
                    } else {
                        int save = pos;
                        ct = sizeofExpressionType();
                        if (ct == null) {
                            pos = save;
                            ct = tryType(this::unaryType);
                        }
                        if (ct == null) {
                            pos = save;
                            unary();
                            reportUnknown(t, "unknown-identifier", "the size of this expression is not known to the front end");
                            return null;
                        }
                    }
                    long v = size ? ct.size() : ct.align();
                    if (size && ct instanceof CType.VoidType) {
                        v = 1;
                    }
                    if (v < 0) {
                        reportUnknown(t, "incomplete-type", "invalid application of '" + t.text + "' to an incomplete type '"
                                + ct.spelling() + "'");
                        return null;
                    }
                    return Val.of(v, true, true);
                }
                case "__builtin_offsetof" -> {
                    return offsetof();
                }
                default -> {
                }
            }
        }
        return postfix(primary());
    }

    /** sizeof applied to an expression: variables, string literals, and numbers. */
    private CType sizeofExpressionType() {
        boolean paren = accept("(");
        Token t = peek();
        CType result = null;
        if (t.kind == Token.IDENT && variable(t.text) != null) {
            advance();
            result = variable(t.text);
            while (peek().is("[")) {
                advance();
                conditional();
                expect("]");
                CType r = result.resolve();
                result = r instanceof ArrayType a ? a.element() : r instanceof PointerType p ? p.target() : null;
                if (result == null) {
                    return null;
                }
            }
        } else if (t.kind == Token.STRING) {
            long n = 0;
            while (peek().kind == Token.STRING) {
                n += stringLength(advance().text);
            }
            result = new ArrayType(CHAR, n + 1);
        } else if (t.kind == Token.NUMBER || t.kind == Token.CHAR) {
            Val v = primary();
            result = v == null ? null : v.wide() ? LONG : INT;
        }
        if (result == null) {
            return null;
        }
        if (paren && !accept(")")) {
            return null;
        }
        return result;
    }

    private static long stringLength(String lit) {
        int q = lit.indexOf('"');
        long n = 0;
        for (int i = q + 1; i < lit.length() - 1; i++) {
            if (lit.charAt(i) == '\\') {
                i++;
                if (i < lit.length() - 1 && lit.charAt(i) == 'x') {
                    while (i + 1 < lit.length() - 1 && Character.digit(lit.charAt(i + 1), 16) >= 0) {
                        i++;
                    }
                } else if (i < lit.length() - 1 && lit.charAt(i) >= '0' && lit.charAt(i) <= '7') {
                    int k = 0;
                    while (k < 2 && i + 1 < lit.length() - 1 && lit.charAt(i + 1) >= '0' && lit.charAt(i + 1) <= '7') {
                        i++;
                        k++;
                    }
                }
            }
            n++;
        }
        return n;
    }

    private Val offsetof() {
        Token kw = advance();
        expect("(");
        CType t = typeName();
        expect(",");
        long off = 0;
        boolean known = true;
        CType cur = t;
        boolean first = true;
        while (true) {
            if (first || accept(".")) {
                Token name = advance();
                first = false;
                CType r = cur.resolve();
                Layout.Member found = null;
                long base = 0;
                if (r instanceof RecordType rec && rec.layout() != null) {
                    long[] baseOut = new long[1];
                    found = findMember(rec, name.text, baseOut);
                    base = baseOut[0];
                }
                if (found == null) {
                    diag(Severity.INFO, "unknown-identifier", "no member named '" + name.text + "' in '" + cur.spelling() + "'", name);
                    known = false;
                    cur = VOID;
                } else {
                    off += base + found.offset();
                    cur = found.type();
                }
            } else if (accept("[")) {
                Val idx = conditional();
                expect("]");
                CType r = cur.resolve();
                if (idx == null || !(r instanceof ArrayType a)) {
                    known = false;
                } else {
                    off += idx.v() * a.element().size();
                    cur = a.element();
                }
            } else {
                break;
            }
        }
        expect(")");
        return known ? Val.of(off, true, true) : null;
    }

    private static Layout.Member findMember(RecordType rec, String name, long[] base) {
        for (Layout.Member m : rec.layout().members()) {
            if (name.equals(m.name())) {
                return m;
            }
            if (m.name() == null && m.type().resolve() instanceof RecordType inner && inner.layout() != null) {
                long[] b = new long[1];
                Layout.Member f = findMember(inner, name, b);
                if (f != null) {
                    base[0] = m.offset() + b[0];
                    return f;
                }
            }
        }
        return null;
    }

    private Val cast(CType ct, Val v) {
        if (v == null) {
            return null;
        }
        CType r = ct.resolve();
        if (r instanceof EnumType e && e.underlying() != null) {
            r = e.underlying();
        }
        if (r instanceof IntType it) {
            if (it == BOOL) {
                return Val.of(v.v() != 0 ? 1 : 0, false, false);
            }
            long x = v.v();
            if (it.size() == 1) {
                x = it.signed() ? (byte) x : x & 0xFF;
            } else if (it.size() == 2) {
                x = it.signed() ? (short) x : x & 0xFFFF;
            }
            return Val.of(x, !it.signed(), it.size() > 4);
        }
        if (r instanceof PointerType) {
            return Val.of(v.v(), true, true);
        }
        return v;
    }

    private Val postfix(Val v) {
        while (true) {
            if (peek().is("[")) {
                advance();
                commaFree();
                expect("]");
                v = null;
            } else if (peek().is("(")) {
                advance();
                while (!peek().is(")")) {
                    if (peek().kind == Token.EOF) {
                        error(peek(), "expected ')'");
                    }
                    conditional();
                    if (!accept(",")) {
                        break;
                    }
                }
                expect(")");
                v = null;
            } else if (peek().is(".") || peek().is("->")) {
                advance();
                advance();
                v = null;
            } else if (peek().is("++") || peek().is("--")) {
                advance();
                v = null;
            } else {
                return v;
            }
        }
    }

    private Val primary() {
        Token t = advance();
        switch (t.kind) {
            case Token.NUMBER -> {
                Val v = number(t);
                if (v == null) {
                    diag(Severity.ERROR, "syntax", "invalid integer constant '" + t.text + "'", t);
                }
                return v;
            }
            case Token.CHAR -> {
                return charLiteral(t);
            }
            case Token.STRING -> {
                while (peek().kind == Token.STRING) {
                    advance();
                }
                return null;
            }
            case Token.IDENT -> {
                if (ppMode) {
                    if (peek().is("(")) {
                        diag(Severity.ERROR, "pp-directive", "function-like macro '" + t.text + "' is not defined", t);
                        throw new ParseError();
                    }
                    return Val.of(0, false, true);
                }
                TypeTable.EnumConstant c = types.enumConstant(t.text);
                if (c != null && !types.isUnknownConstant(t.text)) {
                    long v = c.value();
                    IntType u = c.owner().underlying();
                    boolean fitsInt = v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
                    if (fitsInt) {
                        return Val.of(v, false, false);
                    }
                    boolean uns = u != null && !u.signed();
                    return Val.of(v, uns, true);
                }
                if (c == null) {
                    reportUnknown(t, "unknown-identifier", "use of undeclared identifier '" + t.text + "'");
                }
                return null;
            }
            default -> {
            }
        }
        if (t.is("(")) {
            Val v = commaFree();
            expect(")");
            return v;
        }
        pos--;
        throw error(t, t.kind == Token.EOF ? "expected expression at end of input" : "expected expression before '" + t.text + "'");
    }

    static Val number(Token t) {
        String s = t.text.replace("'", "");
        int end = s.length();
        boolean uns = false;
        int longs = 0;
        while (end > 0) {
            char c = Character.toLowerCase(s.charAt(end - 1));
            if (c == 'u') {
                uns = true;
                end--;
            } else if (c == 'l') {
                longs++;
                end--;
            } else {
                break;
            }
        }
        String digits = s.substring(0, end);
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.startsWith("0b") || digits.startsWith("0B")) {
            radix = 2;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        if (digits.isEmpty() || digits.contains(".")) {
            return null;
        }
        long v;
        try {
            v = Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException e) {
            return null;
        }
        // C's rules for the type of an integer constant (int, unsigned int, long, unsigned long)
        boolean decimal = radix == 10;
        if (longs == 0 && !uns) {
            if (v >= 0 && v <= Integer.MAX_VALUE) {
                return Val.of(v, false, false);
            }
            if (!decimal && v >= 0 && v <= 0xFFFFFFFFL) {
                return Val.of(v, true, false);
            }
            return Val.of(v, v < 0 || !decimal && v < 0, true);
        }
        if (longs == 0) {
            return v >= 0 && v <= 0xFFFFFFFFL ? Val.of(v, true, false) : Val.of(v, true, true);
        }
        if (uns) {
            return Val.of(v, true, true);
        }
        return Val.of(v, v < 0 && !decimal, true);
    }

    private static Val charLiteral(Token t) {
        String s = t.text;
        int q = s.indexOf('\'');
        String body = s.substring(q + 1, Math.max(q + 1, s.length() - 1));
        long v;
        if (body.startsWith("\\")) {
            if (body.length() < 2) {
                return null;
            }
            char c = body.charAt(1);
            switch (c) {
                case 'n' -> v = 10;
                case 't' -> v = 9;
                case 'r' -> v = 13;
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    try {
                        v = Long.parseLong(body.substring(1), 8);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                case 'x' -> {
                    try {
                        v = Long.parseLong(body.substring(2), 16);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                case 'a' -> v = 7;
                case 'b' -> v = 8;
                case 'f' -> v = 12;
                case 'v' -> v = 11;
                case 'e' -> v = 27;
                default -> v = c;
            }
        } else if (body.isEmpty()) {
            return null;
        } else {
            v = body.charAt(0);
        }
        return Val.of(q == 0 ? (byte) v : v, false, false);
    }

    // ================================================================ maps

    private void mapFromDeclaration(Spec spec, Declarator d, String section, int initStart) {
        CType t = d.type.resolve();
        Token startTok = spec.first;
        SourceRange whole = d.nameTok.file == startTok.file ? rangeOf(startTok, toks[Math.max(0, pos - 1)]) : posOf(d.nameTok);
        if (peek().is(";") && peek().file == startTok.file) {
            whole = whole.union(peek().range());
        }
        if (section.equals(".maps")) {
            if (!(t instanceof RecordType rec) || rec.isUnion()) {
                diag(Severity.WARNING, "map-definition", "'" + d.name + "' is in section .maps but is not a struct", d.nameTok);
                return;
            }
            MapDefinition m = btfMap(d.name, d.nameTok, whole, rec, 0);
            if (m != null) {
                maps.add(m);
            }
        } else if (section.equals("maps") || section.startsWith("maps/")) {
            if (!(t instanceof RecordType rec) || rec.layout() == null) {
                diag(Severity.WARNING, "map-definition", "'" + d.name + "' is in section " + section
                        + " but is not a complete struct", d.nameTok);
                return;
            }
            maps.add(legacyMap(d.name, d.nameTok, whole, rec, initStart));
        }
    }

    private MapDefinition btfMap(String name, Token nameTok, SourceRange whole, RecordType rec, int depth) {
        List<MemberSyntax> members = syntaxOf(rec);
        Map<String, MapField> fields = new LinkedHashMap<>();
        Map<String, OptionalLong> nums = new HashMap<>();
        Set<String> unknown = new LinkedHashSet<>();
        CType keyType = null, valueType = null;
        MapDefinition inner = null;
        boolean hasValues = false;
        for (MemberSyntax m : members) {
            if (m.name == null) {
                continue;
            }
            CType mt = m.type.resolve();
            if (mt instanceof PointerType p && NUMERIC_MAP_FIELDS.contains(m.name)
                    && (p.target().resolve() instanceof ArrayType || m.arrayUnknown)) {
                OptionalLong v = m.arrayUnknown || m.arrayValue == null ? OptionalLong.empty() : OptionalLong.of(m.arrayValue.v());
                if (v.isEmpty()) {
                    unknown.add(m.name);
                }
                nums.put(m.name, v);
                String exprText = m.arrayText == null ? "" : m.arrayText;
                SourceRange vr = m.arrayRange == null ? m.declRange : m.arrayRange;
                fields.put(m.name, new MapField(m.name, m.declRange, exprText, vr, v, null));
            } else if (mt instanceof PointerType p && (m.name.equals("key") || m.name.equals("value"))) {
                CType target = p.target();
                String exprText = m.typeofText == null ? target.spelling() : m.typeofText;
                SourceRange vr = m.typeofRange == null ? m.declRange : m.typeofRange;
                OptionalLong size = target.size() >= 0 ? OptionalLong.of(target.size()) : OptionalLong.empty();
                fields.put(m.name, new MapField(m.name, m.declRange, exprText, vr, size, target));
                if (m.name.equals("key")) {
                    keyType = target;
                } else {
                    valueType = target;
                }
            } else if (mt instanceof ArrayType a && a.element().resolve() instanceof PointerType p && m.name.equals("values")) {
                hasValues = true;
                CType target = p.target();
                String exprText = m.typeofText == null ? target.spelling() : m.typeofText;
                SourceRange vr = m.typeofRange == null ? m.declRange : m.typeofRange;
                fields.put(m.name, new MapField(m.name, m.declRange, exprText, vr, OptionalLong.empty(), target));
                if (target.resolve() instanceof RecordType innerRec && depth < 4) {
                    String innerName = innerRec.name() == null ? name + ".values" : innerRec.name();
                    inner = btfMap(innerName, nameTok, innerRec.range(), innerRec, depth + 1);
                }
            } else if (m.file != 0) {
                diag(Severity.INFO, "map-definition", "member '" + m.name + "' of map '" + name
                        + "' is not a map attribute libbpf knows", nameTok);
            }
        }
        OptionalLong keySize = nums.containsKey("key_size") ? nums.get("key_size")
                : keyType == null ? OptionalLong.empty() : keyType.size() >= 0 ? OptionalLong.of(keyType.size()) : OptionalLong.empty();
        if (keyType != null && keyType.size() < 0 && !nums.containsKey("key_size")) {
            unknown.add("key");
        }
        OptionalLong valueSize = nums.containsKey("value_size") ? nums.get("value_size")
                : valueType == null ? (hasValues ? OptionalLong.of(4) : OptionalLong.empty())
                : valueType.size() >= 0 ? OptionalLong.of(valueType.size()) : OptionalLong.empty();
        if (valueType != null && valueType.size() < 0 && !nums.containsKey("value_size")) {
            unknown.add("value");
        }
        OptionalLong type = nums.getOrDefault("type", OptionalLong.empty());
        if (!nums.containsKey("type") && depth == 0 && nameTok.file != 0) {
            diag(Severity.WARNING, "map-definition", "map '" + name + "' has no type", nameTok);
        }
        if (depth == 0 && nameTok.file != 0 && type.isPresent()) {
            loaderCompletion(name, nameTok, type.getAsLong(), keySize, valueSize, nums.containsKey("max_entries"));
        }
        return new MapDefinition(name, uriOf(nameTok), posOf(nameTok), whole, MapDefinition.Style.BTF, type,
                typeName(type), kernelName(type), keySize, valueSize,
                nums.getOrDefault("max_entries", OptionalLong.empty()),
                nums.getOrDefault("map_flags", OptionalLong.of(0)),
                nums.getOrDefault("numa_node", OptionalLong.of(-1)),
                nums.getOrDefault("pinning", OptionalLong.of(0)),
                keyType, valueType, java.util.Collections.unmodifiableMap(fields), inner,
                java.util.Collections.unmodifiableSet(unknown));
    }

    /**
     * What the loader does with a map defined without some sizes (checked with libbpf 1.1 through bpftool 7.1 on
     * Linux 6.18): a perf_event_array without max_entries gets the number of possible CPUs; nothing fills in
     * key_size/value_size, so a perf_event_array or stack_trace without them fails BPF_MAP_CREATE with EINVAL.
     */
    private void loaderCompletion(String name, Token nameTok, long type, OptionalLong keySize, OptionalLong valueSize,
                                  boolean hasMaxEntries) {
        if (type == 4) { // BPF_MAP_TYPE_PERF_EVENT_ARRAY
            if (!hasMaxEntries) {
                diag(Severity.INFO, "map-loader", "map '" + name + "': max_entries is not given; libbpf sets it to the"
                        + " number of possible CPUs when it loads the object", nameTok);
            }
            if (keySize.isEmpty() || valueSize.isEmpty()) {
                diag(Severity.WARNING, "map-loader", "map '" + name + "': a perf_event_array needs key_size and value_size"
                        + " of 4 (sizeof(u32)); libbpf does not fill them in, so BPF_MAP_CREATE returns EINVAL", nameTok);
            }
        } else if (type == 7) { // BPF_MAP_TYPE_STACK_TRACE
            if (valueSize.isEmpty()) {
                diag(Severity.WARNING, "map-loader", "map '" + name + "': a stack_trace map needs value_size (a multiple"
                        + " of 8: depth * sizeof(u64)); libbpf does not fill it in, so BPF_MAP_CREATE returns EINVAL", nameTok);
            }
            if (!hasMaxEntries) {
                diag(Severity.WARNING, "map-loader", "map '" + name + "': max_entries is not given and libbpf does not"
                        + " fill it in for a stack_trace map: BPF_MAP_CREATE returns EINVAL", nameTok);
            }
        }
    }

    private String textOfTokens(Token a, Token b) {
        int ia = indexOf(a), ib = indexOf(b);
        if (ia < 0 || ib < 0) {
            return a.text;
        }
        return textOf(ia, ib);
    }

    private int indexOf(Token t) {
        int i = t.index;
        return i >= 0 && i < toks.length && toks[i] == t ? i : -1;
    }

    private MapDefinition legacyMap(String name, Token nameTok, SourceRange whole, RecordType rec, int initStart) {
        Map<String, MapField> fields = new LinkedHashMap<>();
        Map<String, OptionalLong> nums = new HashMap<>();
        Set<String> unknown = new LinkedHashSet<>();
        if (initStart >= 0 && toks[initStart].is("{")) {
            int save = pos;
            pos = initStart + 1;
            int positional = 0;
            List<Layout.Member> ms = rec.layout().members();
            try {
                while (!peek().is("}") && peek().kind != Token.EOF) {
                    Token fieldStart = peek();
                    String field;
                    if (accept(".")) {
                        field = advance().text;
                        expect("=");
                    } else {
                        field = positional < ms.size() ? ms.get(positional).name() : null;
                    }
                    int exprStart = pos;
                    Val v = conditional();
                    int exprEnd = pos - 1;
                    if (field != null) {
                        positional = 0;
                        for (int k = 0; k < ms.size(); k++) {
                            if (field.equals(ms.get(k).name())) {
                                positional = k;
                            }
                        }
                        positional++;
                        OptionalLong ov = v == null ? OptionalLong.empty() : OptionalLong.of(v.v() & 0xFFFFFFFFL);
                        if (v == null) {
                            unknown.add(field);
                        }
                        nums.put(field, ov);
                        fields.put(field, new MapField(field, rangeOf(fieldStart, toks[exprEnd]), textOf(exprStart, exprEnd),
                                rangeOf(toks[exprStart], toks[exprEnd]), ov, null));
                    }
                    if (!accept(",")) {
                        break;
                    }
                }
            } catch (ParseError e) {
                // reported; keep what was read
            }
            pos = save;
        } else if (nameTok.file != 0) {
            diag(Severity.WARNING, "map-definition", "legacy map '" + name + "' has no initializer", nameTok);
        }
        // fields not written are zero, as in any C initializer
        OptionalLong zero = OptionalLong.of(0);
        OptionalLong type = nums.getOrDefault("type", zero);
        return new MapDefinition(name, uriOf(nameTok), posOf(nameTok), whole, MapDefinition.Style.LEGACY, type,
                typeName(type), kernelName(type), nums.getOrDefault("key_size", zero), nums.getOrDefault("value_size", zero),
                nums.getOrDefault("max_entries", zero), nums.getOrDefault("map_flags", zero),
                nums.containsKey("numa_node") ? nums.get("numa_node") : OptionalLong.of(-1), nums.getOrDefault("pinning", zero),
                null, null, java.util.Collections.unmodifiableMap(fields), null,
                java.util.Collections.unmodifiableSet(unknown));
    }

    private static String kernelName(OptionalLong type) {
        if (type.isEmpty() || type.getAsLong() < 0 || type.getAsLong() >= KERNEL_MAP_NAMES.length) {
            return null;
        }
        return KERNEL_MAP_NAMES[(int) type.getAsLong()];
    }

    private static String typeName(OptionalLong type) {
        String k = kernelName(type);
        return k == null ? null : "BPF_MAP_TYPE_" + k.toUpperCase(java.util.Locale.ROOT);
    }
}
