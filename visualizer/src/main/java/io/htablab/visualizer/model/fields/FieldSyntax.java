package io.htablab.visualizer.model.fields;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Finds keys and values written field by field ({@code {.pid=7, .port=80}}) in a scenario statement and turns
 * them into the hex bytes the scenario format reads, with the map's C types. A brace group is one token even
 * with spaces inside; quotes protect braces, commas and {@code #}.
 *
 * <p>Until the scenario parser reads this syntax itself (docs/scenario-extensions.md), the console and the forms
 * go through here; statements without braces are returned unchanged.
 */
public final class FieldSyntax {
    private static final Set<String> KEY_ONLY = Set.of("lookup", "delete", "lookup_and_delete", "prog_lookup",
            "prog_delete", "next_key");

    private FieldSyntax() {
    }

    /** Whether {@code line} has a brace group outside its comment. */
    public static boolean hasFields(String line) {
        return code(line).indexOf('{') >= 0;
    }

    /** The statement part of a line: up to a {@code #} that is outside quotes. */
    public static String code(String line) {
        boolean quoted = false;
        char q = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == q) {
                    quoted = false;
                }
            } else if (c == '"' || c == '\'') {
                quoted = true;
                q = c;
            } else if (c == '#') {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** Tokens separated by blanks outside braces and quotes; an unclosed group runs to the end (completion). */
    public static List<String> tokens(String code) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        char q = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (q != 0) {
                cur.append(c);
                if (c == '\\' && i + 1 < code.length()) {
                    cur.append(code.charAt(++i));
                } else if (c == q) {
                    q = 0;
                }
                continue;
            }
            if (c == '"' || c == '\'') {
                q = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth = Math.max(0, depth - 1);
            } else if (Character.isWhitespace(c) && depth == 0) {
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

    /** What a token of a statement is: the key, the value, or neither. */
    public enum Role { KEY, VALUE, OTHER }

    /** The map a statement's tokens name (the second token, or the third for {@code reader R M KEY}), or null. */
    public static String mapToken(List<String> tokens) {
        if (tokens.size() < 2) {
            return null;
        }
        return tokens.get(0).equals("reader") ? (tokens.size() > 2 ? tokens.get(2) : null) : tokens.get(1);
    }

    /** The role of token {@code i} in a statement starting with keyword {@code op}. */
    public static Role role(String op, int i) {
        if (op.equals("update") || op.equals("prog_update")) {
            return i == 2 ? Role.KEY : i == 3 ? Role.VALUE : Role.OTHER;
        }
        if (KEY_ONLY.contains(op)) {
            return i == 2 ? Role.KEY : Role.OTHER;
        }
        if (op.equals("delete_batch")) {
            return i >= 2 ? Role.KEY : Role.OTHER;
        }
        if (op.equals("reader")) {
            return i == 3 ? Role.KEY : Role.OTHER;
        }
        return Role.OTHER; // update_batch items hold both, see translate
    }

    /**
     * {@code line} with every brace group replaced by its hex bytes (a trailing comment is kept).
     *
     * @param typesOf the C types of a map by name (null when the map is unknown or untyped)
     * @throws Initializer.SyntaxException naming the statement part and the reason
     */
    public static String translate(String line, Function<String, MapTypes> typesOf) {
        String code = code(line);
        String comment = line.substring(code.length());
        List<String> tokens = tokens(code.strip());
        if (tokens.isEmpty() || code.indexOf('{') < 0) {
            return line;
        }
        String op = tokens.get(0);
        String map = mapToken(tokens);
        MapTypes types = map == null ? null : typesOf.apply(map);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.indexOf('{') < 0) {
                out.add(t);
                continue;
            }
            if (types == null) {
                throw new Initializer.SyntaxException("map " + map + " has no known C types, so '" + t + "' cannot "
                        + "be encoded field by field (create it from C declarations)");
            }
            if (op.equals("update_batch") && i >= 2) {
                int eq = topLevel(t, '=');
                if (eq < 0) {
                    throw new Initializer.SyntaxException("update_batch: expected KEY=VALUE, got '" + t + "'");
                }
                out.add(part(types, t.substring(0, eq), Role.KEY) + "=" + part(types, t.substring(eq + 1), Role.VALUE));
                continue;
            }
            Role r = role(op, i);
            if (r == Role.OTHER) {
                throw new Initializer.SyntaxException(op + ": '" + t + "' is not a key or a value here");
            }
            out.add(part(types, t, r));
        }
        return String.join(" ", out) + (comment.isEmpty() ? "" : " " + comment.strip());
    }

    /** A key, or a value that may hold one part per CPU joined by '|'. */
    private static String part(MapTypes types, String text, Role role) {
        if (text.indexOf('{') < 0) {
            return text;
        }
        if (role == Role.KEY) {
            return io.htablab.visualizer.model.Hex.of(types.encodeKey(text));
        }
        List<String> slots = new ArrayList<>();
        int from = 0;
        for (int bar = topLevel(text, '|'); bar >= 0; bar = topLevel(text, '|', from)) {
            slots.add(text.substring(from, bar));
            from = bar + 1;
        }
        slots.add(text.substring(from));
        List<String> hex = new ArrayList<>();
        for (String s : slots) {
            hex.add(s.indexOf('{') < 0 ? s : io.htablab.visualizer.model.Hex.of(types.encodeValue(s)));
        }
        return String.join("|", hex);
    }

    private static int topLevel(String s, char target) {
        return topLevel(s, target, 0);
    }

    /** The first {@code target} at brace depth 0 and outside quotes, from {@code from}, or -1. */
    private static int topLevel(String s, char target, int from) {
        int depth = 0;
        char q = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (q != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == q) {
                    q = 0;
                }
            } else if (c == '"' || c == '\'') {
                q = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (c == target && depth == 0 && i >= from) {
                return i;
            }
        }
        return -1;
    }
}
