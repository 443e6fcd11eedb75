package io.htablab.lsp;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;

import java.util.ArrayList;
import java.util.List;

/**
 * Padding bytes of a key: the holes of the struct itself and of structs nested in it (by value or as array
 * elements), because the kernel hashes and compares every one of key_size bytes.
 */
public final class Padding {

    /** Bytes {@code first..last} (inclusive) that no member covers. */
    public record ByteRange(long first, long last) {
        public long size() {
            return last - first + 1;
        }

        @Override
        public String toString() {
            return first == last ? Long.toString(first) : first + ".." + last;
        }
    }

    /** Nested arrays of structs are expanded only this far; beyond, the first element's pattern repeats. */
    private static final int MAX_ARRAY_ELEMENTS = 256;

    private Padding() {
    }

    /** The record a key/value type names (through typedefs), or null for scalars and incomplete types. */
    public static RecordType record(CType type) {
        if (type == null) {
            return null;
        }
        return type.resolve() instanceof RecordType r && r.layout() != null ? r : null;
    }

    /** Every padding byte range of {@code type}, ascending and merged; empty for scalars. */
    public static List<ByteRange> holes(CType type) {
        List<long[]> raw = new ArrayList<>();
        collect(type, 0, raw, 0);
        raw.sort((a, b) -> Long.compare(a[0], b[0]));
        List<ByteRange> merged = new ArrayList<>();
        for (long[] h : raw) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1).last() + 1 >= h[0]) {
                ByteRange prev = merged.remove(merged.size() - 1);
                merged.add(new ByteRange(prev.first(), Math.max(prev.last(), h[0] + h[1] - 1)));
            } else {
                merged.add(new ByteRange(h[0], h[0] + h[1] - 1));
            }
        }
        return merged;
    }

    private static void collect(CType type, long base, List<long[]> out, int depth) {
        if (type == null || depth > 32) {
            return;
        }
        CType t = type.resolve();
        if (t instanceof CType.ArrayType a && a.length() > 0 && a.element().size() > 0) {
            long n = Math.min(a.length(), MAX_ARRAY_ELEMENTS);
            for (long i = 0; i < n; i++) {
                collect(a.element(), base + i * a.element().size(), out, depth + 1);
            }
            return;
        }
        if (!(t instanceof RecordType r) || r.layout() == null) {
            return;
        }
        Layout layout = r.layout();
        for (Layout.Hole h : layout.holes()) {
            if (h.size() > 0) {
                out.add(new long[] {base + h.offset(), h.size()});
            }
        }
        if (r.isUnion()) {
            // Bytes inside one member may be covered by another member of the union: do not look inside.
            return;
        }
        for (Layout.Member m : layout.members()) {
            if (!m.isBitField()) {
                collect(m.type(), base + m.offset(), out, depth + 1);
            }
        }
    }

    /** "5..7 and 13..15" / "5..7, 9 and 13..15". */
    public static String describe(List<ByteRange> ranges) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ranges.size(); i++) {
            if (i > 0) {
                sb.append(i == ranges.size() - 1 ? " and " : ", ");
            }
            sb.append(ranges.get(i));
        }
        return sb.toString();
    }

    public static long totalBytes(List<ByteRange> ranges) {
        long n = 0;
        for (ByteRange r : ranges) {
            n += r.size();
        }
        return n;
    }
}
