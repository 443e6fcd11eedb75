package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CToken;
import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.cfront.TypeTable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads one body's tokens into locals and expressions. Statements are parsed loosely: a statement the parser does
 * not understand is skipped to its {@code ;} (or the end of its block) and parsing goes on. Recursion is bounded,
 * so deeply nested input is cut short instead of overflowing the stack.
 */
final class BodyParser {

    /** Abandons the current statement; recovery skips to its end. */
    private static final class Bail extends RuntimeException {
        Bail() {
            super(null, null, false, false);
        }
    }

    private static final int MAX_DEPTH = 160;

    private static final Set<String> QUALIFIERS = Set.of("const", "volatile", "restrict", "__restrict",
            "__restrict__", "__const", "__const__", "__volatile__", "__volatile", "_Atomic", "static", "register",
            "auto", "extern", "inline", "__inline", "__inline__", "__extension__", "_Thread_local", "__thread",
            "_Noreturn", "__always_inline");

    private static final Set<String> BASE_TYPES = Set.of("void", "char", "short", "int", "long", "float", "double",
            "signed", "__signed", "__signed__", "unsigned", "_Bool", "__int128", "__int128_t", "__uint128_t",
            "_Float16", "__fp16");

    private static final Set<String> STATEMENT_KEYWORDS = Set.of("if", "else", "while", "do", "for", "switch",
            "case", "default", "return", "break", "continue", "goto", "sizeof", "asm", "__asm__", "__asm",
            "_Static_assert", "static_assert", "_Alignof", "__alignof__", "__alignof");

    private final List<CToken> toks;
    private final TypeTable types;
    private final CToken eof;
    private int pos;
    private int depth;
    private final Deque<List<Local>> scopes = new ArrayDeque<>();
    final List<Local> locals = new ArrayList<>();
    /** Every statement written directly in a block, with the block's number (numbered as they open). */
    final List<FunctionBody.Statement> statements = new ArrayList<>();
    private final Deque<Integer> blocks = new ArrayDeque<>();
    private int nextBlock;
    /** Full expressions with the local they initialise (null for statements, conditions, returns). */
    final List<Object[]> roots = new ArrayList<>();

    BodyParser(List<CToken> toks, TypeTable types) {
        this.toks = toks;
        this.types = types;
        SourceRange end = toks.isEmpty() ? SourceRange.NONE : endOf(toks.get(toks.size() - 1).range());
        this.eof = new CToken(CToken.Kind.OTHER, "", null, end, false);
        scopes.push(new ArrayList<>());
    }

    private static SourceRange endOf(SourceRange r) {
        return new SourceRange(r.endLine(), r.endCol(), r.endLine(), r.endCol());
    }

    // ------------------------------------------------------------------ entry points

    /** Parameters from a function header {@code ( ... ) attributes}. */
    List<Local> parameters(int bodySize) {
        List<Local> out = new ArrayList<>();
        if (!peek().is("(")) {
            return out;
        }
        advance();
        while (!peek().is(")") && !atEnd()) {
            int start = pos;
            try {
                if (accept("...") || accept(",")) {
                    continue;
                }
                Spec spec = specifiers();
                if (spec == null) {
                    skipToParamEnd();
                    continue;
                }
                Declarator d = declarator(spec.type, true);
                skipAttributes();
                if (d.name != null) {
                    CType t = d.type;
                    if (t != null && t.resolve() instanceof CType.ArrayType a) {
                        t = new CType.PointerType(a.element()); // parameters of array type are pointers
                    }
                    Local p = new Local(d.name, t, new Span(-1, -1, d.nameTok.range()), true, bodySize);
                    out.add(p);
                }
                if (!peek().is(",") && !peek().is(")")) {
                    skipToParamEnd();
                }
            } catch (Bail e) {
                pos = Math.max(pos, start + 1);
                skipToParamEnd();
            }
        }
        return out;
    }

    private void skipToParamEnd() {
        int d = 0;
        while (!atEnd()) {
            CToken t = peek();
            if (d == 0 && (t.is(",") || t.is(")"))) {
                return;
            }
            if (t.is("(") || t.is("[") || t.is("{")) {
                d++;
            } else if (t.is(")") || t.is("]") || t.is("}")) {
                d--;
            }
            pos++;
        }
    }

