package io.htablab.hashtab.cfront;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A vmlinux.h as {@code bpftool btf dump ... format c} writes it, read on demand. Such a header is 100,000+
 * lines of declarations, each starting in column 0 and separated by a blank line, with no directive but its
 * include guard and the {@code preserve_access_index} pragmas. Instead of parsing all of it, an index of its
 * declarations is built (by the names each defines: struct/union/enum tags, typedef names, enum constants),
 * and a declaration is parsed, with the macros in effect where the header is included, the first time a name
 * it defines is looked up; a struct or union body is parsed only when its layout is needed (a pointer to it
 * does not need it). The result is what parsing the whole header would give for every name the file uses.
 *
 * <p>Only text that passes {@link #index} (every chunk a complete declaration of the expected shape, no other
 * directive) is read this way; anything else is parsed eagerly as usual. Thread-safe: the layer is shared by
 * every parse that includes the header, and every lookup and materialisation holds this object's lock (lookups
 * only descend to older layers, so locks are always taken newer first).
 */
final class LazyHeader {

    private static final java.util.regex.Pattern ATTRIBUTE = java.util.regex.Pattern.compile("__attribute__\\(\\(.*?\\)\\)");
    private static final boolean DEBUG = Boolean.getBoolean("htablab.cfront.debugLazy");

    /** One top-level declaration: [start, end) in the text, and its first line (0-based). */
    private record Chunk(int start, int end, int line) {
    }

    private final String uri;
    private final Path path;
    private final String text;
    private final CFrontOptions options;
    private final boolean fileUris;
    private final Map<String, Preprocessor.Macro> macros;
    private final List<Chunk> chunks;
    private final Map<String, Integer> structDefs;
    private final Map<String, Integer> unionDefs;
    private final Map<String, Integer> enumDefs;
    private final Map<String, Integer> typedefDefs;
    private final Map<String, Integer> constantDefs;
    private final java.util.Set<String> forwardOnly;
    private final boolean[] parsed;
    private TypeTable table;
    private HeaderUnit previous;
    private int materialised;

    private LazyHeader(String uri, Path path, String text, CFrontOptions options, boolean fileUris,
                       Map<String, Preprocessor.Macro> macros, Index ix) {
        this.uri = uri;
        this.path = path;
        this.text = text;
        this.options = options;
        this.fileUris = fileUris;
        this.macros = macros;
        this.chunks = ix.chunks;
        this.structDefs = ix.structs;
        this.unionDefs = ix.unions;
        this.enumDefs = ix.enums;
        this.typedefDefs = ix.typedefs;
        this.constantDefs = ix.constants;
        this.forwardOnly = ix.forward;
        this.parsed = new boolean[ix.chunks.size()];
    }

    /** The index of a bpftool-dumped header, or null when the text is not one. */
    static final class Index {
        final List<Chunk> chunks = new ArrayList<>();
        final Map<String, Integer> structs = new HashMap<>();
        final Map<String, Integer> unions = new HashMap<>();
        final Map<String, Integer> enums = new HashMap<>();
        final Map<String, Integer> typedefs = new HashMap<>();
        final Map<String, Integer> constants = new HashMap<>();
        final java.util.Set<String> forward = new java.util.HashSet<>();
        String guard;
    }

    /** Quick test before the index is built: bpftool's first lines. */
    static boolean mayBeBtfDump(String text) {
        return text.length() > 4096 && text.startsWith("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n");
    }

