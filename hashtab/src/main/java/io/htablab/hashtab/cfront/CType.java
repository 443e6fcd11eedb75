package io.htablab.hashtab.cfront;

import java.util.List;

/**
 * A C type as clang sees it for {@code -target bpf} (LP64: long and pointers are 8 bytes).
 * {@link #size()} is -1 for incomplete types (an undefined struct, {@code void}, a flexible array).
 */
public sealed interface CType permits CType.VoidType, CType.IntType, CType.FloatType, CType.PointerType,
        CType.ArrayType, RecordType, EnumType, CType.TypedefType, CType.FuncType {

    /** Size in bytes, or -1 when incomplete. */
    long size();

    /** Alignment in bytes (at least 1). */
    int align();

    /** The type as C would spell it, e.g. {@code unsigned int}, {@code struct key}, {@code __u32 *}. */
    String spelling();

    default boolean isComplete() {
        return size() >= 0;
    }

    /** This type with every typedef removed at the top level. */
    default CType resolve() {
        CType t = this;
        while (t instanceof TypedefType td) {
            t = td.target();
        }
        return t;
    }

    record VoidType() implements CType {
        public long size() { return -1; }
        public int align() { return 1; }
        public String spelling() { return "void"; }
    }

    /** Integer types including {@code _Bool}, {@code char} and {@code __int128}. */
    record IntType(String spelling, int size0, int align0, boolean signed) implements CType {
        public long size() { return size0; }
        public int align() { return align0; }
    }

    record FloatType(String spelling, int size0) implements CType {
        public long size() { return size0; }
        public int align() { return size0; }
    }

    record PointerType(CType target) implements CType {
        public long size() { return 8; }
        public int align() { return 8; }
        public String spelling() {
            if (target instanceof FuncType f) {
                return f.returnType().spelling() + " (*)(" + f.paramList() + ")";
            }
            return target.spelling() + " *";
        }
    }

    /** {@code length} is -1 for a flexible array member {@code []}; {@code [0]} has length 0. */
    record ArrayType(CType element, long length) implements CType {
        public long size() {
            long e = element.size();
            if (length < 0) {
                return e < 0 ? -1 : 0;
            }
            return e < 0 ? -1 : e * length;
        }
        public int align() { return element.align(); }
        public boolean isFlexible() { return length < 0; }
        public String spelling() {
            return element.spelling() + "[" + (length < 0 ? "" : Long.toString(length)) + "]";
        }
    }

    /**
     * A typedef name. {@code alignOverride} is the {@code aligned(N)} attribute written on the typedef
     * (0 when none); {@code uri}/{@code range} are null/{@link SourceRange#NONE} for built-ins.
     */
    record TypedefType(String name, CType target, int alignOverride, String uri, SourceRange range) implements CType {
        public long size() { return target.size(); }
        public int align() { return alignOverride > 0 ? alignOverride : target.align(); }
        public String spelling() { return name; }
    }

    /** A function type; only ever seen behind a pointer in map structs (GNU: sizeof is 1). */
    record FuncType(CType returnType, List<CType> params, boolean variadic) implements CType {
        public long size() { return 1; }
        public int align() { return 1; }
        public String spelling() { return returnType.spelling() + " (" + paramList() + ")"; }
        String paramList() {
            StringBuilder sb = new StringBuilder();
            for (CType p : params) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(p.spelling());
            }
            if (variadic) {
                sb.append(sb.length() > 0 ? ", ..." : "...");
            }
            return sb.toString();
        }
    }
}
