package io.htablab.hashtab.cfront;

import java.util.List;

/**
 * The memory layout of a struct or union as clang lays it out for BPF.
 *
 * @param size    total size in bytes, tail padding included
 * @param align   alignment in bytes
 * @param members every member in declaration order (unnamed bit-fields included, with a null name;
 *                anonymous struct/union members appear once, with a null name and their record type)
 * @param holes   byte ranges that no named member touches (a byte partly used by a named bit-field counts as
 *                used; the bytes of an unnamed bit-field such as {@code __u32 : 16;} do not, because BTF does
 *                not describe them: for a key they are padding like any other), tail padding included, ascending
 */
public record Layout(long size, int align, List<Member> members, List<Hole> holes) {

    /**
     * @param offset    byte offset of the member (for a bit-field: the byte holding its first bit)
     * @param bitOffset bit offset from the record start
     * @param bitWidth  width of a bit-field, or -1 for an ordinary member
     * @param size      bytes the member occupies (for a bit-field: bytes its bits touch)
     * @param range     the member's declarator in the source ({@link SourceRange#NONE} for built-ins)
     * @param declRange the whole member declaration (type, declarators and {@code ;}), for code actions
     */
    public record Member(String name, CType type, long offset, long bitOffset, int bitWidth, long size,
                         SourceRange range, SourceRange declRange) {
        public boolean isBitField() {
            return bitWidth >= 0;
        }
    }

    /** {@code tail} is true for padding after the last member. */
    public record Hole(long offset, long size, boolean tail) {
    }

    public boolean hasHoles() {
        return !holes.isEmpty();
    }

    public Member member(String name) {
        for (Member m : members) {
            if (name.equals(m.name())) {
                return m;
            }
        }
        return null;
    }
}
