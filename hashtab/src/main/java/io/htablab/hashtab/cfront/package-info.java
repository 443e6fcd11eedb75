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
 * <p>Well-known headers ({@code vmlinux.h}, {@code bpf/bpf_helpers.h}, {@code linux/bpf.h},
 * {@code linux/types.h}, {@code bpf/bpf_tracing.h}, {@code bpf/bpf_endian.h}, {@code bpf/bpf_core_read.h})
 * are not read: their contents that matter for maps are built in (kernel integer typedefs,
 * {@code BPF_MAP_TYPE_*}, {@code BPF_F_*}, {@code __uint/__type/__array/SEC}, {@code struct bpf_spin_lock},
 * {@code struct bpf_timer}, {@code struct bpf_wq}, ...). Built-in names are always visible, and a user
 * definition of the same name replaces the built-in one without a diagnostic.
 */
package io.htablab.hashtab.cfront;
