package io.htablab.hashtab.cfront.btf;

import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.SourceRange;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BTF type tags written on a pointer member ({@code struct task_struct __kptr *task;}): cfront's types do not
 * keep attributes, so the tags are read from the member's declaration in the source, between its first token and
 * its name: the libbpf macros {@code __kptr}, {@code __kptr_untrusted}, {@code __percpu_kptr}, {@code __uptr} and
 * {@code __attribute__((btf_type_tag("...")))}. {@link BtfEncoder} then emits PTR -> TYPE_TAG -> target, as clang does.
 */
@FunctionalInterface
public interface PointerTags {

    /** No tags anywhere (what cfront's types alone say). */
    PointerTags NONE = (owner, member) -> List.of();

    /** The tag values on {@code member} of {@code owner}, in source order; empty when none. */
    List<String> tags(RecordType owner, Layout.Member member);

    /**
     * Tags read from the source: {@code textOf} gives a file's text by the URI cfront recorded for the record
     * (null when unknown).
     */
    static PointerTags fromSource(Function<String, String> textOf) {
        Pattern macro = Pattern.compile("\\b(__kptr_untrusted|__kptr|__percpu_kptr|__uptr)\\b"
                + "|btf_type_tag\\s*\\(\\s*\"([^\"]*)\"\\s*\\)");
        return (owner, member) -> {
            SourceRange decl = member.declRange();
            SourceRange name = member.range();
            if (decl == null || name == null || decl.equals(SourceRange.NONE) || owner.uri() == null) {
                return List.of();
            }
            String text = textOf.apply(owner.uri());
            if (text == null) {
                return List.of();
            }
            String between = slice(text, decl.startLine(), decl.startCol(), name.startLine(), name.startCol());
            if (between == null) {
                return List.of();
            }
            TreeMap<Integer, String> found = new TreeMap<>();
            Matcher m = macro.matcher(between);
            while (m.find()) {
                String tag = m.group(1) != null ? switch (m.group(1)) {
                    case "__kptr_untrusted" -> "kptr_untrusted";
                    case "__percpu_kptr" -> "percpu_kptr";
                    case "__uptr" -> "uptr";
                    default -> "kptr";
                } : m.group(2);
                found.put(m.start(), tag);
            }
            return new ArrayList<>(found.values());
        };
    }

    /** Text from (line, col) to (line2, col2), 0-based, or null when outside the text. */
    private static String slice(String text, int line, int col, int line2, int col2) {
        int a = offset(text, line, col);
        int b = offset(text, line2, col2);
        return a < 0 || b < a ? null : text.substring(a, b);
    }

    private static int offset(String text, int line, int col) {
        int pos = 0;
        for (int l = 0; l < line; l++) {
            pos = text.indexOf('\n', pos);
            if (pos < 0) {
                return -1;
            }
            pos++;
        }
        return pos + col <= text.length() ? pos + col : -1;
    }
}
