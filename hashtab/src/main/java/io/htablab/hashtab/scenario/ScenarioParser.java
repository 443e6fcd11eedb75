package io.htablab.hashtab.scenario;

import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses {@code .hts} text (scenario format v1.1) into statements. It only checks syntax; checks that
 * need a map (does it exist, do the lengths fit) happen when the statement runs.
 */
public final class ScenarioParser {

    private static final Pattern MAP_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern BLANKS = Pattern.compile("[ \\t\\f\\r\\u000b]+");

    private ScenarioParser() {
    }

    /** Every non-blank, non-comment line of {@code text}, parsed. */
    public static List<ScriptLine> parse(String text) {
        List<ScriptLine> lines = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i];
            String[] tokens = tokenize(line);
            if (tokens.length == 0) {
                continue;
            }
            try {
                lines.add(new ScriptLine(i + 1, stripEol(line), parseStatement(tokens), null));
            } catch (ScenarioException e) {
                lines.add(new ScriptLine(i + 1, stripEol(line), null, e.getMessage()));
            }
        }
        return lines;
    }

    /** Parses one line; blank and comment-only lines are an error here. */
    public static Statement parseLine(String line) throws ScenarioException {
        String[] tokens = tokenize(line);
        if (tokens.length == 0) {
            throw new ScenarioException("empty statement");
        }
        return parseStatement(tokens);
    }

    private static String stripEol(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    static String[] tokenize(String line) {
        String code = stripComment(line).strip();
        if (code.isEmpty()) {
            return new String[0];
        }
        if (code.startsWith("ctype") && (code.length() == 5 || Character.isWhitespace(code.charAt(5)))) {
            return new String[] {"ctype", code.substring(5).strip()};
        }
        if (code.indexOf('{') < 0 && code.indexOf('"') < 0 && code.indexOf('\'') < 0) {
            return BLANKS.split(code); // v1.1 lines
        }
        return splitTokens(code).toArray(new String[0]);
    }

    /**
     * Splits statement text at blanks outside brace groups and quotes: a brace group (a field-by-field key or value)
     * and a quoted string are one token, spaces and all; an unclosed group runs to the end of the text (so that a
     * console can complete inside it).
     */
    public static List<String> splitTokens(String code) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote != 0) {
                cur.append(c);
                if (c == '\\' && i + 1 < code.length()) {
                    cur.append(code.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth = Math.max(0, depth - 1);
            }
            if (depth == 0 && Character.isWhitespace(c)) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            cur.append(c);
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    /** The line without its {@code #} comment; a {@code #} inside quotes (a C string in a value) is not one. */
    public static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#') {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** Bytes of a key token, or null for a field-by-field brace group (encoded when the statement runs). */
    static byte[] keyBytes(String token) throws ScenarioException {
        if (token.startsWith("{")) {
            checkBraces(token);
            return null;
        }
        return Bytes.parseBytes(token);
    }

    private static void checkBraces(String token) throws ScenarioException {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0 && i != token.length() - 1) {
                throw new ScenarioException("text after the closing brace of '" + token + "'");
            }
        }
        if (depth != 0 || quote != 0) {
            throw new ScenarioException("unbalanced " + (quote != 0 ? "quote" : "braces") + " in '" + token + "'");
        }
    }

    /** Splits at the first {@code sep} outside braces and quotes; -1 when there is none. */
    static int indexOutside(String t, char sep) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (c == sep && depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static Statement parseStatement(String[] tokens) throws ScenarioException {
        String op = tokens[0];
        String[] args = Arrays.copyOfRange(tokens, 1, tokens.length);
        return switch (op) {
            case "cpus" -> {
                usage(args.length == 1, "cpus N");
                long n = Bytes.parseU32(args[0], "cpus");
                yield new Statement.Cpus((int) Math.min(n, Integer.MAX_VALUE));
            }
            case "cpu" -> {
                usage(args.length == 1, "cpu N");
                yield new Statement.Cpu(Bytes.parseU32(args[0], "cpu"));
            }
            case "create" -> parseCreate(args);
            case "update", "prog_update" -> {
                usage(args.length == 3 || args.length == 4, op + " M KEY VALUE [F]");
                String map = mapName(args[0]);
                byte[] key = keyBytes(args[1]);
                Statement.ValueText value = valueText(args[2]);
                long flags = args.length == 4 ? parseElemFlags(args[3]) : ElemFlag.BPF_ANY;
                yield op.equals("update")
                        ? new Statement.Update(map, args[1], key, value, flags)
                        : new Statement.ProgUpdate(map, args[1], key, value, flags);
            }
            case "lookup" -> {
                usage(args.length == 2 || args.length == 3, "lookup M KEY [lock]");
                String map = mapName(args[0]);
                byte[] key = keyBytes(args[1]);
                long flags = 0;
                if (args.length == 3) {
                    if (!args[2].equals("lock")) {
                        throw new ScenarioException("lookup: unknown flag '" + args[2] + "' (only 'lock')");
                    }
                    flags = ElemFlag.BPF_F_LOCK;
                }
                yield new Statement.Lookup(map, args[1], key, flags);
            }
            case "lookup_and_delete" -> {
                // Extension: a trailing 'lock' is BPF_F_LOCK
                usage(args.length == 2 || args.length == 3, "lookup_and_delete M KEY [lock]");
                String map = mapName(args[0]);
                byte[] key = keyBytes(args[1]);
                long flags = 0;
                if (args.length == 3) {
                    if (!args[2].equals("lock")) {
                        throw new ScenarioException("lookup_and_delete: unknown flag '" + args[2] + "' (only 'lock')");
                    }
                    flags = ElemFlag.BPF_F_LOCK;
                }
                yield new Statement.LookupAndDelete(map, args[1], key, flags);
            }
            case "ctype" -> {
                usage(args.length == 1 && !args[0].isEmpty(), "ctype C-DECLARATIONS");
                yield new Statement.Ctype(args[0]);
            }
            case "cinclude" -> {
                usage(args.length == 1, "cinclude PATH");
                yield new Statement.Cinclude(args[0]);
            }
            case "prog_lookup" -> parseProgLookup(args);
            case "delete", "prog_delete" -> {
                usage(args.length == 2, op + " M KEY");
                String map = mapName(args[0]);
                byte[] key = keyBytes(args[1]);
                yield switch (op) {
                    case "delete" -> new Statement.Delete(map, args[1], key);
                    case "lookup_and_delete" -> new Statement.LookupAndDelete(map, args[1], key);
                    default -> new Statement.ProgDelete(map, args[1], key);
                };
            }
            case "next_key" -> {
                usage(args.length == 1 || args.length == 2, "next_key M [KEY]");
                String map = mapName(args[0]);
                yield args.length == 2
                        ? new Statement.NextKey(map, args[1], keyBytes(args[1]))
                        : new Statement.NextKey(map, null, null);
            }
            case "lookup_batch", "lookup_and_delete_batch" -> {
                usage(args.length >= 2, op + " M count=N [in=CURSOR]");
                String map = mapName(args[0]);
                Map<String, String> kv = keyValues(Arrays.copyOfRange(args, 1, args.length), Set.of("count", "in", "flags"));
                if (!kv.containsKey("count")) {
                    throw new ScenarioException(op + ": missing count=");
                }
                long count = Bytes.parseU32(kv.get("count"), "count");
                byte[] cursor = null;
                if (kv.containsKey("in")) {
                    cursor = Bytes.parseBytes(kv.get("in"));
                    if (cursor.length != 4) {
                        throw new ScenarioException("a hash map batch cursor is 4 bytes, got '" + kv.get("in") + "'");
                    }
                }
                long elemFlags = 0;
                if (kv.containsKey("flags")) {
                    // Extension: flags=lock is elem_flags BPF_F_LOCK; flags=any is 0
                    elemFlags = switch (kv.get("flags")) {
                        case "lock" -> ElemFlag.BPF_F_LOCK;
                        case "any" -> 0;
                        default -> throw new ScenarioException(op + ": flags= takes lock or any, got '" + kv.get("flags") + "'");
                    };
                }
                yield new Statement.LookupBatch(map, op.equals("lookup_and_delete_batch"), count, cursor, elemFlags);
            }
            case "update_batch" -> {
                usage(args.length >= 1, "update_batch M KEY=VALUE ... [flags=F]");
                String map = mapName(args[0]);
                long flags = ElemFlag.BPF_ANY;
                boolean seenFlags = false;
                List<Statement.KeyValueText> items = new ArrayList<>();
                for (int i = 1; i < args.length; i++) {
                    String t = args[i];
                    if (t.startsWith("flags=")) {
                        if (seenFlags) {
                            throw new ScenarioException("update_batch: flags= given twice");
                        }
                        seenFlags = true;
                        flags = parseElemFlags(t.substring("flags=".length()));
                        continue;
                    }
                    int eq = indexOutside(t, '=');
                    if (eq < 0) {
                        throw new ScenarioException("update_batch: expected KEY=VALUE, got '" + t + "'");
                    }
                    String keyText = t.substring(0, eq);
                    items.add(new Statement.KeyValueText(keyText, keyBytes(keyText), valueText(t.substring(eq + 1))));
                }
                yield new Statement.UpdateBatch(map, List.copyOf(items), flags);
            }
            case "delete_batch" -> {
                usage(args.length >= 1, "delete_batch M KEY ...");
                String map = mapName(args[0]);
                List<Statement.KeyText> keys = new ArrayList<>();
                for (int i = 1; i < args.length; i++) {
                    keys.add(new Statement.KeyText(args[i], keyBytes(args[i])));
                }
                yield new Statement.DeleteBatch(map, List.copyOf(keys));
            }
            case "dump" -> {
                usage(args.length == 1, "dump M");
                yield new Statement.Dump(mapName(args[0]));
            }
            case "info" -> {
                usage(args.length == 1, "info M");
                yield new Statement.Info(mapName(args[0]));
            }
            case "reader" -> {
                usage(args.length == 3, "reader R M KEY");
                yield new Statement.ReaderBegin(mapName(args[0]), mapName(args[1]), args[2], keyBytes(args[2]));
            }
            case "step" -> {
                usage(args.length == 1 || args.length == 2, "step R [N]");
                long n = args.length == 2 ? Bytes.parseNumber(args[1], "steps", 1, 1 << 20) : 1;
                yield new Statement.ReaderStep(mapName(args[0]), (int) n);
            }
            case "profile" -> {
                usage(args.length == 1, "profile " + KernelProfile.names());
                if (KernelProfile.fromScenarioName(args[0]) == null) {
                    throw new ScenarioException("unknown kernel profile '" + args[0] + "' (" + KernelProfile.names() + ")");
                }
                yield new Statement.Profile(args[0]);
            }
            case "nested" -> parseNested(args);
            case "inject" -> parseInject(args);
            case "action", "timer_init", "timer_set_callback", "timer_start", "timer_cancel", "wq_init",
                    "wq_set_callback", "wq_start", "advance", "close" -> TimerStatements.parse(op, args);
            default -> throw new ScenarioException("unknown statement '" + op + "'");
        };
    }

    /** {@code prog_lookup M KEY} or, for a map of maps, {@code prog_lookup O KEY inner=IKEY}. */
    private static Statement parseProgLookup(String[] args) throws ScenarioException {
        usage(args.length == 2 || args.length == 3, "prog_lookup M KEY [inner=IKEY]");
        String map = mapName(args[0]);
        byte[] key = keyBytes(args[1]);
        if (args.length == 2) {
            return new Statement.ProgLookup(map, args[1], key);
        }
        if (!args[2].startsWith("inner=")) {
            throw new ScenarioException("prog_lookup: expected inner=IKEY, got '" + args[2] + "'");
        }
        String innerKey = args[2].substring("inner=".length());
        return new Statement.ProgLookupInner(map, args[1], key, innerKey, Bytes.parseBytes(innerKey));
    }

    /** Statements a nested program's outer operation may be: one output line, reaching a map's code. */
    private static final Set<String> NESTED_OUTER = Set.of("update", "delete", "lookup_and_delete", "lookup",
            "prog_update", "prog_delete", "prog_lookup", "update_batch", "delete_batch", "lookup_batch",
            "lookup_and_delete_batch");
    /** What the nested program itself does: one helper call. */
    private static final Set<String> NESTED_INNER = Set.of("prog_update", "prog_delete", "prog_lookup");

    /** {@code nested [at=FUNC] OUTER... : INNER...}. */
    private static Statement parseNested(String[] args) throws ScenarioException {
        String usage = "nested [at=lookup_elem_raw|bpf_obj_free_fields] OUTER ... : prog_update|prog_delete|prog_lookup ...";
        int i = 0;
        String at = BpfRuntime.AttachPoint.LOOKUP_ELEM_RAW.kernelName();
        if (args.length > 0 && args[0].startsWith("at=")) {
            at = args[0].substring(3);
            if (BpfRuntime.AttachPoint.fromKernelName(at) == null) {
                throw new ScenarioException("nested: unknown attach point '" + at
                        + "' (lookup_elem_raw or bpf_obj_free_fields)");
            }
            i = 1;
        }
        int colon = -1;
        for (int j = i; j < args.length; j++) {
            if (args[j].equals(":")) {
                if (colon >= 0) {
                    throw new ScenarioException("nested: more than one ':'");
                }
                colon = j;
            }
        }
        usage(colon > i && colon < args.length - 1, usage);
        String[] outerTokens = Arrays.copyOfRange(args, i, colon);
        String[] innerTokens = Arrays.copyOfRange(args, colon + 1, args.length);
        if (!NESTED_OUTER.contains(outerTokens[0])) {
            throw new ScenarioException("nested: the outer statement must be one of " + new java.util.TreeSet<>(NESTED_OUTER)
                    + ", not '" + outerTokens[0] + "'");
        }
        if (!NESTED_INNER.contains(innerTokens[0])) {
            throw new ScenarioException("nested: the program must be prog_update, prog_delete or prog_lookup, not '"
                    + innerTokens[0] + "'");
        }
        Statement outer = parseStatement(outerTokens);
        Statement inner = parseStatement(innerTokens);
        if (inner instanceof Statement.ProgLookupInner) {
            throw new ScenarioException("nested: the program makes one helper call (no inner=)");
        }
        return new Statement.Nested(at, outer, inner);
    }

    /** {@code inject M lock|lru_lock|freelist_lock=N errno=E}. */
    private static Statement parseInject(String[] args) throws ScenarioException {
        usage(args.length == 3, "inject M lock=N|lru_lock=N|freelist_lock=N errno=EDEADLK|ETIMEDOUT|EBUSY");
        String map = mapName(args[0]);
        Map<String, String> kv = keyValues(Arrays.copyOfRange(args, 1, args.length),
                Set.of("lock", "lru_lock", "freelist_lock", "errno"));
        if (!kv.containsKey("errno")) {
            throw new ScenarioException("inject: missing errno=");
        }
        String lock = null;
        for (String k : List.of("lock", "lru_lock", "freelist_lock")) {
            if (kv.containsKey(k)) {
                lock = k;
            }
        }
        if (lock == null) {
            throw new ScenarioException("inject: give one of lock=N, lru_lock=N, freelist_lock=N");
        }
        long nth = Bytes.parseNumber(kv.get(lock), lock, 1, Integer.MAX_VALUE);
        String errno = kv.get("errno");
        if (!List.of("EDEADLK", "ETIMEDOUT", "EBUSY").contains(errno)) {
            throw new ScenarioException("inject: errno must be EDEADLK, ETIMEDOUT (6.18) or EBUSY (6.14 bucket guard),"
                    + " not '" + errno + "'");
        }
        return new Statement.Inject(map, lock, (int) nth, errno);
    }

    private static Statement parseCreate(String[] args) throws ScenarioException {
        usage(args.length >= 1, "create M type=T key=K value=V max=N [flags=F1,F2,..] [numa=N]");
        String name = mapName(args[0]);
        Map<String, String> kv = keyValues(Arrays.copyOfRange(args, 1, args.length),
                Set.of("type", "key", "value", "max", "flags", "numa", "btf_key", "btf_value", "inner"));
        String btfKey = kv.containsKey("btf_key") ? cTypeName(kv.get("btf_key")) : null;
        String btfValue = kv.containsKey("btf_value") ? cTypeName(kv.get("btf_value")) : null;
        for (String required : List.of("type", "key", "value", "max")) {
            boolean defaulted = required.equals("key") && btfKey != null || required.equals("value") && btfValue != null;
            if (!kv.containsKey(required) && !defaulted) {
                throw new ScenarioException("create: missing " + required + "="
                        + (required.equals("key") || required.equals("value") ? " (or btf_" + required + "=TYPE)" : ""));
            }
        }
        MapType type = MapType.fromScenarioName(kv.get("type"));
        if (type == null) {
            throw new ScenarioException("unknown map type '" + kv.get("type")
                    + "' (one of hash, lru_hash, percpu_hash, lru_percpu_hash, hash_of_maps)");
        }
        long keySize = kv.containsKey("key") ? Bytes.parseU32(kv.get("key"), "key size") : 0;
        long valueSize = kv.containsKey("value") ? Bytes.parseU32(kv.get("value"), "value size") : 0;
        long max = Bytes.parseU32(kv.get("max"), "max entries");
        int flags = 0;
        String flagText = kv.getOrDefault("flags", "");
        if (!flagText.isEmpty() && !flagText.equals("-")) {
            for (String f : flagText.split(",", -1)) {
                MapFlag flag = MapFlag.fromScenarioName(f);
                if (flag == null) {
                    throw new ScenarioException("unknown map flag '" + f + "'");
                }
                flags |= flag.bit();
            }
        }
        int numa = kv.containsKey("numa") ? (int) Bytes.parseU32(kv.get("numa"), "numa node") : 0;
        String inner = kv.containsKey("inner") ? mapName(kv.get("inner")) : null;
        return new Statement.Create(name, new HtabAttr(type, keySize, valueSize, max, flags, numa), btfKey, btfValue,
                kv.containsKey("key"), kv.containsKey("value"), inner);
    }

    /** A C type name as written in {@code btf_key=}/{@code btf_value=}: ':' stands for a space. */
    private static String cTypeName(String text) throws ScenarioException {
        String t = text.replace(':', ' ').strip();
        if (t.isEmpty() || !t.matches("[A-Za-z_][A-Za-z0-9_ ]*[\\[\\]0-9* ]*")) {
            throw new ScenarioException("bad C type name '" + text + "' (write spaces as ':', e.g. struct:val)");
        }
        return t.replaceAll(" +", " ");
    }

    /** {@code any | noexist | exist}, optionally with {@code +lock}, or {@code lock} alone. */
    static long parseElemFlags(String text) throws ScenarioException {
        Long base = null;
        boolean lock = false;
        for (String part : text.split("\\+", -1)) {
            switch (part) {
                case "lock" -> {
                    if (lock) {
                        throw new ScenarioException("flag lock given twice in '" + text + "'");
                    }
                    lock = true;
                }
                case "any", "noexist", "exist" -> {
                    if (base != null) {
                        throw new ScenarioException("more than one of any/noexist/exist in '" + text + "'");
                    }
                    base = switch (part) {
                        case "noexist" -> ElemFlag.BPF_NOEXIST;
                        case "exist" -> ElemFlag.BPF_EXIST;
                        default -> ElemFlag.BPF_ANY;
                    };
                }
                default -> throw new ScenarioException("unknown update flag '" + part + "'");
            }
        }
        return (base == null ? 0 : base) | (lock ? ElemFlag.BPF_F_LOCK : 0);
    }

    private static Statement.ValueText valueText(String text) throws ScenarioException {
        if (text.startsWith(Statement.MAP_VALUE_PREFIX)) {
            // a map of maps' value: the inner map, named; its descriptor is filled in when the statement runs
            mapName(text.substring(Statement.MAP_VALUE_PREFIX.length()));
            return new Statement.ValueText(text, List.of());
        }
        List<byte[]> parts = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        boolean fieldwise = false;
        String rest = text;
        while (true) {
            int bar = indexOutside(rest, '|');
            String p = bar < 0 ? rest : rest.substring(0, bar);
            texts.add(p);
            if (p.startsWith("{")) {
                checkBraces(p);
                parts.add(null);
                fieldwise = true;
            } else {
                parts.add(Bytes.parseBytes(p));
            }
            if (bar < 0) {
                break;
            }
            rest = rest.substring(bar + 1);
        }
        // List.copyOf refuses nulls: a field-by-field part is a null until the interpreter encodes it
        return new Statement.ValueText(text, java.util.Collections.unmodifiableList(parts),
                fieldwise ? List.copyOf(texts) : null);
    }

    private static Map<String, String> keyValues(String[] tokens, Set<String> allowed) throws ScenarioException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : tokens) {
            int eq = t.indexOf('=');
            if (eq < 0) {
                throw new ScenarioException("expected name=value, got '" + t + "'");
            }
            String k = t.substring(0, eq);
            if (!allowed.contains(k)) {
                throw new ScenarioException("unknown parameter '" + k + "'");
            }
            if (out.put(k, t.substring(eq + 1)) != null) {
                throw new ScenarioException("parameter '" + k + "' given twice");
            }
        }
        return out;
    }

    static String mapName(String name) throws ScenarioException {
        if (!MAP_NAME.matcher(name).matches()) {
            throw new ScenarioException("bad map name '" + name + "'");
        }
        return name;
    }

    private static void usage(boolean ok, String usage) throws ScenarioException {
        if (!ok) {
            throw new ScenarioException("usage: " + usage);
        }
    }
}
