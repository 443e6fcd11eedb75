package io.htablab.visualizer.model.fields;

import io.htablab.hashtab.scenario.ScenarioParser;
import java.util.List;
import java.util.Set;

/**
 * Where keys and values written field by field ({@code {.pid=7, .port=80}}) sit in a statement being typed, for
 * completion: a brace group is one token even with spaces inside, quotes protect braces, commas and {@code #}, and
 * an unclosed group runs to the end. The bytes are the scenario parser's business (one encoder).
 */
public final class FieldSyntax {
    private static final Set<String> KEY_ONLY = Set.of("lookup", "delete", "lookup_and_delete", "prog_lookup",
            "prog_delete", "next_key");

    private FieldSyntax() {
    }

    /** The statement part of a line: up to a {@code #} that is outside quotes (the scenario parser's rule). */
    public static String code(String line) {
        return ScenarioParser.stripComment(line);
    }

    /** Tokens separated by blanks outside braces and quotes, as the scenario parser splits them. */
    public static List<String> tokens(String code) {
        return ScenarioParser.splitTokens(code);
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

}
