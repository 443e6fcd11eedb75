package io.htablab.hashtab.cfront;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An enum with its constants and the integer type clang picks for it ({@code int} by default,
 * {@code unsigned int}/{@code long}/{@code unsigned long} for wider values, the smallest fitting type when
 * packed, or the written type for {@code enum : type}).
 */
public final class EnumType implements CType {

    private final String name;
    private final String uri;
    private final SourceRange nameRange;
    private final Map<String, Long> constants = new LinkedHashMap<>();
    private CType.IntType underlying;
    private boolean complete;

    public EnumType(String name, String uri, SourceRange nameRange) {
        this.name = name;
        this.uri = uri;
        this.nameRange = nameRange;
    }

    public String name() { return name; }

    public String uri() { return uri; }

    public SourceRange nameRange() { return nameRange; }

    public Map<String, Long> constants() { return Collections.unmodifiableMap(constants); }

    /** The integer type values are stored in; null until the enum is complete. */
    public CType.IntType underlying() { return underlying; }

    void addConstant(String constant, long value) {
        constants.put(constant, value);
    }

    void complete(CType.IntType type) {
        this.underlying = type;
        this.complete = true;
    }

    @Override
    public long size() { return complete ? underlying.size() : -1; }

    @Override
    public int align() { return complete ? underlying.align() : 1; }

    @Override
    public String spelling() { return name == null ? "enum (anonymous)" : "enum " + name; }

    @Override
    public String toString() { return spelling(); }
}