    /** The body from its opening brace; parameters are in the outermost scope. */
    void body(List<Local> params) {
        scopes.peek().addAll(params);
        locals.addAll(params);
        if (!peek().is("{")) {
            return;
        }
        compound();
        while (!atEnd()) {
            // a stray '}' closed the body early: read the rest as statements of the body
            int before = pos;
            statement();
            if (pos == before) {
                pos++;
            }
        }
    }

    // ------------------------------------------------------------------ tokens

    private boolean atEnd() {
        return pos >= toks.size();
    }

    private CToken peek() {
        return pos < toks.size() ? toks.get(pos) : eof;
    }

    private CToken peek(int ahead) {
        int i = pos + ahead;
        return i < toks.size() ? toks.get(i) : eof;
    }

    private CToken advance() {
        CToken t = peek();
        if (pos < toks.size()) {
            pos++;
        }
        return t;
    }

    private boolean accept(String s) {
        if (peek().is(s) && peek().kind() != CToken.Kind.STRING) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String s) {
        if (!accept(s)) {
            throw new Bail();
        }
    }

    private Span span(int from, int to) {
        if (from >= to || from >= toks.size()) {
            SourceRange r = from < toks.size() ? toks.get(from).range() : eof.range();
            return new Span(from, Math.max(from, to), r);
        }
        CToken a = toks.get(from);
        CToken b = toks.get(Math.min(to, toks.size()) - 1);
        SourceRange r = a.uri() != null && a.uri().equals(b.uri()) || a.uri() == b.uri()
                ? a.range().union(b.range()) : a.range();
        return new Span(from, to, r);
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            depth--;
            throw new Bail();
        }
    }

    private void leave() {
        depth--;
    }

    // ------------------------------------------------------------------ scopes

    private Local lookup(String name) {
        for (List<Local> scope : scopes) {
            for (int i = scope.size() - 1; i >= 0; i--) {
                if (scope.get(i).name().equals(name)) {
                    return scope.get(i);
                }
            }
        }
        return null;
    }

    /** The block a declaration here belongs to; -1 inside a for (...) header, which is no block. */
    private int currentBlock() {
        return inForHeader > 0 || blocks.isEmpty() ? -1 : blocks.peek();
    }

    private int inForHeader;

    private void pushScope() {
        scopes.push(new ArrayList<>());
    }

    private void popScope(int end) {
        if (scopes.size() > 1) {
            for (Local l : scopes.pop()) {
                l.setScopeEnd(end);
            }
        }
    }

    // ------------------------------------------------------------------ statements

    private void compound() {
        enter();
        try {
            expect("{");
            pushScope();
            int block = nextBlock++;
            blocks.push(block);
            try {
                while (!atEnd() && !peek().is("}")) {
                    int before = pos;
                    statement();
                    if (pos == before) {
                        pos++;
                    }
                    statements.add(new FunctionBody.Statement(block, span(before, pos)));
                }
            } finally {
                blocks.pop();
                popScope(pos);
            }
            accept("}");
        } finally {
            leave();
        }
    }

    private void statement() {
        int start = pos;
        int savedScopes = scopes.size();
        int savedDepth = depth;
        try {
            statementOrBail();
        } catch (RuntimeException e) { // Bail, and any slip of the parser on odd input
            while (scopes.size() > savedScopes) {
                popScope(pos);
            }
            depth = savedDepth;
            pos = Math.max(pos, start);
            recover(start);
        }
    }

    /**
     * Skips to the end of the broken statement: past its ';', or up to a '}' that closes a block opened before the
     * statement. Only braces count, so an unclosed parenthesis cannot swallow the rest of the block.
     */
    private void recover(int start) {
        int braces = 0;
        for (int i = start; i < pos && i < toks.size(); i++) {
            CToken t = toks.get(i);
            if (t.is("{")) {
                braces++;
            } else if (t.is("}")) {
                braces = Math.max(0, braces - 1);
            }
        }
        while (!atEnd()) {
            CToken t = peek();
            if (t.is("}") && braces == 0) {
                return;
            }
            pos++;
            if (t.is("{")) {
                braces++;
            } else if (t.is("}")) {
                braces--;
            } else if (t.is(";") && braces == 0) {
                return;
            }
        }
    }

    private void statementOrBail() {
        enter();
        try {
            CToken t = peek();
            if (t.is("{")) {
                compound();
                return;
            }
            if (t.is(";")) {
                advance();
                return;
            }
            if (t.kind() == CToken.Kind.IDENT) {
                switch (t.text()) {
                    case "if" -> {
                        advance();
                        condition();
                        statement();
                        if (accept("else")) {
                            statement();
                        }
                        return;
                    }
                    case "while", "switch" -> {
                        advance();
                        condition();
                        statement();
                        return;
                    }
                    case "do" -> {
                        advance();
                        statement();
                        if (accept("while")) {
                            condition();
                        }
                        accept(";");
                        return;
                    }
                    case "for" -> {
                        advance();
                        forStatement();
                        return;
                    }
                    case "case" -> {
                        advance();
                        root(expression(), null);
                        expect(":");
                        return;
                    }
                    case "default" -> {
                        advance();
                        expect(":");
                        return;
                    }
                    case "return" -> {
                        advance();
                        if (!peek().is(";")) {
                            root(expression(), null);
                        }
                        expect(";");
                        return;
                    }
                    case "break", "continue" -> {
                        advance();
                        expect(";");
                        return;
                    }
                    case "goto" -> {
                        advance();
                        advance();
                        expect(";");
                        return;
                    }
                    case "asm", "__asm__", "__asm" -> {
                        advance();
                        while (peek().kind() == CToken.Kind.IDENT && !peek().is("(")) {
                            advance(); // volatile, goto, inline
                        }
                        skipBalanced("(", ")");
                        expect(";");
                        return;
                    }
                    case "_Static_assert", "static_assert" -> {
                        advance();
                        skipBalanced("(", ")");
                        expect(";");
                        return;
                    }
                    default -> {
                    }
                }
                if (peek(1).is(":") && !peek(2).is(":") && lookup(t.text()) == null && !isTypedefName(t)) {
                    advance(); // label
                    advance();
                    return;
                }
            }
            if (isDeclarationStart()) {
                declaration();
                return;
            }
            root(expression(), null);
            expect(";");
        } finally {
            leave();
        }
    }

    private void condition() {
        expect("(");
        root(expression(), null);
        expect(")");
    }

    private void forStatement() {
        expect("(");
        pushScope();
        try {
            if (isDeclarationStart()) {
                inForHeader++;
                try {
                    declaration();
                } finally {
                    inForHeader--;
                }
            } else {
                if (!peek().is(";")) {
                    root(expression(), null);
                }
                expect(";");
            }
            if (!peek().is(";")) {
                root(expression(), null);
            }
            expect(";");
            if (!peek().is(")")) {
                root(expression(), null);
            }
            expect(")");
            statement();
        } finally {
            popScope(pos);
        }
    }

    private void root(Expr e, Local initialised) {
        roots.add(new Object[] {e, initialised});
    }

    private void skipBalanced(String open, String close) {
        expect(open);
        int d = 1;
        while (d > 0) {
            if (atEnd()) {
                throw new Bail();
            }
            CToken t = advance();
            if (t.is(open)) {
                d++;
            } else if (t.is(close)) {
                d--;
            }
        }
    }

    private void skipAttributes() {
        while (peek().is("__attribute__") || peek().is("__attribute")) {
            advance();
            skipBalanced("(", ")");
        }
    }

    // ------------------------------------------------------------------ declarations

    private boolean isTypedefName(CToken t) {
        return t.kind() == CToken.Kind.IDENT && types.typedef(t.text()) != null && lookup(t.text()) == null;
    }

    /** Whether a type name starts here (for casts, sizeof and compound literals). */
    private boolean isTypeNameStart(CToken t) {
        if (t.kind() != CToken.Kind.IDENT) {
            return false;
        }
        String s = t.text();
        return BASE_TYPES.contains(s) || s.equals("struct") || s.equals("union") || s.equals("enum")
                || s.equals("const") || s.equals("volatile") || s.equals("typeof") || s.equals("__typeof__")
                || s.equals("__typeof") || s.equals("_Atomic") || isTypedefName(t);
    }

    private boolean isDeclarationStart() {
        CToken t = peek();
        if (t.kind() != CToken.Kind.IDENT || STATEMENT_KEYWORDS.contains(t.text())) {
            return false;
        }
        String s = t.text();
        if (BASE_TYPES.contains(s) || QUALIFIERS.contains(s) || s.equals("struct") || s.equals("union")
                || s.equals("enum") || s.equals("typeof") || s.equals("__typeof__") || s.equals("__typeof")
                || s.equals("__auto_type") || s.equals("_Alignas") || s.equals("__attribute__")) {
            return true;
        }
        if (lookup(s) != null) {
            return false;
        }
        CToken n = peek(1);
        if (types.typedef(s) != null) {
            return n.kind() == CToken.Kind.IDENT || n.is("*") || n.is("(") && peek(2).is("*");
        }
        // "unknown_t x;" / "unknown_t *p = ...;" with a type the front end did not read: still a declaration
        if (n.kind() == CToken.Kind.IDENT && !STATEMENT_KEYWORDS.contains(n.text())) {
            CToken a = peek(2);
            return a.is("=") || a.is(";") || a.is(",") || a.is("[");
        }
        if (n.is("*") && peek(2).kind() == CToken.Kind.IDENT) {
            CToken a = peek(3);
            return a.is("=") || a.is(";") || a.is(",");
        }
        return false;
    }

    private static final class Spec {
        CType type;
        boolean autoType;
    }

    private static final class Declarator {
        String name;
        CToken nameTok;
        int nameIndex = -1;
        CType type;
    }

    private void declaration() {
        int start = pos;
        Spec spec = specifiers();
        if (spec == null) {
            throw new Bail();
        }
        if (accept(";")) {
            return; // "struct s;" or an inline struct definition without a declarator
        }
        List<Local> declared = new ArrayList<>();
        while (true) {
            Declarator d = declarator(spec.type, false);
            skipAttributes();
            int declEnd = pos;
            Local local = null;
            if (d.name != null) {
                local = new Local(d.name, d.type, span(d.nameIndex, d.nameIndex + 1), false, toks.size());
                local.setBlock(currentBlock());
                local.setDeclaratorEnd(span(declEnd - 1, declEnd));
                scopes.peek().add(local);
                locals.add(local);
                declared.add(local);
            }
            if (accept("=")) {
                Initializer init = initializer();
                if (local != null) {
                    local.setInitializer(init);
                    if (spec.autoType && init.expr() != null) {
                        Local typed = new Local(local.name(), Exprs.typeOf(init.expr()), local.nameSpan(), false,
                                toks.size());
                        typed.setDeclaratorEnd(local.declaratorEnd());
                        typed.setBlock(local.block());
                        typed.setInitializer(init);
                        replace(local, typed);
                        declared.set(declared.size() - 1, typed);
                        local = typed;
                    }
                }
                if (init.expr() != null) {
                    root(init.expr(), local);
                } else {
                    for (Initializer.Item item : allItems(init)) {
                        if (item.value() != null) {
                            root(item.value(), null);
                        }
                    }
                }
            }
            if (accept(",")) {
                continue;
            }
            expect(";");
            break;
        }
        Span whole = span(start, pos);
        for (Local l : declared) {
            l.setDeclaration(whole);
        }
    }

    private void replace(Local old, Local now) {
        List<Local> scope = scopes.peek();
        int i = scope.indexOf(old);
        if (i >= 0) {
            scope.set(i, now);
        }
        int j = locals.indexOf(old);
        if (j >= 0) {
            locals.set(j, now);
        }
    }

    private static List<Initializer.Item> allItems(Initializer init) {
        return init.items() == null ? List.of() : init.items();
    }

    /** Declaration specifiers; null when none are here. The type is null when it was not understood. */
    private Spec specifiers() {
        Spec s = new Spec();
        int start = pos;
        int longs = 0, shorts = 0, unsigned = 0, signed = 0;
        String base = null;
        CType named = null;
        boolean unknown = false;
        while (true) {
            CToken t = peek();
            if (t.kind() != CToken.Kind.IDENT) {
                break;
            }
            String x = t.text();
            if (QUALIFIERS.contains(x)) {
                advance();
                if (x.equals("_Atomic") && peek().is("(")) {
                    advance();
                    CType inner = typeName();
                    expect(")");
                    named = inner;
                }
                continue;
            }
            if (x.equals("__attribute__") || x.equals("__attribute") || x.equals("_Alignas") || x.equals("alignas")) {
                advance();
                skipBalanced("(", ")");
                continue;
            }
            boolean haveType = base != null || named != null || unknown || longs + shorts + unsigned + signed > 0;
            switch (x) {
                case "long" -> { advance(); longs++; continue; }
                case "short" -> { advance(); shorts++; continue; }
                case "unsigned" -> { advance(); unsigned++; continue; }
                case "signed", "__signed", "__signed__" -> { advance(); signed++; continue; }
                case "void", "char", "int", "_Bool", "float", "double", "__int128", "_Float16", "__fp16" -> {
                    advance();
                    base = x;
                    continue;
                }
                case "__int128_t" -> { advance(); named = new CType.IntType("__int128", 16, 16, true); continue; }
                case "__uint128_t" -> {
                    advance();
                    named = new CType.IntType("unsigned __int128", 16, 16, false);
                    continue;
                }
                case "__auto_type" -> { advance(); s.autoType = true; unknown = true; continue; }
                case "struct", "union", "enum" -> {
                    if (haveType) {
                        break;
                    }
                    advance();
                    named = tagged(x);
                    unknown = named == null;
                    continue;
                }
                case "typeof", "__typeof__", "__typeof", "typeof_unqual", "__typeof_unqual__" -> {
                    if (haveType) {
                        break;
                    }
                    advance();
                    expect("(");
                    if (isTypeNameStart(peek())) {
                        named = typeName();
                    } else {
                        named = Exprs.typeOf(expression());
                    }
                    expect(")");
                    unknown = named == null;
                    continue;
                }
                default -> {
                }
            }
            if (haveType) {
                break;
            }
            CType.TypedefType td = types.typedef(x);
            if (td != null && lookup(x) == null) {
                advance();
                named = td;
                continue;
            }
            if (pos == start && peek(1).kind() == CToken.Kind.IDENT || pos == start && peek(1).is("*")) {
                advance(); // an unknown type name
                unknown = true;
                continue;
            }
            break;
        }
        if (pos == start) {
            return null;
        }
        if (named != null) {
            s.type = named;
        } else if (unknown) {
            s.type = null;
        } else {
            s.type = intType(base, longs, shorts, unsigned > 0, signed > 0);
        }
        return s;
    }

    private static CType intType(String base, int longs, int shorts, boolean uns, boolean sig) {
        if (base == null) {
            base = "int";
        }
        return switch (base) {
            case "void" -> Exprs.VOID;
            case "_Bool" -> new CType.IntType("_Bool", 1, 1, false);
            case "char" -> sig ? new CType.IntType("signed char", 1, 1, true)
                    : uns ? new CType.IntType("unsigned char", 1, 1, false) : Exprs.CHAR;
            case "float" -> new CType.FloatType("float", 4);
            case "_Float16", "__fp16" -> new CType.FloatType(base, 2);
            case "double" -> new CType.FloatType(longs > 0 ? "long double" : "double", 8);
            case "__int128" -> uns ? new CType.IntType("unsigned __int128", 16, 16, false)
                    : new CType.IntType("__int128", 16, 16, true);
            default -> {
                if (shorts > 0) {
                    yield uns ? new CType.IntType("unsigned short", 2, 2, false) : new CType.IntType("short", 2, 2, true);
                }
                if (longs >= 2) {
                    yield uns ? new CType.IntType("unsigned long long", 8, 8, false)
                            : new CType.IntType("long long", 8, 8, true);
                }
                if (longs == 1) {
                    yield uns ? new CType.IntType("unsigned long", 8, 8, false) : new CType.IntType("long", 8, 8, true);
                }
                yield uns ? new CType.IntType("unsigned int", 4, 4, false) : Exprs.INT;
            }
        };
    }

    /** After struct/union/enum: the tag's type, or null for an inline definition or an unknown tag. */
    private CType tagged(String keyword) {
        skipAttributes();
        CType found = null;
        if (peek().kind() == CToken.Kind.IDENT) {
            String tag = advance().text();
            found = switch (keyword) {
                case "struct" -> types.struct(tag);
                case "union" -> types.union(tag);
                default -> types.enumType(tag);
            };
        }
        skipAttributes();
        if (peek().is("{")) {
            skipBalanced("{", "}"); // a definition inside a body: its layout is not computed here
            return null;
        }
        return found;
    }

    /** A type name as in casts and sizeof: specifiers and an abstract declarator. */
    private CType typeName() {
        Spec s = specifiers();
        if (s == null) {
            throw new Bail();
        }
        Declarator d = declarator(s.type, true);
        return d.type;
    }

    private Declarator declarator(CType base, boolean abstractAllowed) {
        enter();
        try {
            CType t = base;
            while (true) {
                if (accept("*")) {
                    t = t == null ? null : new CType.PointerType(t);
                    continue;
                }
                CToken q = peek();
                if (q.kind() == CToken.Kind.IDENT && QUALIFIERS.contains(q.text())) {
                    advance();
                    continue;
                }
                if (q.is("__attribute__") || q.is("__attribute")) {
                    skipAttributes();
                    continue;
                }
                break;
            }
            Declarator d;
            if (peek().is("(") && (peek(1).is("*") || peek(1).is("^")
                    || peek(1).kind() == CToken.Kind.IDENT && !isTypeNameStart(peek(1)) && !abstractAllowed)) {
                // (*name)(...) or (*name)[N]: the suffixes after ')' apply to what the inner declarator points at
                advance();
                CType hole = new CType.TypedefType("<outer>", Exprs.VOID, 0, null, SourceRange.NONE);
                d = declarator(hole, abstractAllowed);
                expect(")");
                CType outer = suffixes(t);
                d.type = substitute(d.type, hole, outer);
                return d;
            }
            d = new Declarator();
            if (peek().kind() == CToken.Kind.IDENT && !QUALIFIERS.contains(peek().text())
                    && !isTypeNameStart(peek())) {
                d.nameIndex = pos;
                d.nameTok = advance();
                d.name = d.nameTok.text();
            } else if (!abstractAllowed) {
                throw new Bail();
            }
            skipAttributes();
            d.type = suffixes(t);
            return d;
        } finally {
            leave();
        }
    }

    /** {@code t} with {@code hole} replaced by {@code by} (null when {@code by} is unknown). */
    private static CType substitute(CType t, CType hole, CType by) {
        if (t == hole) {
            return by;
        }
        if (t instanceof CType.PointerType p) {
            CType inner = substitute(p.target(), hole, by);
            return inner == null ? null : new CType.PointerType(inner);
        }
        if (t instanceof CType.ArrayType a) {
            CType inner = substitute(a.element(), hole, by);
            return inner == null ? null : new CType.ArrayType(inner, a.length());
        }
        return t;
    }

    private CType suffixes(CType t) {
        List<Long> dims = new ArrayList<>();
        boolean function = false;
        while (true) {
            if (accept("[")) {
                if (accept("]")) {
                    dims.add(-1L);
                    continue;
                }
                while (peek().is("static") || peek().is("const")) {
                    advance();
                }
                OptionalLong n = Exprs.constantValue(expression());
                expect("]");
                dims.add(n.isPresent() && n.getAsLong() >= 0 ? n.getAsLong() : -2L);
            } else if (peek().is("(")) {
                skipBalanced("(", ")");
                function = true;
            } else {
                break;
            }
        }
        if (function || t == null) {
            return null;
        }
        for (int i = dims.size() - 1; i >= 0; i--) {
            if (dims.get(i) == -2L) {
                return null; // a length the analysis cannot evaluate
            }
            t = new CType.ArrayType(t, dims.get(i));
        }
        return t;
    }

    // ------------------------------------------------------------------ initialisers

    private Initializer initializer() {
        int start = pos;
        if (!peek().is("{")) {
            Expr e = assignment();
            return new Initializer(Initializer.Kind.EXPRESSION, span(start, pos), e, List.of());
        }
        enter();
        try {
            advance();
            List<Initializer.Item> items = new ArrayList<>();
            boolean constant = true;
            while (!peek().is("}")) {
                if (atEnd()) {
                    throw new Bail();
                }
                int itemStart = pos;
                String designator = null;
                boolean designated = false;
                int designators = 0;
                while (peek().is(".") || peek().is("[")) {
                    designated = true;
                    designators++;
                    if (accept(".")) {
                        CToken name = advance();
                        designator = designators == 1 ? name.text() : null;
                    } else {
                        advance();
                        expression();
                        expect("]");
                        designator = null;
                    }
                }
                if (designated) {
                    if (designators > 1) {
                        designator = null;
                    }
                    expect("=");
                } else if (peek().kind() == CToken.Kind.IDENT && peek(1).is(":")) {
                    designator = advance().text(); // GNU "name: value"
                    advance();
                    designated = true;
                }
                int valueStart = pos;
                Expr value = null;
                if (peek().is("{")) {
                    Initializer nested = initializer();
                    constant &= nested.zeroesEveryByte();
                } else {
                    value = assignment();
                    constant &= Exprs.isConstant(value);
                }
                items.add(new Initializer.Item(designator, designated, value, span(valueStart, pos),
                        span(itemStart, pos)));
                if (!accept(",")) {
                    break;
                }
            }
            expect("}");
            Initializer.Kind kind;
            if (items.isEmpty()) {
                kind = Initializer.Kind.EMPTY;
            } else if (items.size() == 1 && !items.get(0).designated() && items.get(0).value() != null
                    && Exprs.constantValue(items.get(0).value()).orElse(1) == 0) {
                kind = Initializer.Kind.ZERO;
            } else {
                kind = constant ? Initializer.Kind.CONSTANT_LIST : Initializer.Kind.LIST;
            }
            return new Initializer(kind, span(start, pos), null, List.copyOf(items));
        } finally {
            leave();
        }
    }

    // ------------------------------------------------------------------ expressions

    Expr expression() {
        int start = pos;
        Expr e = assignment();
        while (peek().is(",")) {
            advance();
            Expr r = assignment();
            e = new Expr.Binary(span(start, pos), ",", e, r);
        }
        return e;
    }

    private static boolean isAssignOp(CToken t) {
        if (t.kind() != CToken.Kind.PUNCT) {
            return false;
        }
        return switch (t.text()) {
            case "=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^=" -> true;
            default -> false;
        };
    }

    private Expr assignment() {
        enter();
        try {
            int start = pos;
            Expr left = conditional();
            if (isAssignOp(peek())) {
                String op = advance().text();
                Expr right = assignment();
                return new Expr.Assign(span(start, pos), op, left, right);
            }
            return left;
        } finally {
            leave();
        }
    }

    private Expr conditional() {
        int start = pos;
        Expr c = binary(0);
        if (accept("?")) {
            Expr then = peek().is(":") ? c : expression(); // GNU "a ?: b"
            expect(":");
            Expr otherwise = conditional();
            return new Expr.Conditional(span(start, pos), c, then, otherwise);
        }
        return c;
    }

    private static int precedence(CToken t) {
        if (t.kind() != CToken.Kind.PUNCT) {
            return -1;
        }
        return switch (t.text()) {
            case "||" -> 0;
            case "&&" -> 1;
            case "|" -> 2;
            case "^" -> 3;
            case "&" -> 4;
            case "==", "!=" -> 5;
            case "<", ">", "<=", ">=" -> 6;
            case "<<", ">>" -> 7;
            case "+", "-" -> 8;
            case "*", "/", "%" -> 9;
            default -> -1;
        };
    }

    private Expr binary(int minPrec) {
        enter();
        try {
            int start = pos;
            Expr left = unary();
            while (true) {
                int p = precedence(peek());
                if (p < minPrec) {
                    return left;
                }
                String op = advance().text();
                Expr right = binary(p + 1);
                left = new Expr.Binary(span(start, pos), op, left, right);
            }
        } finally {
            leave();
        }
    }

    private Expr unary() {
        enter();
        try {
            int start = pos;
            CToken t = peek();
            if (t.kind() == CToken.Kind.PUNCT) {
                switch (t.text()) {
                    case "&", "*", "-", "+", "!", "~" -> {
                        advance();
                        Expr operand = unary();
                        return new Expr.Unary(span(start, pos), t.text(), operand);
                    }
                    case "++", "--" -> {
                        advance();
                        Expr operand = unary();
                        return new Expr.Unary(span(start, pos), t.text(), operand);
                    }
                    case "&&" -> {
                        advance(); // GNU label address
                        advance();
                        return new Expr.Unknown(span(start, pos));
                    }
                    case "(" -> {
                        if (isTypeNameStart(peek(1))) {
                            advance();
                            int typeStart = pos;
                            CType type = typeName();
                            Span typeSpan = span(typeStart, pos);
                            expect(")");
                            if (peek().is("{")) {
                                Initializer init = initializer();
                                return postfix(new Expr.CompoundLiteral(span(start, pos), type, init), start);
                            }
                            Expr operand = unary();
                            return new Expr.Cast(span(start, pos), type, typeSpan, operand);
                        }
                    }
                    default -> {
                    }
                }
            } else if (t.kind() == CToken.Kind.IDENT) {
                switch (t.text()) {
                    case "sizeof" -> {
                        advance();
                        if (peek().is("(") && isTypeNameStart(peek(1))) {
                            advance();
                            CType type = typeName();
                            expect(")");
                            return new Expr.Sizeof(span(start, pos), type, null);
                        }
                        Expr operand = unary();
                        return new Expr.Sizeof(span(start, pos), Exprs.typeOf(operand), operand);
                    }
                    case "_Alignof", "__alignof__", "__alignof" -> {
                        advance();
                        skipBalanced("(", ")");
                        return new Expr.Unknown(span(start, pos));
                    }
                    case "__extension__" -> {
                        advance();
                        return unary();
                    }
                    default -> {
                    }
                }
            }
            return postfix(primary(), start);
        } finally {
            leave();
        }
    }

    private Expr postfix(Expr e, int start) {
        while (true) {
            CToken t = peek();
            if (t.is("(")) {
                advance();
                List<Expr> args = new ArrayList<>();
                while (!peek().is(")")) {
                    if (atEnd()) {
                        throw new Bail();
                    }
                    args.add(assignment());
                    if (!accept(",")) {
                        break;
                    }
                }
                expect(")");
                String name = e instanceof Expr.Name n && n.local() == null ? n.name() : null;
                e = new Expr.Call(span(start, pos), e, name, List.copyOf(args));
            } else if (t.is("[")) {
                advance();
                Expr index = expression();
                expect("]");
                e = new Expr.Index(span(start, pos), e, index);
            } else if (t.is(".") || t.is("->")) {
                advance();
                CToken member = advance();
                if (member.kind() != CToken.Kind.IDENT) {
                    throw new Bail();
                }
                e = new Expr.Member(span(start, pos), e, member.text(), t.is("->"));
            } else if (t.is("++") || t.is("--")) {
                advance();
                e = new Expr.Postfix(span(start, pos), t.text(), e);
            } else {
                return e;
            }
        }
    }

    private Expr primary() {
        int start = pos;
        CToken t = peek();
        switch (t.kind()) {
            case NUMBER -> {
                advance();
                return new Expr.Number(span(start, pos), t.text(), number(t.text()));
            }
            case CHAR -> {
                advance();
                return new Expr.Literal(span(start, pos), t.text(), false);
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                while (peek().kind() == CToken.Kind.STRING) {
                    sb.append(advance().text());
                }
                return new Expr.Literal(span(start, pos), sb.toString(), true);
            }
            case IDENT -> {
                advance();
                String name = t.text();
                if (name.equals("__builtin_offsetof") || name.equals("__builtin_types_compatible_p")
                        || name.equals("__builtin_va_arg") || name.equals("__builtin_choose_expr")
                        || name.equals("__builtin_preserve_type_info") || name.equals("__builtin_preserve_enum_value")
                        || name.equals("__builtin_btf_type_id")) {
                    if (peek().is("(")) {
                        skipBalanced("(", ")");
                    }
                    return new Expr.Unknown(span(start, pos));
                }
                Local local = lookup(name);
                if (local == null) {
                    TypeTable.EnumConstant ec = types.enumConstant(name);
                    if (ec != null) {
                        return new Expr.Number(span(start, pos), name, OptionalLong.of(ec.value()));
                    }
                }
                return new Expr.Name(span(start, pos), name, local);
            }
            default -> {
            }
        }
        if (t.is("(")) {
            advance();
            if (peek().is("{")) {
                // GNU statement expression: its statements are read like a block
                compound();
                expect(")");
                return new Expr.Unknown(span(start, pos));
            }
            Expr inner = expression();
            expect(")");
            return inner;
        }
        throw new Bail();
    }

    static OptionalLong number(String text) {
        String s = text.toLowerCase(java.util.Locale.ROOT).replace("'", "");
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == 'u' || s.charAt(end - 1) == 'l')) {
            end--;
        }
        s = s.substring(0, end);
        try {
            if (s.startsWith("0x")) {
                return OptionalLong.of(Long.parseUnsignedLong(s.substring(2), 16));
            }
            if (s.startsWith("0b")) {
                return OptionalLong.of(Long.parseUnsignedLong(s.substring(2), 2));
            }
            if (s.length() > 1 && s.startsWith("0")) {
                return OptionalLong.of(Long.parseUnsignedLong(s.substring(1), 8));
            }
            return OptionalLong.of(Long.parseUnsignedLong(s));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
