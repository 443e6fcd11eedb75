package io.htablab.hashtab.cfront;

import java.util.OptionalLong;

/**
 * One entry of a map definition: {@code __uint(max_entries, 1024)}, {@code __type(key, struct k)},
 * {@code __array(values, struct inner)} or a legacy designated initializer {@code .max_entries = 1024}.
 *
 * @param name       the field name ({@code type}, {@code max_entries}, {@code key}, {@code value}, {@code map_flags}, ...)
 * @param range      the whole entry, e.g. all of {@code __uint(map_flags, BPF_F_NO_PREALLOC)} without the {@code ;}
 * @param exprText   the value expression (or type) as written in the source
 * @param valueRange where {@code exprText} is written (for code actions that edit it)
 * @param value      the evaluated number, empty for type entries and for values that could not be evaluated
 * @param type       the C type for {@code __type}/{@code __array} entries, else null
 */
public record MapField(String name, SourceRange range, String exprText, SourceRange valueRange, OptionalLong value,
                       CType type) {
}
