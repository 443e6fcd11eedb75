/**
 * The C front end for eBPF map definitions.
 *
 * <p>Call {@link io.htablab.hashtab.cfront.CFront#parse(String, String, CFrontOptions)}. The result
 * ({@link io.htablab.hashtab.cfront.CFrontResult}) holds:
 * <ul>
 *   <li>{@link io.htablab.hashtab.cfront.MapDefinition} for every map: type, key/value size, max_entries,
 *       flags, numa node, pinning, key/value {@link io.htablab.hashtab.cfront.CType}, each written entry as a
 *       {@link io.htablab.hashtab.cfront.MapField} with source ranges and raw text, and the inner map of
 *       {@code __array(values, ...)}. Unknown values are empty {@link java.util.OptionalLong}s, never 0.</li>
 *   <li>{@link io.htablab.hashtab.cfront.TypeTable}: structs, unions, enums, typedefs, enum constants;
 *       a struct/union's {@link io.htablab.hashtab.cfront.Layout} has member offsets, bit-fields and padding
 *       holes exactly as {@code clang -O2 -g -target bpf} lays them out.</li>
 *   <li>{@link io.htablab.hashtab.cfront.MacroDef}s and {@link io.htablab.hashtab.cfront.CDiagnostic}s.</li>
 * </ul>
 *
 * <p>Positions are {@link io.htablab.hashtab.cfront.SourceRange}s: 0-based line/column, end exclusive
 * (LSP convention). A token produced by a macro expansion is placed at the macro invocation in the file.
 *
 * <p>Headers are read for real: {@code #include "x"} from the including file's directory, then the
 * {@link io.htablab.hashtab.cfront.CFrontOptions#includePaths() -I paths}, then the system directories
 * {@code clang -target bpf} searches here ({@link io.htablab.hashtab.cfront.CFrontOptions#defaultSystemIncludePaths()}:
 * the multiarch {@code /usr/include/<triplet>}, {@code /usr/local/include}, clang's resource directory,
 * {@code /usr/include}); {@code #include_next} continues after the directory the current file came from. Only a
 * well-known header that is found nowhere ({@code vmlinux.h}, {@code bpf/bpf_helpers.h}, {@code linux/bpf.h},
 * {@code linux/types.h}, ...) is replaced by built-in knowledge ({@code Prelude}), and an information diagnostic
 * ({@code builtin-header}) says so where it is included. The built-in names stay visible underneath every file
 * (a snippet without includes still works); a real header's definitions shadow them without a diagnostic.
 *
 * <p>Headers included before the file's first declaration are parsed once per JVM and per preprocessor state and
 * shared read-only by every file and every edit ({@code HeaderCache}, {@code HeaderUnit}, a layered
 * {@link io.htablab.hashtab.cfront.TypeTable}); a vmlinux.h dumped by bpftool is read on demand
 * ({@code LazyHeader}): only the declarations a file uses are parsed. Maps defined in headers are in
 * {@link io.htablab.hashtab.cfront.CFrontResult#maps()} with the header's uri and lines;
 * {@link io.htablab.hashtab.cfront.CFrontResult#includedAt(String)} gives the {@code #include} that brought them in.
 *
 * <p>C as clang reads it: backslash-newlines are spliced before tokenising (positions stay those of the file as
 * written); {@code typeof}/{@code sizeof} of expressions follow C's typing rules; unnamed bit-fields are padding.
 */
package io.htablab.hashtab.cfront;
