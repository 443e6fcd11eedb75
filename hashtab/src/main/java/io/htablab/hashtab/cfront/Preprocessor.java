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
 * includes (well-known system headers come from {@link Prelude} instead of the disk).
 */
final class Preprocessor {

    /** System headers whose relevant content is built in, so they are never read. */
    static final Set<String> BUILTIN_HEADERS = Set.of("vmlinux.h", "bpf/bpf_helpers.h", "bpf/bpf_tracing.h",
            "bpf/bpf_endian.h", "bpf/bpf_core_read.h", "linux/bpf.h", "linux/types.h", "bpf_helpers.h",
            "bpf_tracing.h", "bpf_endian.h", "bpf_core_read.h", "bpf/bpf_helper_defs.h", "bpf_helper_defs.h",
            "stdbool.h", "stdint.h", "stddef.h", "linux/stddef.h", "asm/types.h", "asm-generic/int-ll64.h",
            "linux/bpf_common.h");

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
    final Map<String, Macro> macros = new HashMap<>();
    private final CFrontOptions options;
    private final ArrayDeque<FileState> stack = new ArrayDeque<>();
    private final Set<String> onceFiles = new HashSet<>();
    private final ArrayDeque<Token> pending = new ArrayDeque<>();
    private Token eof;
    private int counter;
    private long expandedTokens;
    private boolean budgetReported;
    private final boolean fileUris;

    Preprocessor(List<SourceFile> files, List<CDiagnostic> diags, CFrontOptions options, boolean fileUris) {
        this.files = files;
        this.diags = diags;
        this.options = options;
        this.fileUris = fileUris;
    }

    /** Runs file {@code index} to the end and returns its tokens (macros persist across calls). */
    List<Token> run(int index) {
        SourceFile sf = files.get(index);
        stack.push(new FileState(index, new Lexer(sf.text, index, sf.uri, diags).run()));
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
            case "__BASE_FILE__":
                return t.copyAt("\"" + files.get(t.file).uri + "\"", Token.STRING, t, true);
            case "__COUNTER__":
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
                addPasting(out, List.of(s), pasteNext, bt);
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
                    // GNU comma swallowing: ", ## __VA_ARGS__" with nothing passed drops the comma
                    if (pasteNext && arg.isEmpty() && m.variadic && pi == m.params.size() - 1 && !out.isEmpty()
                            && out.get(out.size() - 1).is(",")) {
                        out.remove(out.size() - 1);
                        pasteNext = false;
                        continue;
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
                addPasting(out, copy, pasteNext, bt);
                pasteNext = false;
                continue;
            }
            Token x = bt.relocate(f, l, c, el, ec);
            x.hideSet = hs;
            addPasting(out, List.of(x), pasteNext, bt);
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
                        } else {
                            diag(CDiagnostic.Severity.ERROR, "pp-directive", "macro name missing after #undef", name);
                        }
                    }
                    case "include", "include_next", "import" -> include(f, line.subList(1, line.size()), name);
                    case "error" -> diag(CDiagnostic.Severity.ERROR, "pp-error", "#error " + joinText(line, 1), name);
                    case "warning" -> diag(CDiagnostic.Severity.WARNING, "pp-warning", "#warning " + joinText(line, 1), name);
                    case "pragma" -> {
                        if (line.size() >= 2 && line.get(1).is("once")) {
                            SourceFile sf = files.get(f.file);
                            onceFiles.add(sf.path != null ? sf.path.toString() : sf.uri);
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
                        || resolve(sb.toString(), system, stack.peek() == null ? 0 : stack.peek().file) != null;
                resolved.add(t.copyAt(found ? "1" : "0", Token.NUMBER, t, t.fromMacro));
            } else if ((t.is("__has_builtin") || t.is("__has_attribute") || t.is("__has_feature")
                    || t.is("__has_extension") || t.is("__has_c_attribute")) && i + 1 < expr.size() && expr.get(i + 1).is("(")) {
                int j = i + 2;
                while (j < expr.size() && !expr.get(j).is(")")) {
                    j++;
                }
                // attributes such as packed/aligned/section exist; builtins are assumed present
                resolved.add(t.copyAt("1", Token.NUMBER, t, t.fromMacro));
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

    private void include(FileState f, List<Token> line, Token name) {
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
        if (system && BUILTIN_HEADERS.contains(header)) {
            return;
        }
        Path p = resolve(header, system, f.file);
        if (p == null) {
            String base = header.contains("/") ? header.substring(header.lastIndexOf('/') + 1) : header;
            if (BUILTIN_HEADERS.contains(header) || BUILTIN_HEADERS.contains(base)) {
                return; // a local copy of a well-known header that is not on disk: built-in knowledge stands in
            }
            if (system) {
                diags.add(new CDiagnostic(CDiagnostic.Severity.INFO, "system-include", "system header <" + header
                        + "> is not known to the BPF front end; its declarations are ignored", uri, where));
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
        if (stack.size() >= MAX_INCLUDE_DEPTH) {
            diags.add(new CDiagnostic(CDiagnostic.Severity.ERROR, "include-depth", "#include nested too deeply", uri, where));
            return;
        }
        Optional<String> text = options.reader().read(p);
        if (text.isEmpty()) {
            diags.add(new CDiagnostic(CDiagnostic.Severity.WARNING, "include-not-found", "'" + header
                    + "' could not be read", uri, where));
            return;
        }
        String incUri = fileUris ? p.toUri().toString() : p.toString();
        int idx = files.size();
        files.add(new SourceFile(incUri, text.get(), p));
        stack.push(new FileState(idx, new Lexer(text.get(), idx, incUri, diags).run()));
    }

    private Path resolve(String header, boolean system, int fromFile) {
        List<Path> candidates = new ArrayList<>();
        try {
            if (!system) {
                Path from = files.get(fromFile).path;
                if (from != null && from.getParent() != null) {
                    candidates.add(from.getParent().resolve(header));
                }
            }
            for (Path dir : options.includePaths()) {
                candidates.add(dir.resolve(header));
            }
        } catch (RuntimeException e) {
            return null; // an invalid path string
        }
        for (Path c : candidates) {
            Path n = c.normalize();
            if (options.reader().read(n).isPresent()) {
                return n;
            }
        }
        return null;
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