    static Index index(String text) {
        Index ix = new Index();
        int line = 0;
        int at = 0;
        int n = text.length();
        int nextDirective = text.indexOf("\n#");
        while (at < n) {
            int end = text.indexOf("\n\n", at);
            if (end < 0) {
                end = n;
            }
            int chunkLine = line;
            line += countLines(text, at, end) + (end < n ? 2 : 0);
            int start = at;
            at = end + 2;
            while (start < end && text.charAt(start) == '\n') {
                start++;
                chunkLine++;
            }
            if (start >= end) {
                continue;
            }
            char c = text.charAt(start);
            if (c == '#') {
                if (!directiveChunk(text, start, end, ix)) {
                    if (DEBUG) {
                        System.err.println("lazy index: unexpected directive at line " + (chunkLine + 1));
                    }
                    return null;
                }
                continue;
            }
            if (nextDirective >= 0 && nextDirective < start) {
                nextDirective = text.indexOf("\n#", start);
            }
            if (nextDirective >= 0 && nextDirective < end) {
                return null; // a directive inside a declaration
            }
            int id = ix.chunks.size();
            ix.chunks.add(new Chunk(start, end, chunkLine));
            if (!declarationChunk(text, start, end, id, ix)) {
                if (DEBUG) {
                    System.err.println("lazy index: not a bpftool declaration at line " + (chunkLine + 1) + ": "
                            + text.substring(start, Math.min(end, start + 120)));
                }
                return null;
            }
        }
        return ix.guard == null ? null : ix;
    }

    private static int countLines(String text, int from, int to) {
        int count = 0;
        int i = text.indexOf('\n', from);
        while (i >= 0 && i < to) {
            count++;
            i = text.indexOf('\n', i + 1);
        }
        return count;
    }

    /** Only the guard, conditionals around pragmas, pragmas and #endif are allowed. */
    private static boolean directiveChunk(String text, int start, int end, Index ix) {
        int at = start;
        while (at < end) {
            int eol = text.indexOf('\n', at);
            if (eol < 0 || eol > end) {
                eol = end;
            }
            String l = text.substring(at, eol).trim();
            at = eol + 1;
            if (l.isEmpty() || l.startsWith("#pragma") || l.startsWith("#endif")
                    || l.equals("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX")) {
                continue;
            }
            if (l.startsWith("#ifndef ") && ix.guard == null && ix.chunks.isEmpty()) {
                ix.guard = l.substring(8).trim();
                continue;
            }
            if (l.startsWith("#define ") && ix.guard != null && l.substring(8).trim().equals(ix.guard)) {
                continue;
            }
            return false;
        }
        return true;
    }

    private static boolean declarationChunk(String text, int start, int end, int id, Index ix) {
        if (text.charAt(end - 1) != ';') {
            return false;
        }
        int eol = text.indexOf('\n', start);
        String head = text.substring(start, eol < 0 || eol > end ? end : eol);
        if (head.startsWith("struct ") || head.startsWith("union ")) {
            boolean struct = head.startsWith("struct ");
            String rest = head.substring(struct ? 7 : 6).trim();
            String tag = identifierAt(rest, 0);
            if (tag == null) {
                return false;
            }
            String after = rest.substring(tag.length()).trim();
            if (after.equals(";")) {
                ix.forward.add((struct ? "s:" : "u:") + tag);
                return true;
            }
            if (!after.startsWith("{")) {
                return false;
            }
            (struct ? ix.structs : ix.unions).putIfAbsent(tag, id);
            return true;
        }
        if (head.startsWith("enum ")) {
            String rest = head.substring(5).trim();
            String tag = rest.startsWith("{") ? null : identifierAt(rest, 0);
            if (tag != null) {
                String after = rest.substring(tag.length()).trim();
                if (after.equals(";")) {
                    return true; // forward declaration of an enum
                }
                if (!after.startsWith("{") && !after.startsWith(":")) {
                    return false;
                }
                ix.enums.putIfAbsent(tag, id);
            }
            int at = eol + 1;
            while (at < end) {
                int le = text.indexOf('\n', at);
                if (le < 0 || le > end) {
                    le = end;
                }
                String l = text.substring(at, le).trim();
                at = le + 1;
                if (l.startsWith("}")) {
                    break;
                }
                String name = identifierAt(l, 0);
                if (name == null) {
                    return false;
                }
                ix.constants.putIfAbsent(name, id);
            }
            return true;
        }
        if (head.startsWith("typedef ")) {
            String name = typedefName(text.substring(start, end));
            if (name == null) {
                return false;
            }
            ix.typedefs.putIfAbsent(name, id);
            return true;
        }
        return false;
    }

