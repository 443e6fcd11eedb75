package io.htablab.visualizer.model.fields;

import io.htablab.hashtab.htab.fields.FieldKind;

import java.util.List;

/**
 * One decoded part of a key or value: a member, an array element, a padding hole or the whole root. Offsets are
 * the C front end's (never computed here except {@code i * sizeof(element)} inside arrays).
 *
 * @param name      member name, {@code [i]} for an array element, null for the root and for padding
 * @param path      designator path from the root, e.g. {@code .inner.a} or {@code .arr[2]}; "" for the root
 * @param kind      what it is
 * @param type      the C spelling of its type (padding: "padding")
 * @param offset    byte offset from the start of the key/value
 * @param size      bytes it covers (a bit-field: the bytes its bits touch)
 * @param bitOffset for a bit-field, the bit offset from the start of the key/value; -1 otherwise
 * @param bitWidth  for a bit-field, its width; -1 otherwise
 * @param text      the value as C would write it ({@code 7}, {@code "bash"}, {@code 'a'}, {@code XDP_PASS}); for a
 *                  record or array the one-line initializer of its parts
 * @param special   the kernel-managed field this is ({@code struct bpf_timer}, ...), or null
 * @param children  members or elements (records, unions, arrays), in offset order, padding included
 */
public record Field(String name, String path, Kind kind, String type, long offset, long size, long bitOffset,
                    int bitWidth, String text, FieldKind special, List<Field> children) {

    public enum Kind {
        /** An integer member (decimal), signed or not, any width up to 128 bits. */
        NUMBER,
        /** A single {@code char}: {@code 'a'} when printable, else its number. */
        CHAR,
        BOOL,
        /** An enum member: the constant's name when one has that value, else the number. */
        ENUM,
        FLOAT,
        POINTER,
        /** A {@code char} array shown as a C string. */
        STRING,
        ARRAY,
        STRUCT,
        UNION,
        /** A kernel-managed special field (spin lock, timer, workqueue, ...): user space reads zeros there. */
        SPECIAL,
        /** Bytes no member describes (alignment holes, tail padding, unnamed bit-fields). */
        PADDING,
        /** A member whose type cannot be decoded (incomplete, function). Shown as hex. */
        OPAQUE
    }

    public Field {
        children = children == null ? List.of() : List.copyOf(children);
    }

    public boolean isBitField() {
        return bitWidth >= 0;
    }

    public boolean isPadding() {
        return kind == Kind.PADDING;
    }

    public boolean isSpecial() {
        return kind == Kind.SPECIAL;
    }

    public boolean isAggregate() {
        return kind == Kind.STRUCT || kind == Kind.UNION || kind == Kind.ARRAY;
    }

    /** The child with member name {@code n}, or null. */
    public Field child(String n) {
        for (Field f : children) {
            if (n.equals(f.name())) {
                return f;
            }
        }
        return null;
    }
}
