package io.htablab.hashtab.cfront;

import java.util.List;

/**
 * A macro known at the end of the file.
 *
 * @param params    parameter names of a function-like macro, or null for an object-like one
 *                  (a variadic macro's last name is {@code "__VA_ARGS__"} or the named variadic parameter)
 * @param variadic  whether the macro takes {@code ...}
 * @param body      the replacement list as written (single-spaced tokens)
 * @param uri       the file it was defined in, or null for built-ins
 * @param range     the macro name in its #define, or {@link SourceRange#NONE} for built-ins
 * @param builtin   true for macros supplied by the front end's built-in header knowledge
 */
public record MacroDef(String name, List<String> params, boolean variadic, String body, String uri,
                       SourceRange range, boolean builtin) {

    public boolean isFunctionLike() {
        return params != null;
    }
}
