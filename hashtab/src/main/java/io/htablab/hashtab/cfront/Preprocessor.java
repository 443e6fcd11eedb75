package io.htablab.hashtab.cfront;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The preprocessor subset: object- and function-like macros with {@code #} and {@code ##}, conditionals,
 * includes read from the include paths and the system directories ({@link CFrontOptions#systemIncludePaths()});
 * a well-known header that is found nowhere is replaced by the built-in knowledge of {@link Prelude}, with a
 * diagnostic. Headers included before any declaration are parsed once and shared ({@link HeaderCache}).
 */
final class Preprocessor {

    /** The headers whose relevant content is built in (used only when the real one is not found). */
    static final Set<String> BUILTIN_HEADERS = Prelude.BUILTIN_HEADERS;

    private static final int MAX_INCLUDE_DEPTH = 200;
    private static final int MAX_EXPANDED_TOKENS = 20_000_000;

    static final class Macro {
        final String name;
        final List<String> params;
        final boolean variadic;
        final List<Token> body;
        final MacroDef def;

        Macro(String name, List<String> params, boolean variadic, List<Token> body, MacroDef def) {
            this.name = name;
            this.params = params;
            this.variadic = variadic;
            this.body = body;
            this.def = def;
        }
    }

    private static final class Cond {
        boolean active;
        boolean taken;
        boolean elseSeen;
        final boolean parentActive;

        Cond(boolean parentActive) {
            this.parentActive = parentActive;
        }
    }

    private static final class FileState {
        final int file;
        final List<Token> tokens;
        int pos;
        final ArrayDeque<Cond> conds = new ArrayDeque<>();

        FileState(int file, List<Token> tokens) {
            this.file = file;
            this.tokens = tokens;
        }

        boolean skipping() {
            Cond c = conds.peek();
            return c != null && !c.active;
        }
    }

    final List<SourceFile> files;
    final List<CDiagnostic> diags;
    final Map<String, Macro> macros;
    private final CFrontOptions options;
    private final ArrayDeque<FileState> stack = new ArrayDeque<>();
    private final Set<String> onceFiles = new HashSet<>();
    private final ArrayDeque<Token> pending = new ArrayDeque<>();
    private Token eof;
    private int counter;
    private long expandedTokens;
    private boolean budgetReported;
    private final boolean fileUris;
    private final HeaderCache cache;
    /** Digest of everything so far that can change what a header means here (see {@link HeaderCache}). */
    private String state = "";
    /** Nothing but directives has been produced yet: the parser's state is exactly {@link #units}. */
    private boolean clean = true;
    private HeaderUnit lastUnit;
    final List<HeaderUnit> units = new ArrayList<>();
    /** Files read here (not through units), for the unit being built. */
    final List<HeaderUnit.Stamp> stamps = new ArrayList<>();
    /** Set when something read depends on state no cache key covers. */
    boolean uncacheable;
    long charsRead;
    private int unitDepth;
    /** Included file uri to the #include in the main file (index 1) that brought it in. */
    final Map<String, SourceRange> includeSites = new HashMap<>();
    private SourceRange topSite;

    Preprocessor(List<SourceFile> files, List<CDiagnostic> diags, CFrontOptions options, boolean fileUris) {
        this(files, diags, options, fileUris, null);
    }

    Preprocessor(List<SourceFile> files, List<CDiagnostic> diags, CFrontOptions options, boolean fileUris,
                 HeaderCache cache) {
        this(files, diags, options, fileUris, cache, new HashMap<>());
    }

    /** With {@code macros} as the macro table itself (a declaration of a lazily read header: read-only use). */
    Preprocessor(List<SourceFile> files, List<CDiagnostic> diags, CFrontOptions options, boolean fileUris,
                 HeaderCache cache, Map<String, Macro> macros) {
        this.macros = macros;
        this.files = files;
        this.diags = diags;
        this.options = options;
        this.fileUris = fileUris;
        this.cache = cache;
    }

    /** Starts from the built-in root unit, in the state the options give. */
    void startFrom(HeaderUnit root) {
        applyUnit(root, false);
        state = HeaderCache.mix(root.after(), "options " + options.includePaths() + " " + options.systemIncludePaths()
                + " " + fileUris);
    }

    /** Starts a header's own parse where the including parse stands. */
    void continueFrom(Preprocessor including) {
        macros.putAll(including.macros);
        onceFiles.addAll(including.onceFiles);
        counter = including.counter;
        state = including.state;
        lastUnit = including.lastUnit;
        unitDepth = including.unitDepth + 1;
    }

    HeaderUnit lastUnit() {
        return lastUnit;
    }

    CFrontOptions options() {
        return options;
    }

    boolean fileUris() {
        return fileUris;
    }

    String state() {
        return state;
    }

    Set<String> onceFiles() {
        return onceFiles;
    }

    int counter() {
        return counter;
    }

    private void applyUnit(HeaderUnit u, boolean record) {
        for (Map.Entry<String, Macro> e : u.macroDelta().entrySet()) {
            if (e.getValue() == null) {
                macros.remove(e.getKey());
            } else {
                macros.put(e.getKey(), e.getValue());
            }
        }
        onceFiles.addAll(u.onceFiles());
        counter = u.counter();
        state = u.after();
        lastUnit = u;
        if (record) {
            units.add(u);
            diags.addAll(u.diagnostics());
            stamps.addAll(u.stamps());
        }
    }

    /** Runs file {@code index} to the end and returns its tokens (macros persist across calls). */
    List<Token> run(int index) {
        SourceFile sf = files.get(index);
        stack.push(new FileState(index, new Lexer(sf.text, index, sf.uri, diags, sf.lineOffset).run()));
        eof = null;
        List<Token> out = new ArrayList<>();
        while (true) {
            Token t = next(this::fileNext);
            if (t == null || t.kind == Token.EOF) {
                if (t != null) {
                    out.add(t);
                }
                break;
            }
            clean = false;
            out.add(t);
        }
        stack.clear();
        pending.clear();
        return out;
    }

    void define(String name, String body) {
        List<Token> toks = new Lexer(name + " " + body, 0, "<command line>", diags).run();
        toks.remove(toks.size() - 1);
        defineFrom(toks, 0, null);
    }

    Map<String, MacroDef> macroDefs() {
        Map<String, MacroDef> out = new LinkedHashMap<>();
        for (Macro m : macros.values()) {
            if (m.def != null) {
                out.put(m.name, m.def);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- token sources

    private interface Source {
        /** The next raw token, or null when the source is exhausted. */
        Token get();
    }

    private Token fileNext() {
        if (!pending.isEmpty()) {
            return pending.pop();
        }
        while (true) {
            FileState f = stack.peek();
            if (f == null) {
                return eof;
            }
            Token t = f.tokens.get(f.pos);
            if (t.kind == Token.EOF) {
                if (!f.conds.isEmpty()) {
                    diag(CDiagnostic.Severity.ERROR, "pp-directive", "unterminated conditional directive", t);
                }
                if (stack.size() > 1) {
                    stack.pop();
                    continue;
                }
                eof = t;
                return t;
            }
            if (t.bol && t.is("#") && !t.fromMacro) {
                directive(f);
                continue;
            }
            f.pos++;
            if (f.skipping()) {
                continue;
            }
            return t;
        }
    }

    /** Next fully macro-expanded token from {@code src} (which must serve {@link #pending} first). */
    private Token next(Source src) {
        while (true) {
            Token t = src.get();
            if (t == null || t.kind != Token.IDENT) {
                return t;
            }
            if (t.text.equals("_Pragma")) {
                // the _Pragma("...") operator (libbpf's SEC() wraps its attribute in diagnostic pragmas): dropped
                Token open = src.get();
                if (open != null && open.is("(")) {
                    int depth = 1;
                    Token x;
                    while (depth > 0 && (x = src.get()) != null && x.kind != Token.EOF) {
                        depth += x.is("(") ? 1 : x.is(")") ? -1 : 0;
                    }
                    continue;
                }
                if (open != null) {
                    pending.push(open);
                }
                return t;
            }
            Macro m = macros.get(t.text);
            if (m == null || (t.hideSet != null && t.hideSet.contains(t.text))) {
                return t;
            }
            if (m.body == null) {
                Token special = special(t);
                if (special != null) {
                    return special;
                }
                return t;
            }
            if (++expandedTokens > MAX_EXPANDED_TOKENS) {
                if (!budgetReported) {
                    budgetReported = true;
                    diag(CDiagnostic.Severity.ERROR, "pp-expansion", "macro expansion too large; stopped expanding", t);
                }
                return t;
            }
            if (m.params == null) {
                pushFront(substitute(m, t, t, null));
                continue;
            }
            Token p = src.get();
            if (p == null || !p.is("(")) {
                if (p != null) {
                    pending.push(p);
                }
                return t;
            }
            List<List<Token>> args = new ArrayList<>();
            List<Token> cur = new ArrayList<>();
            int depth = 0;
            Token rparen = null;
            while (true) {
                Token a = src.get();
                if (a == null || a.kind == Token.EOF) {
                    diag(CDiagnostic.Severity.ERROR, "syntax", "unterminated invocation of macro '" + m.name + "'", t);
                    if (a != null) {
                        pending.push(a);
                    }
                    return t;
                }
                if (a.is("(")) {
                    depth++;
                } else if (a.is(")")) {
                    if (depth == 0) {
                        rparen = a;
                        break;
                    }
                    depth--;
                } else if (a.is(",") && depth == 0 && !(m.variadic && args.size() == m.params.size() - 1)) {
                    args.add(cur);
                    cur = new ArrayList<>();
                    continue;
                }
                cur.add(a);
            }
            args.add(cur);
            if (m.params.isEmpty() && args.size() == 1 && args.get(0).isEmpty()) {
                args.clear();
            }
            if (m.variadic && args.size() == m.params.size() - 1) {
                args.add(new ArrayList<>());
            }
            if (args.size() != m.params.size()) {
                diag(CDiagnostic.Severity.ERROR, "macro-args", "macro '" + m.name + "' takes " + m.params.size()
                        + " argument(s) but " + args.size() + " were given", t);
                continue;
            }
            pushFront(substitute(m, t, rparen, args));
        }
    }

    private void pushFront(List<Token> toks) {
        for (int i = toks.size() - 1; i >= 0; i--) {
            pending.push(toks.get(i));
        }
    }

    private Token special(Token t) {
        switch (t.text) {
            case "__LINE__":
                return t.copyAt(Integer.toString(t.line + 1), Token.NUMBER, t, true);
            case "__FILE__":
                return t.copyAt("\"" + files.get(t.file).uri + "\"", Token.STRING, t, true);
            case "__BASE_FILE__":
                uncacheable = true;
                return t.copyAt("\"" + files.get(1).uri + "\"", Token.STRING, t, true);
            case "__COUNTER__":
                uncacheable = true;
                return t.copyAt(Integer.toString(counter++), Token.NUMBER, t, true);
            default:
                return null;
        }
    }

    /** Expands a token list on its own (a macro argument or an #if line). */
    List<Token> expandIsolated(List<Token> toks) {
        ArrayDeque<Token> saved = new ArrayDeque<>(pending);
        pending.clear();
        final ArrayDeque<Token> local = new ArrayDeque<>(toks);
        List<Token> out = new ArrayList<>(toks.size());
        Source src = () -> !pending.isEmpty() ? pending.pop() : local.poll();
        while (true) {
            Token t = next(src);
            if (t == null) {
                break;
            }
            out.add(t);
        }
        pending.clear();
        pending.addAll(saved);
        return out;
    }

    private List<Token> substitute(Macro m, Token name, Token rparen, List<List<Token>> args) {
        // where the expansion is placed: the outermost invocation as written in the file
        Token loc = name;
        int f = name.file, l = name.line, c = name.col, el = name.endLine, ec = name.endCol;
        if (!name.fromMacro && rparen != null && !rparen.fromMacro && rparen.file == name.file
                && (rparen.endLine > el || (rparen.endLine == el && rparen.endCol >= ec))) {
            el = rparen.endLine;
            ec = rparen.endCol;
        }
        Set<String> hs;
        if (name.hideSet == null) {
            hs = Set.of(m.name);
        } else {
            hs = new HashSet<>(name.hideSet);
            hs.add(m.name);
        }
        List<Token> out = new ArrayList<>(m.body.size() + 4);
        List<List<Token>> expandedArgs = args == null ? null : new ArrayList<>(args.size());
        if (args != null) {
            for (int i = 0; i < args.size(); i++) {
                expandedArgs.add(null);
            }
        }
        List<Token> body = m.body;
        boolean pasteNext = false;
        for (int i = 0; i < body.size(); i++) {
            Token bt = body.get(i);
            if (args != null && bt.is("#") && i + 1 < body.size() && paramIndex(m, body.get(i + 1)) >= 0) {
                List<Token> arg = args.get(paramIndex(m, body.get(i + 1)));
                Token s = stringize(arg, bt).relocate(f, l, c, el, ec);
                s.hideSet = hs;
                addPasting(out, List.of(s), pasteNext, name);
                pasteNext = false;
                i++;
                continue;
            }
            if (bt.is("##") && i > 0 && i + 1 < body.size()) {
                pasteNext = true;
                continue;
            }
            int pi = args == null ? -1 : paramIndex(m, bt);
            if (pi >= 0) {
                boolean raw = pasteNext || (i + 1 < body.size() && body.get(i + 1).is("##"));
                List<Token> arg;
                if (raw) {
                    arg = args.get(pi);
                    // GNU comma swallowing: ", ## __VA_ARGS__" drops the comma when nothing is passed, and
                    // otherwise pastes nothing: the comma stays and the (expanded) arguments follow it
                    if (pasteNext && m.variadic && pi == m.params.size() - 1 && !out.isEmpty()
                            && out.get(out.size() - 1).is(",")) {
                        pasteNext = false;
                        if (arg.isEmpty()) {
                            out.remove(out.size() - 1);
                            continue;
                        }
                        if (expandedArgs.get(pi) == null) {
                            expandedArgs.set(pi, expandIsolated(args.get(pi)));
                        }
                        arg = expandedArgs.get(pi);
                    }
                } else {
                    if (expandedArgs.get(pi) == null) {
                        expandedArgs.set(pi, expandIsolated(args.get(pi)));
                    }
                    arg = expandedArgs.get(pi);
                }
                List<Token> copy = new ArrayList<>(arg.size());
                for (Token a : arg) {
                    Token x = a.copyAt(a.text, a.kind, a, a.fromMacro);
                    x.hideSet = union(a.hideSet, hs);
                    copy.add(x);
                }
                if (!copy.isEmpty() && i > 0) {
                    copy.set(0, withSpace(copy.get(0), bt.space));
                }
                addPasting(out, copy, pasteNext, name);
                pasteNext = false;
                continue;
            }
            Token x = bt.relocate(f, l, c, el, ec);
            x.hideSet = hs;
            addPasting(out, List.of(x), pasteNext, name);
            pasteNext = false;
        }
        if (!out.isEmpty()) {
            out.set(0, withSpace(out.get(0), name.space));
        }
        return out;
    }

    private static Token withSpace(Token t, boolean space) {
        if (t.space == space) {
            return t;
        }
        Token x = t.copyAt(t.text, t.kind, t, t.fromMacro);
        x.space = space;
        return x;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        if (a == null || a.isEmpty()) {
            return b;
        }
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private void addPasting(List<Token> out, List<Token> add, boolean paste, Token where) {
        if (!paste || out.isEmpty() || add.isEmpty()) {
            out.addAll(add);
            return;
        }
        Token left = out.remove(out.size() - 1);
        Token right = add.get(0);
        String joined = left.text + right.text;
        List<Token> lexed = new Lexer(joined, left.file, "<paste>", new ArrayList<>()).run();
        if (lexed.size() != 2) {
            diag(CDiagnostic.Severity.ERROR, "pp-paste", "pasting '" + left.text + "' and '" + right.text
                    + "' does not give a valid token", where);
            out.add(left);
            out.addAll(add);
            return;
        }
        Token p = left.copyAt(joined, lexed.get(0).kind, left, true);
        p.hideSet = left.hideSet;
        out.add(p);
        out.addAll(add.subList(1, add.size()));
    }

    private static int paramIndex(Macro m, Token t) {
        if (t.kind != Token.IDENT || m.params == null) {
            return -1;
        }
        return m.params.indexOf(t.text);
    }

    private static Token stringize(List<Token> arg, Token where) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < arg.size(); i++) {
            Token a = arg.get(i);
            if (i > 0 && a.space) {
                sb.append(' ');
            }
            if (a.kind == Token.STRING || a.kind == Token.CHAR) {
                sb.append(a.text.replace("\\", "\\\\").replace("\"", "\\\""));
            } else {
                sb.append(a.text);
            }
        }
        sb.append('"');
        return where.copyAt(sb.toString(), Token.STRING, where, true);
    }

    // ---------------------------------------------------------------- directives

    private void directive(FileState f) {
        Token hash = f.tokens.get(f.pos);
        int start = f.pos + 1;
        int end = start;
        while (end < f.tokens.size() && !f.tokens.get(end).bol && f.tokens.get(end).kind != Token.EOF) {
            end++;
        }
        f.pos = end;
        List<Token> line = f.tokens.subList(start, end);
        if (line.isEmpty()) {
            return;
        }
        Token name = line.get(0);
        String d = name.text;
        boolean skipping = f.skipping();
        switch (d) {
            case "if", "ifdef", "ifndef" -> {
                Cond c = new Cond(!skipping);
                if (!skipping) {
                    boolean v;
                    if (d.equals("if")) {
                        v = evalIf(line.subList(1, line.size()), name);
                    } else {
                        if (line.size() < 2 || !line.get(1).isIdent()) {
                            diag(CDiagnostic.Severity.ERROR, "pp-directive", "macro name missing after #" + d, name);
                            v = false;
                        } else {
                            v = macros.containsKey(line.get(1).text) == d.equals("ifdef");
                        }
                    }
                    c.active = v;
                    c.taken = v;
                }
                f.conds.push(c);
            }
            case "elif", "elifdef", "elifndef" -> {
                Cond c = f.conds.peek();
                if (c == null || c.elseSeen) {
                    diag(CDiagnostic.Severity.ERROR, "pp-directive", "#" + d + " without #if", name);
                    return;
                }
                if (!c.parentActive || c.taken) {
                    c.active = false;
                } else {
                    boolean v;
                    if (d.equals("elif")) {
                        v = evalIf(line.subList(1, line.size()), name);
                    } else {
                        v = line.size() >= 2 && macros.containsKey(line.get(1).text) == d.equals("elifdef");
                    }
                    c.active = v;
                    c.taken = v;
                }
            }
            case "else" -> {
                Cond c = f.conds.peek();
                if (c == null || c.elseSeen) {
                    diag(CDiagnostic.Severity.ERROR, "pp-directive", "#else without #if", name);
                    return;
                }
                c.elseSeen = true;
                c.active = c.parentActive && !c.taken;
                c.taken = true;
            }
            case "endif" -> {
                if (f.conds.isEmpty()) {
                    diag(CDiagnostic.Severity.ERROR, "pp-directive", "#endif without #if", name);
                } else {
                    f.conds.pop();
                }
            }
            default -> {
                if (skipping) {
                    return;
                }
                switch (d) {
                    case "define" -> defineFrom(line, 1, name);
                    case "undef" -> {
                        if (line.size() >= 2 && line.get(1).isIdent()) {
                            macros.remove(line.get(1).text);
                            if (clean) {
                                state = HeaderCache.mix(state, "undef " + line.get(1).text);
                            }
                        } else {
                            diag(CDiagnostic.Severity.ERROR, "pp-directive", "macro name missing after #undef", name);
                        }
                    }
                    case "include", "import" -> include(f, line.subList(1, line.size()), name, false);
                    case "include_next" -> include(f, line.subList(1, line.size()), name, true);
                    case "error" -> diag(CDiagnostic.Severity.ERROR, "pp-error", "#error " + joinText(line, 1), name);
                    case "warning" -> diag(CDiagnostic.Severity.WARNING, "pp-warning", "#warning " + joinText(line, 1), name);
                    case "pragma" -> {
                        if (line.size() >= 2 && line.get(1).is("once")) {
                            SourceFile sf = files.get(f.file);
                            String once = sf.path != null ? sf.path.toString() : sf.uri;
                            onceFiles.add(once);
                            if (clean) {
                                state = HeaderCache.mix(state, "once " + once);
                            }
                        }
                    }
                    case "line", "ident", "sccs", "assert", "unassert" -> {
                    }
                    default -> {
                        if (hash.bol && name.kind == Token.NUMBER) {
                            return; // "# 12 file" line markers
                        }
                        diag(CDiagnostic.Severity.WARNING, "pp-directive", "unknown directive #" + d, name);
                    }
                }
            }
        }
    }

    private static String joinText(List<Token> line, int from) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < line.size(); i++) {
            if (sb.length() > 0 && line.get(i).space) {
                sb.append(' ');
            }
            sb.append(line.get(i).text);
        }
        return sb.toString();
    }

    private void defineFrom(List<Token> line, int at, Token directiveName) {
        if (line.size() <= at || !line.get(at).isIdent()) {
            Token where = line.size() > at ? line.get(at) : directiveName;
            if (where != null) {
                diag(CDiagnostic.Severity.ERROR, "pp-directive", "macro name must be an identifier", where);
            }
            return;
        }
        Token nameTok = line.get(at);
        String name = nameTok.text;
        int i = at + 1;
        List<String> params = null;
        boolean variadic = false;
        if (i < line.size() && line.get(i).is("(") && !line.get(i).space) {
            params = new ArrayList<>();
            i++;
            boolean ok = false;
            while (i < line.size()) {
                Token p = line.get(i++);
                if (p.is(")")) {
                    ok = true;
                    break;
                }
                if (p.is(",")) {
                    continue;
                }
                if (p.is("...")) {
                    variadic = true;
                    params.add("__VA_ARGS__");
                } else if (p.isIdent()) {
                    if (i < line.size() && line.get(i).is("...")) {
                        variadic = true;
                        i++;
                    }
                    params.add(p.text);
                } else {
                    break;
                }
            }
            if (!ok) {
                diag(CDiagnostic.Severity.ERROR, "pp-directive", "malformed parameter list of macro '" + name + "'", nameTok);
                return;
            }
        }
        List<Token> body = new ArrayList<>(line.subList(i, line.size()));
        StringBuilder text = new StringBuilder();
        for (Token b : body) {
            if (text.length() > 0 && b.space) {
                text.append(' ');
            }
            text.append(b.text);
        }
        boolean builtin = nameTok.file == 0;
        SourceFile sf = files.get(nameTok.file);
        MacroDef def = new MacroDef(name, params == null ? null : List.copyOf(params), variadic, text.toString(),
                builtin ? null : sf.uri, builtin ? SourceRange.NONE : nameTok.range(), builtin);
        Macro old = macros.get(name);
        if (old != null && old.def != null && !old.def.builtin() && !builtin && directiveName != null
                && (!old.def.body().equals(def.body()) || !java.util.Objects.equals(old.params, params))) {
            diag(CDiagnostic.Severity.WARNING, "macro-redefined", "'" + name + "' macro redefined", nameTok);
        }
        macros.put(name, new Macro(name, params, variadic, body, def));
        if (clean) {
            state = HeaderCache.mix(state, "define " + name + (params == null ? "" : params.toString() + variadic)
                    + " " + text);
        }
    }

    /** Marks names the preprocessor itself implements (__LINE__ and friends). */
    void defineSpecials() {
        for (String s : List.of("__LINE__", "__FILE__", "__BASE_FILE__", "__COUNTER__")) {
            macros.put(s, new Macro(s, null, false, null,
                    new MacroDef(s, null, false, "", null, SourceRange.NONE, true)));
        }
    }

    private boolean evalIf(List<Token> expr, Token where) {
        List<Token> resolved = new ArrayList<>(expr.size());
        for (int i = 0; i < expr.size(); i++) {
            Token t = expr.get(i);
            if (t.is("defined")) {
                String n = null;
                if (i + 1 < expr.size() && expr.get(i + 1).isIdent()) {
                    n = expr.get(++i).text;
                } else if (i + 3 < expr.size() && expr.get(i + 1).is("(") && expr.get(i + 2).isIdent()
                        && expr.get(i + 3).is(")")) {
                    n = expr.get(i + 2).text;
                    i += 3;
                }
                if (n == null) {
                    diag(CDiagnostic.Severity.ERROR, "pp-directive", "'defined' needs a macro name", t);
                    return false;
                }
                resolved.add(t.copyAt(macros.containsKey(n) ? "1" : "0", Token.NUMBER, t, t.fromMacro));
            } else if ((t.is("__has_include") || t.is("__has_include_next")) && i + 1 < expr.size()
                    && expr.get(i + 1).is("(")) {
                int j = i + 2;
                StringBuilder sb = new StringBuilder();
                boolean system = false;
                while (j < expr.size() && !expr.get(j).is(")")) {
                    Token x = expr.get(j++);
                    if (x.kind == Token.STRING) {
                        sb.append(x.text, 1, Math.max(1, x.text.length() - 1));
                    } else if (x.is("<")) {
                        system = true;
                    } else if (!x.is(">")) {
                        sb.append(x.text);
                    }
                }
                i = j;
                boolean found = BUILTIN_HEADERS.contains(sb.toString())
                        || resolve(sb.toString(), system, stack.peek() == null ? 0 : stack.peek().file,
                        t.is("__has_include_next")) != null;
                resolved.add(t.copyAt(found ? "1" : "0", Token.NUMBER, t, t.fromMacro));
            } else if ((t.is("__has_builtin") || t.is("__has_attribute") || t.is("__has_feature")
                    || t.is("__has_extension") || t.is("__has_c_attribute")) && i + 1 < expr.size() && expr.get(i + 1).is("(")) {
                int j = i + 2;
                while (j < expr.size() && !expr.get(j).is(")")) {
                    j++;
                }
                // attributes such as packed/aligned/section exist and builtins are assumed present; language
                // features (modules, sanitizers) are off in a plain BPF compile
                boolean feature = t.is("__has_feature") || t.is("__has_extension");
                resolved.add(t.copyAt(feature ? "0" : "1", Token.NUMBER, t, t.fromMacro));
                i = j;
            } else {
                resolved.add(t);
            }
        }
        List<Token> expanded = expandIsolated(resolved);
        if (expanded.isEmpty()) {
            diag(CDiagnostic.Severity.ERROR, "pp-directive", "#if with no expression", where);
            return false;
        }
        Long v = CParser.evalPreprocessorExpression(expanded, this, files.get(where.file).uri, where);
        return v != null && v != 0;
    }

    private void include(FileState f, List<Token> line, Token name, boolean next) {
        if (line.isEmpty()) {
            diag(CDiagnostic.Severity.ERROR, "pp-directive", "#include expects \"FILENAME\" or <FILENAME>", name);
            return;
        }
        if (line.get(0).kind != Token.STRING && !line.get(0).is("<")) {
            line = expandIsolated(new ArrayList<>(line));
            if (line.isEmpty()) {
                diag(CDiagnostic.Severity.ERROR, "pp-directive", "#include expects \"FILENAME\" or <FILENAME>", name);
                return;
            }
        }
        Token first = line.get(0);
        Token last = line.get(line.size() - 1);
        String header;
        boolean system;
        if (first.kind == Token.STRING) {
            header = first.text.substring(1, Math.max(1, first.text.length() - 1));
            system = false;
        } else if (first.is("<")) {
            StringBuilder sb = new StringBuilder();
            boolean closed = false;
            for (int i = 1; i < line.size(); i++) {
                Token t = line.get(i);
                if (t.is(">")) {
                    closed = true;
                    last = t;
                    break;
                }
                if (i > 1 && t.space) {
                    sb.append(' ');
                }
                sb.append(t.text);
            }
            if (!closed) {
                diag(CDiagnostic.Severity.ERROR, "pp-directive", "missing '>' in #include", first);
                return;
            }
            header = sb.toString();
            system = true;
        } else {
            diag(CDiagnostic.Severity.ERROR, "pp-directive", "#include expects \"FILENAME\" or <FILENAME>", first);
            return;
        }
        SourceRange where = new SourceRange(first.line, first.col, Math.max(first.line, last.endLine),
                last.endLine > first.line ? last.endCol : Math.max(first.col, last.endCol));
        String uri = files.get(f.file).uri;
        if (f.file == 1) {
            topSite = where;
        }
        int[] dirIndex = new int[1];
        Path p = resolve(header, system, f.file, next, dirIndex);
        if (p == null) {
            String base = header.contains("/") ? header.substring(header.lastIndexOf('/') + 1) : header;
            if (BUILTIN_HEADERS.contains(header) || BUILTIN_HEADERS.contains(base)) {
                // The built-in subset stands in; information, because map checks still work with it, while
                // names only the real header has are then unknown (each reported where it is used).
                diags.add(new CDiagnostic(CDiagnostic.Severity.INFO, "builtin-header", "'" + header
                        + "' was not found on the include path (" + searchedDirs(f.file, system) + "): the front end's"
                        + " built-in subset of it stands in; names only the real header defines are unknown",
                        uri, where));
                return;
            }
            if (system) {
                diags.add(new CDiagnostic(CDiagnostic.Severity.INFO, "system-include", "system header <" + header
                        + "> was not found on the include path; its declarations are ignored", uri, where));
            } else {
                diags.add(new CDiagnostic(CDiagnostic.Severity.WARNING, "include-not-found", "'" + header
                        + "' file not found", uri, where));
            }
            return;
        }
        String key = p.toString();
        if (onceFiles.contains(key)) {
            return;
        }
        if (stack.size() + unitDepth >= MAX_INCLUDE_DEPTH) {
            diags.add(new CDiagnostic(CDiagnostic.Severity.ERROR, "include-depth", "#include nested too deeply", uri, where));
            return;
        }
        String incUri = fileUris ? p.toUri().toString() : p.toString();
        if (clean && cache != null) {
            String before = state;
            HeaderUnit u = cache.get(before, p, options.reader(),
                    () -> CParser.parseHeader(this, before, p, incUri, dirIndex[0]));
            if (u != null) {
                applyUnit(u, true);
                if (topSite != null) {
                    includeSites.putIfAbsent(incUri, topSite);
                    for (MapDefinition m : u.maps()) {
                        if (m.uri() != null) {
                            includeSites.putIfAbsent(m.uri(), topSite);
                        }
                    }
                }
                return;
            }
        }
        Object stamp = options.reader().fingerprint(p);
        Optional<String> text = options.reader().read(p);
        if (text.isEmpty()) {
            diags.add(new CDiagnostic(CDiagnostic.Severity.WARNING, "include-not-found", "'" + header
                    + "' could not be read", uri, where));
            return;
        }
        stamps.add(new HeaderUnit.Stamp(p, stamp));
        charsRead += text.get().length();
        if (topSite != null) {
            includeSites.putIfAbsent(incUri, topSite);
        }
        int idx = files.size();
        SourceFile sf = new SourceFile(incUri, text.get(), p);
        sf.dirIndex = dirIndex[0];
        files.add(sf);
        stack.push(new FileState(idx, new Lexer(text.get(), idx, incUri, diags).run()));
    }

    /** Every directory searched, in order: -I paths then the system ones. */
    private List<Path> searchDirs() {
        List<Path> dirs = new ArrayList<>(options.includePaths().size() + options.systemIncludePaths().size());
        dirs.addAll(options.includePaths());
        dirs.addAll(options.systemIncludePaths());
        return dirs;
    }

    private String searchedDirs(int fromFile, boolean system) {
        List<String> names = new ArrayList<>();
        if (!system && files.get(fromFile).path != null && files.get(fromFile).path.getParent() != null) {
            names.add(files.get(fromFile).path.getParent().toString());
        }
        for (Path d : searchDirs()) {
            names.add(d.toString());
        }
        return names.isEmpty() ? "no directories" : String.join(", ", names);
    }

    private Path resolve(String header, boolean system, int fromFile, boolean next) {
        return resolve(header, system, fromFile, next, new int[1]);
    }

    /**
     * Where an include finds its file: for "x" the including file's directory first, then the -I paths and the
     * system directories; {@code #include_next} continues after the directory the current file came from.
     * {@code dirIndex[0]} receives the index of the directory used (-1: the including file's own).
     */
    private Path resolve(String header, boolean system, int fromFile, boolean next, int[] dirIndex) {
        dirIndex[0] = -1;
        try {
            if (Path.of(header).isAbsolute()) {
                Path n = Path.of(header).normalize();
                return exists(n) ? n : null;
            }
            int startDir = 0;
            SourceFile from = fromFile < files.size() ? files.get(fromFile) : null;
            if (next && from != null && from.dirIndex >= 0) {
                startDir = from.dirIndex + 1;
            } else if (!system && from != null && from.path != null && from.path.getParent() != null) {
                Path n = from.path.getParent().resolve(header).normalize();
                if (exists(n)) {
                    return n;
                }
            }
            List<Path> dirs = searchDirs();
            for (int d = startDir; d < dirs.size(); d++) {
                Path n = dirs.get(d).resolve(header).normalize();
                if (exists(n)) {
                    dirIndex[0] = d;
                    return n;
                }
            }
        } catch (RuntimeException e) {
            return null; // an invalid path string
        }
        return null;
    }

    private boolean exists(Path p) {
        return options.reader().fingerprint(p) != null;
    }

    static Path pathOf(String uri) {
        if (uri == null) {
            return null;
        }
        try {
            if (uri.startsWith("file:")) {
                return Path.of(URI.create(uri));
            }
            if (uri.contains(":") && !uri.startsWith("/")) {
                return null; // untitled: and other schemes have no directory
            }
            return Path.of(uri);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void diag(CDiagnostic.Severity sev, String code, String msg, Token at) {
        if (at.file == 0) {
            return; // the built-in prelude is trusted
        }
        diags.add(new CDiagnostic(sev, code, msg, files.get(at.file).uri, at.range()));
    }
}
