package io.htablab.hashtab.htab.fields;

/**
 * One special field of a map value (struct btf_field): its kind and where it lies in the value.
 *
 * @param kind   what the field is
 * @param offset byte offset in the value
 * @param size   bytes it occupies (user-space copies skip exactly these)
 * @param name   the member's name as declared, dotted for nested members ({@code "inner.t"}), for messages and views
 */
public record SpecialField(FieldKind kind, int offset, int size, String name) {
}
