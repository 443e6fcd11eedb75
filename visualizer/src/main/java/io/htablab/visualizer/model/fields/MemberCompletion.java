package io.htablab.visualizer.model.fields;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;

import java.util.ArrayList;
import java.util.List;

/**
 * Member names for a key or value being typed field by field ({@code update m {.pi} → {.pid=}), from the C front
 * end's layout of its type: the members of the innermost open brace that belongs to a struct or union, members of
 * anonymous struct/union members included (C names them directly).
 */
public final class MemberCompletion {

    private MemberCompletion() {
    }

    /** The members an initializer list walks through in order: named ones and anonymous records (one each). */
    private static List<Layout.Member> initializable(RecordType r) {
        List<Layout.Member> out = new ArrayList<>();
        for (Layout.Member m : r.layout().members()) {
            boolean unnamed = m.name() == null || m.name().isEmpty();
            if (unnamed && m.isBitField()) {
                continue; // unnamed bit-fields take no initializer in C
            }
            out.add(m);
        }
        return out;
    }

    /** The member named {@code name} in {@code r}, reached through anonymous members if need be (outermost first). */
    private static List<Layout.Member> findMember(RecordType r, String name) {
        for (Layout.Member m : r.layout().members()) {
            if (name.equals(m.name())) {
                return List.of(m);
            }
        }
        for (Layout.Member m : r.layout().members()) {
            if ((m.name() == null || m.name().isEmpty()) && !m.isBitField()
                    && m.type().resolve() instanceof RecordType anon && anon.layout() != null) {
                List<Layout.Member> inner = findMember(anon, name);
                if (inner != null) {
                    List<Layout.Member> chain = new ArrayList<>();
                    chain.add(m);
                    chain.addAll(inner);
                    return chain;
                }
            }
        }
        return null;
    }

    /** Member names an initializer of {@code r} can designate (anonymous members' members included). */
    public static List<String> memberNames(RecordType r) {
        List<String> out = new ArrayList<>();
        if (r.layout() == null) {
            return out;
        }
        for (Layout.Member m : r.layout().members()) {
            if (m.name() != null && !m.name().isEmpty()) {
                out.add(m.name());
            } else if (!m.isBitField() && m.type().resolve() instanceof RecordType anon) {
                out.addAll(memberNames(anon));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ completion

    /**
     * Member names that may come next where {@code partial} (the start of an initializer of {@code root}) ends:
     * inside the innermost open brace that belongs to a struct or union. Returns the names that start with the
     * part of a name being typed after the last '.' (all of them after '{' or ','), or an empty list.
     */
    public static Completion complete(CType root, String partial) {
        List<CType> stack = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        CType pending = null;
        int i = 0;
        String typed = null;
        boolean dotted = false;
        while (i < partial.length()) {
            char c = partial.charAt(i);
            if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < partial.length() && partial.charAt(j) != c) {
                    j += partial.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                continue;
            }
            if (c == '{') {
                CType inner = stack.isEmpty() ? root : pending != null ? pending : positional(stack, positions);
                stack.add(inner == null ? null : inner.resolve());
                positions.add(0);
                pending = null;
                typed = "";
                dotted = false;
            } else if (c == '}') {
                if (!stack.isEmpty()) {
                    stack.remove(stack.size() - 1);
                    positions.remove(positions.size() - 1);
                }
                typed = null;
            } else if (c == ',') {
                if (!positions.isEmpty()) {
                    positions.set(positions.size() - 1, positions.get(positions.size() - 1) + 1);
                }
                pending = null;
                typed = "";
                dotted = false;
            } else if (c == '.') {
                int j = i + 1;
                while (j < partial.length() && (Character.isLetterOrDigit(partial.charAt(j))
                        || partial.charAt(j) == '_')) {
                    j++;
                }
                String name = partial.substring(i + 1, j);
                if (j == partial.length()) {
                    typed = name;
                    dotted = true;
                    break;
                }
                CType top = stack.isEmpty() ? null : stack.get(stack.size() - 1);
                pending = memberType(top, name);
                if (top instanceof RecordType r) {
                    int idx = initializable(r).indexOf(findFirst(r, name));
                    if (idx >= 0) {
                        positions.set(positions.size() - 1, idx);
                    }
                }
                i = j;
                continue;
            } else if (!Character.isWhitespace(c)) {
                typed = null;
            }
            i++;
        }
        CType top = stack.isEmpty() ? null : stack.get(stack.size() - 1);
        if (typed == null || !(top instanceof RecordType r)) {
            return new Completion("", false, List.of());
        }
        List<String> out = new ArrayList<>();
        for (String n : memberNames(r)) {
            if (n.startsWith(typed)) {
                out.add(n);
            }
        }
        return new Completion(typed, dotted, out);
    }

    /**
     * What {@link #complete} found: the part of a member name already typed, whether its '.' is typed too, and the
     * names that fit.
     */
    public record Completion(String typed, boolean dotted, List<String> members) {
    }

    private static Layout.Member findFirst(RecordType r, String name) {
        List<Layout.Member> chain = r.layout() == null ? null : findMember(r, name);
        return chain == null ? null : chain.get(0);
    }

    private static CType memberType(CType record, String name) {
        if (record instanceof RecordType r && r.layout() != null) {
            List<Layout.Member> chain = findMember(r, name);
            if (chain != null) {
                return chain.get(chain.size() - 1).type();
            }
        }
        return null;
    }

    private static CType positional(List<CType> stack, List<Integer> positions) {
        CType top = stack.get(stack.size() - 1);
        int pos = positions.get(positions.size() - 1);
        if (top instanceof CType.ArrayType a) {
            return a.element();
        }
        if (top instanceof RecordType r && r.layout() != null) {
            List<Layout.Member> members = initializable(r);
            return pos < members.size() ? members.get(pos).type() : null;
        }
        return null;
    }
}
