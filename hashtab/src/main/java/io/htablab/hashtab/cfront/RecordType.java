package io.htablab.hashtab.cfront;

/**
 * A struct or union. It is created when first named and completed when its body is read, so
 * {@link #layout()} is null (and {@link #size()} -1) while it is only forward-declared.
 */
public final class RecordType implements CType {

    public enum Kind { STRUCT, UNION }

    private final Kind kind;
    private final String name;
    private final String uri;
    private SourceRange nameRange;
    private SourceRange range;
    private Layout layout;
    private boolean packed;
    private int alignAttribute;
    private boolean partial;
    /** For a record of a header read on demand: parses its body the first time its layout is asked for. */
    private volatile Runnable completer;
    private boolean completing;

    public RecordType(Kind kind, String name, String uri, SourceRange nameRange) {
        this.kind = kind;
        this.name = name;
        this.uri = uri;
        this.nameRange = nameRange;
        this.range = nameRange;
    }

    public Kind kind() { return kind; }

    public boolean isUnion() { return kind == Kind.UNION; }

    /** The tag, or null for an anonymous struct/union. */
    public String name() { return name; }

    public String uri() { return uri; }

    public SourceRange nameRange() { return nameRange; }

    /** The definition (from the keyword to the closing brace), or the tag when only declared. */
    public SourceRange range() { ensure(); return range; }

    public Layout layout() { ensure(); return layout; }

    public boolean isPacked() { ensure(); return packed; }

    /** The {@code aligned(N)} attribute on the record, 0 when none. */
    public int alignAttribute() { ensure(); return alignAttribute; }

    /**
     * True when some member has an incomplete or unknown type: {@link #layout()} then shows what is known,
     * but {@link #size()} is -1.
     */
    public boolean isPartial() { ensure(); return partial; }

    private void ensure() {
        Runnable c = completer;
        if (c != null) {
            c.run();
        }
    }

    void setCompleter(Runnable c) {
        this.completer = c;
    }

    /** Called under the lazy header's lock: false when already complete or being completed (a nested use). */
    boolean beginCompletion() {
        if (completer == null || completing) {
            return false;
        }
        completing = true;
        return true;
    }

    void endCompletion() {
        completing = false;
        completer = null;
    }

    void complete(Layout newLayout, SourceRange definitionRange, boolean isPacked, int alignAttr, boolean isPartial) {
        this.partial = isPartial;
        this.layout = newLayout;
        this.range = definitionRange;
        this.packed = isPacked;
        this.alignAttribute = alignAttr;
    }

    void setNameRange(SourceRange r) {
        this.nameRange = r;
    }

    @Override
    public long size() { ensure(); return layout == null || partial ? -1 : layout.size(); }

    @Override
    public int align() { ensure(); return layout == null ? 1 : layout.align(); }

    @Override
    public String spelling() {
        String kw = kind == Kind.STRUCT ? "struct" : "union";
        if (name != null) {
            return kw + " " + name;
        }
        return kw + " (anonymous at " + (range.startLine() + 1) + ":" + (range.startCol() + 1) + ")";
    }

    @Override
    public String toString() { return spelling(); }
}