    /** The name a bpftool typedef declares: after "(*" for function pointers, else the last declarator name. */
    static String typedefName(String decl) {
        int close = decl.lastIndexOf('}');
        String tail = close >= 0 ? decl.substring(close + 1) : decl.substring(8);
        int firstParen = tail.indexOf('(');
        int fp = firstParen >= 0 && tail.startsWith("(*", firstParen) ? firstParen : -1;
        if (fp >= 0) {
            int i = fp + 2;
            while (true) {
                while (i < tail.length() && (tail.charAt(i) == '*' || tail.charAt(i) == ' ')) {
                    i++;
                }
                String word = identifierAt(tail, i);
                if (word == null || !(word.equals("const") || word.equals("volatile") || word.equals("restrict"))) {
                    return word;
                }
                i += word.length(); // a qualifier of the pointer: "(* const name)"
            }
        }
        // drop attributes, then take the identifier before '[', '(' or ';'
        String t = tail.contains("__attribute__") ? ATTRIBUTE.matcher(tail).replaceAll(" ") : tail;
        int cut = t.length();
        for (char c : new char[] {'[', '(', ';'}) {
            int k = t.indexOf(c);
            if (k >= 0 && k < cut) {
                cut = k;
            }
        }
        int e = cut;
        while (e > 0 && !isIdentPart(t.charAt(e - 1))) {
            e--;
        }
        int b = e;
        while (b > 0 && isIdentPart(t.charAt(b - 1))) {
            b--;
        }
        return b < e ? t.substring(b, e) : null;
    }

    private static String identifierAt(String s, int i) {
        int j = i;
        while (j < s.length() && isIdentPart(s.charAt(j))) {
            j++;
        }
        return j > i && !Character.isDigit(s.charAt(i)) ? s.substring(i, j) : null;
    }

    private static boolean isIdentPart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /**
     * The unit for a bpftool-dumped header, or null when {@code text} is not one. {@code including} is the
     * preprocessor at the include: its macros are what the declarations are read with.
     */
    static HeaderUnit unit(Preprocessor including, String before, Path path, String headerUri, String text,
                           Object stamp) {
        if (!mayBeBtfDump(text)) {
            return null;
        }
        Index ix = index(text);
        if (ix == null) {
            return null;
        }
        HeaderUnit previous = including.lastUnit();
        TypeTable types = new TypeTable(previous == null ? null : previous.types());
        Map<String, Preprocessor.Macro> delta = new HashMap<>();
        if (!including.macros.containsKey(ix.guard)) {
            Map<String, Preprocessor.Macro> snapshot = java.util.Collections.unmodifiableMap(new HashMap<>(including.macros));
            LazyHeader lazy = new LazyHeader(headerUri, path, text, including.options(), including.fileUris(), snapshot, ix);
            lazy.table = types;
            lazy.previous = previous;
            types.setLazy(lazy);
            delta.put(ix.guard, guardMacro(ix.guard, headerUri));
        }
        List<HeaderUnit.Stamp> stamps = List.of(new HeaderUnit.Stamp(path, stamp));
        return new HeaderUnit(before, HeaderCache.mix(before, "lazy " + path + "=" + stamp), path.toString(), previous,
                java.util.Collections.unmodifiableMap(delta), java.util.Set.of(), including.counter(), types, Map.of(),
                Map.of(), List.of(), List.of(), stamps, text.length());
    }

    private static Preprocessor.Macro guardMacro(String guard, String uri) {
        return new Preprocessor.Macro(guard, null, false, List.of(),
                new MacroDef(guard, null, false, "", uri, new SourceRange(1, 8, 1, 8 + guard.length()), false));
    }

