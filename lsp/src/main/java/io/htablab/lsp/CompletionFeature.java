package io.htablab.lsp;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.TypeTable;
import io.htablab.lsp.CompletionData.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Completion from the text before the cursor on its line: map types after {@code __uint(type,} or
 * {@code .type =}, flags after {@code __uint(map_flags,} (also after a {@code |}), key/value types after
 * {@code __type(key,}, field names inside {@code __uint(}, whole entries at the start of a line, and
 * everything otherwise. The client filters by the typed prefix.
 */
final class CompletionFeature {

    static final List<String> UINT_FIELDS = List.of("type", "max_entries", "key_size", "value_size", "map_flags",
            "pinning", "numa_node", "map_extra");
    static final List<String> TYPE_FIELDS = List.of("key", "value");
    static final List<String> ARRAY_FIELDS = List.of("values");

    private static final Pattern UINT_VALUE = Pattern.compile("__uint\\s*\\(\\s*(\\w+)\\s*,[^()]*$");
    private static final Pattern TYPE_VALUE = Pattern.compile("__(?:type|array)\\s*\\(\\s*(\\w+)\\s*,[^()]*$");
    private static final Pattern FIELD_NAME = Pattern.compile("(__uint|__type|__array)\\s*\\(\\s*\\w*$");
    private static final Pattern LEGACY_VALUE = Pattern.compile("\\.(\\w+)\\s*=\\s*[\\w\\s|]*$");
    private static final Pattern LINE_START = Pattern.compile("^\\s*\\w*$");

    private CompletionFeature() {
    }

    static List<CompletionData> complete(Analysis a, int line, int col) {
        String l = a.index().line(line);
        String before = l.substring(0, Math.max(0, Math.min(col, l.length())));
        List<CompletionData> out = new ArrayList<>();
        Matcher m = UINT_VALUE.matcher(before);
        if (m.find()) {
            valueFor(m.group(1), out);
            return out;
        }
        m = LEGACY_VALUE.matcher(before);
        if (m.find()) {
            valueFor(m.group(1), out);
            if (out.isEmpty() && (m.group(1).equals("key_size") || m.group(1).equals("value_size"))) {
                return out;
            }
            return out;
        }
        m = TYPE_VALUE.matcher(before);
        if (m.find()) {
            types(a.result().types(), out);
            return out;
        }
        m = FIELD_NAME.matcher(before);
        if (m.find()) {
            List<String> names = switch (m.group(1)) {
                case "__uint" -> UINT_FIELDS;
                case "__type" -> TYPE_FIELDS;
                default -> ARRAY_FIELDS;
            };
            for (String n : names) {
                out.add(new CompletionData(n, Kind.FIELD, m.group(1) + " field", null));
            }
            return out;
        }
        if (LINE_START.matcher(before).find() && insideBraces(a, line, col)) {
            entries(out);
            types(a.result().types(), out);
            return out;
        }
        mapTypes(out);
        flags(out);
        types(a.result().types(), out);
        return out;
    }

    private static void valueFor(String field, List<CompletionData> out) {
        if (field.equals("type")) {
            mapTypes(out);
        } else if (field.equals("map_flags")) {
            flags(out);
        }
    }

    /** Whether more '{' than '}' precede the cursor (so a field entry makes sense there). */
    private static boolean insideBraces(Analysis a, int line, int col) {
        String text = a.text();
        int end = a.index().offset(line, col);
        int depth = 0;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            }
        }
        return depth > 0;
    }

    private static void entries(List<CompletionData> out) {
        out.add(new CompletionData("__uint(type, ...)", Kind.FIELD, "map type", "__uint(type, BPF_MAP_TYPE_HASH);"));
        out.add(new CompletionData("__uint(max_entries, ...)", Kind.FIELD, "capacity", "__uint(max_entries, 1024);"));
        out.add(new CompletionData("__type(key, ...)", Kind.FIELD, "key type", "__type(key, __u32);"));
        out.add(new CompletionData("__type(value, ...)", Kind.FIELD, "value type", "__type(value, __u64);"));
        out.add(new CompletionData("__uint(key_size, ...)", Kind.FIELD, "key size in bytes", "__uint(key_size, 4);"));
        out.add(new CompletionData("__uint(value_size, ...)", Kind.FIELD, "value size in bytes", "__uint(value_size, 8);"));
        out.add(new CompletionData("__uint(map_flags, ...)", Kind.FIELD, "BPF_F_* flags", "__uint(map_flags, BPF_F_NO_PREALLOC);"));
        out.add(new CompletionData("__uint(pinning, ...)", Kind.FIELD, "pin by name", "__uint(pinning, LIBBPF_PIN_BY_NAME);"));
        out.add(new CompletionData("__uint(numa_node, ...)", Kind.FIELD, "NUMA node", "__uint(numa_node, 0);"));
        out.add(new CompletionData("__array(values, ...)", Kind.FIELD, "inner map template", "__array(values, struct inner);"));
    }

    private static void mapTypes(List<CompletionData> out) {
        for (BpfConstants.Constant c : BpfConstants.MAP_TYPES.values()) {
            if (c.value() != 0) {
                out.add(new CompletionData(c.name(), Kind.MAP_TYPE, c.value() + ": " + c.description(), null));
            }
        }
    }

    private static void flags(List<CompletionData> out) {
        for (BpfConstants.Constant c : BpfConstants.MAP_FLAGS.values()) {
            out.add(new CompletionData(c.name(), Kind.FLAG, String.format("0x%x: %s", c.value(), c.description()), null));
        }
    }

    private static void types(TypeTable types, List<CompletionData> out) {
        for (RecordType r : types.structs()) {
            if (r.name() != null && r.layout() != null) {
                out.add(new CompletionData("struct " + r.name(), Kind.TYPE, r.size() + " B", null));
            }
        }
        for (RecordType r : types.unions()) {
            if (r.name() != null && r.layout() != null) {
                out.add(new CompletionData("union " + r.name(), Kind.TYPE, r.size() + " B", null));
            }
        }
        for (CType.TypedefType t : types.typedefs()) {
            if (t.size() > 0) {
                out.add(new CompletionData(t.name(), Kind.TYPE, t.target().spelling() + ", " + t.size() + " B", null));
            }
        }
    }
}