    // ---------------------------------------------------------------- lookups (TypeTable calls these)

    synchronized RecordType struct(String tag) {
        RecordType r = table.ownStruct(tag);
        if (r == null) {
            r = stub(RecordType.Kind.STRUCT, tag, structDefs.get(tag), "s:");
        }
        return r;
    }

    synchronized RecordType union(String tag) {
        RecordType r = table.ownUnion(tag);
        if (r == null) {
            r = stub(RecordType.Kind.UNION, tag, unionDefs.get(tag), "u:");
        }
        return r;
    }

    /** A record whose body is parsed when its layout is first needed (or an incomplete one if never defined). */
    private RecordType stub(RecordType.Kind kind, String tag, Integer def, String fwdKey) {
        if (def == null && !forwardOnly.contains(fwdKey + tag)) {
            return null;
        }
        Chunk c = def == null ? null : chunks.get(def);
        int col = kind == RecordType.Kind.STRUCT ? 7 : 6;
        RecordType r = new RecordType(kind, tag, uri, c == null ? SourceRange.NONE
                : new SourceRange(c.line(), col, c.line(), col + tag.length()));
        if (kind == RecordType.Kind.STRUCT) {
            table.putStruct(r);
        } else {
            table.putUnion(r);
        }
        if (def != null) {
            int id = def;
            r.setCompleter(() -> complete(r, id));
        }
        return r;
    }

    private void complete(RecordType r, int id) {
        synchronized (this) {
            if (!r.beginCompletion()) {
                return;
            }
            try {
                materialise(id);
            } finally {
                r.endCompletion();
            }
        }
    }

    synchronized EnumType enumType(String tag) {
        EnumType e = table.ownEnum(tag);
        if (e == null && enumDefs.containsKey(tag)) {
            materialise(enumDefs.get(tag));
            e = table.ownEnum(tag);
        }
        return e;
    }

    synchronized CType.TypedefType typedef(String name) {
        CType.TypedefType t = table.ownTypedef(name);
        if (t == null && typedefDefs.containsKey(name)) {
            materialise(typedefDefs.get(name));
            t = table.ownTypedef(name);
        }
        return t;
    }

    synchronized TypeTable.EnumConstant enumConstant(String name) {
        TypeTable.EnumConstant c = table.ownEnumConstant(name);
        if (c == null && constantDefs.containsKey(name)) {
            materialise(constantDefs.get(name));
            c = table.ownEnumConstant(name);
        }
        return c;
    }

    synchronized boolean definesConstant(String name) {
        return enumConstant(name) != null;
    }

    /** Declarations parsed so far (for tests and the figures in docs/benchmarks-lsp.md). */
    synchronized int materialised() {
        return materialised;
    }

    int declarations() {
        return chunks.size();
    }

    /** Every name the index promises, so a test can check each is really defined when looked up. */
    List<String> indexedNames(String kind) {
        return switch (kind) {
            case "struct" -> List.copyOf(structDefs.keySet());
            case "union" -> List.copyOf(unionDefs.keySet());
            case "enum" -> List.copyOf(enumDefs.keySet());
            case "typedef" -> List.copyOf(typedefDefs.keySet());
            default -> List.copyOf(constantDefs.keySet());
        };
    }

    /** Parses one declaration into the shared layer (caller holds the lock). */
    private void materialise(int id) {
        if (parsed[id]) {
            return;
        }
        parsed[id] = true;
        materialised++;
        Chunk c = chunks.get(id);
        CParser.parseDeclarationInto(this, text.substring(c.start(), c.end()), c.line());
    }

    String uri() {
        return uri;
    }

    Path path() {
        return path;
    }

    CFrontOptions options() {
        return options;
    }

    boolean fileUris() {
        return fileUris;
    }

    Map<String, Preprocessor.Macro> macros() {
        return macros;
    }

    TypeTable table() {
        return table;
    }

    HeaderUnit previous() {
        return previous;
    }
}
