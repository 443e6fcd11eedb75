package io.htablab.visualizer.model.fields;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.EnumType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.visualizer.model.Hex;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads key and value bytes by field: every offset, size, bit position and hole comes from the C front end's
 * {@link Layout} (laid out as {@code clang -target bpf} does); this class only interprets the bytes at those
 * places. Never throws on odd input: bytes past the end read as zero, undecodable members become
 * {@link Field.Kind#OPAQUE}.
 */
public final class FieldCodec {
    /** Array elements decoded one by one at most (a 4 KiB buffer would make thousands of fields per row). */
    static final int MAX_ELEMENTS = 256;
    /** Array elements written out in a one-line text. */
    static final int TEXT_ELEMENTS = 16;

    private FieldCodec() {
    }

    /** The whole of {@code bytes} read as {@code type}. */
    public static Field decode(CType type, byte[] bytes) {
        return node(null, "", type, bytes == null ? new byte[0] : bytes, 0, -1, -1);
    }

    /** The special field {@code struct bpf_spin_lock}, {@code struct bpf_timer}, ... that {@code type} is, or null. */
    public static FieldKind specialKind(CType type) {
        if (type.resolve() instanceof RecordType r && !r.isUnion() && r.name() != null) {
            for (FieldKind k : FieldKind.values()) {
                if (k.cName().equals(r.name())) {
                    return k;
                }
            }
        }
        return null;
    }

    /** Whether {@code type} is plain {@code char} (not {@code __u8}/{@code __s8}): its arrays read as strings. */
    static boolean isPlainChar(CType type) {
        if (!(type.resolve() instanceof CType.IntType i) || !i.spelling().equals("char")) {
            return false;
        }
        for (CType t = type; t instanceof CType.TypedefType td; t = td.target()) {
            if (td.name().startsWith("__") || td.name().endsWith("_t")) {
                return false; // __s8, int8_t: numbers by intent
            }
        }
        return true;
    }

    private static Field node(String name, String path, CType declared, byte[] b, long off, long bitOff, int bitWidth) {
        CType t = declared.resolve();
        String spelling = declared.spelling();
        long size = Math.max(0, declared.size());
        if (bitWidth >= 0) {
            BigInteger raw = bits(b, bitOff, bitWidth);
            long byteOff = bitOff / 8;
            long touched = bitWidth == 0 ? 0 : (bitOff + bitWidth + 7) / 8 - byteOff;
            boolean signed = t instanceof CType.IntType it ? it.signed()
                    : t instanceof EnumType e && e.underlying() != null && e.underlying().signed();
            BigInteger v = signed && bitWidth > 0 && raw.testBit(bitWidth - 1)
                    ? raw.subtract(BigInteger.ONE.shiftLeft(bitWidth)) : raw;
            Field.Kind kind = t instanceof EnumType ? Field.Kind.ENUM : isBool(t) ? Field.Kind.BOOL : Field.Kind.NUMBER;
            String text = kind == Field.Kind.ENUM ? enumText((EnumType) t, v)
                    : kind == Field.Kind.BOOL ? boolText(v) : v.toString();
            return new Field(name, path, kind, spelling + " :" + bitWidth, byteOff, touched, bitOff, bitWidth, text,
                    null, List.of());
        }
        if (t instanceof RecordType r) {
            FieldKind special = specialKind(r);
            if (special != null) {
                return new Field(name, path, Field.Kind.SPECIAL, spelling, off, size, -1, -1, "‹" + special.cName() + "›",
                        special, List.of());
            }
            if (r.layout() == null || r.isPartial()) {
                return opaque(name, path, spelling, b, off, size);
            }
            List<Field> children = members(r, b, off, path);
            return new Field(name, path, r.isUnion() ? Field.Kind.UNION : Field.Kind.STRUCT, spelling, off, size, -1,
                    -1, recordText(children, r.isUnion()), null, children);
        }
        if (t instanceof CType.ArrayType a) {
            CType elem = a.element();
            long es = elem.size();
            long n = a.length();
            if (n <= 0 || es <= 0) {
                return new Field(name, path, Field.Kind.ARRAY, spelling, off, Math.max(0, size), -1, -1, "{}", null,
                        List.of());
            }
            if (isPlainChar(elem)) {
                return new Field(name, path, Field.Kind.STRING, spelling, off, size, -1, -1, cString(b, off, n), null,
                        List.of());
            }
            List<Field> children = new ArrayList<>();
            for (long i = 0; i < n && i < MAX_ELEMENTS; i++) {
                children.add(node("[" + i + "]", path + "[" + i + "]", elem, b, off + i * es, -1, -1));
            }
            return new Field(name, path, Field.Kind.ARRAY, spelling, off, size, -1, -1, arrayText(children, n), null,
                    children);
        }
        if (t instanceof CType.IntType i) {
            BigInteger v = integer(b, off, i.size0(), i.signed());
            Field.Kind kind = isBool(i) ? Field.Kind.BOOL : i.spelling().equals("char") && isPlainChar(declared)
                    ? Field.Kind.CHAR : Field.Kind.NUMBER;
            String text = kind == Field.Kind.BOOL ? boolText(v) : kind == Field.Kind.CHAR ? charText(v.intValue())
                    : v.toString();
            return new Field(name, path, kind, spelling, off, size, -1, -1, text, null, List.of());
        }
        if (t instanceof EnumType e && e.underlying() != null) {
            BigInteger v = integer(b, off, e.underlying().size0(), e.underlying().signed());
            return new Field(name, path, Field.Kind.ENUM, spelling, off, size, -1, -1, enumText(e, v), null, List.of());
        }
        if (t instanceof CType.FloatType f && (f.size0() == 4 || f.size0() == 8)) {
            long raw = integer(b, off, f.size0(), false).longValue();
            String text = f.size0() == 4 ? Float.toString(Float.intBitsToFloat((int) raw))
                    : Double.toString(Double.longBitsToDouble(raw));
            return new Field(name, path, Field.Kind.FLOAT, spelling, off, size, -1, -1, text, null, List.of());
        }
        if (t instanceof CType.PointerType) {
            BigInteger v = integer(b, off, 8, false);
            return new Field(name, path, Field.Kind.POINTER, spelling, off, 8, -1, -1, "0x" + v.toString(16), null,
                    List.of());
        }
        return opaque(name, path, spelling, b, off, size);
    }

    private static Field opaque(String name, String path, String spelling, byte[] b, long off, long size) {
        return new Field(name, path, Field.Kind.OPAQUE, spelling, off, size, -1, -1, "0x" + hex(b, off, size), null,
                List.of());
    }

    /**
     * The members of {@code r} at {@code base}: named members, the members of anonymous struct/union members (C
     * reaches them by their own names), unnamed bit-fields and holes as padding; sorted by position.
     */
    private static List<Field> members(RecordType r, byte[] b, long base, String path) {
        List<Field> out = new ArrayList<>();
        Layout l = r.layout();
        for (Layout.Member m : l.members()) {
            long off = base + m.offset();
            if (m.name() == null || m.name().isEmpty()) {
                if (m.isBitField()) {
                    // only its own bits are padding (the byte may hold a neighbour's bits): shown in binary
                    long bitOff = base * 8 + m.bitOffset();
                    String binary = m.bitWidth() == 0 ? "" : String.format("%" + m.bitWidth() + "s",
                            bits(b, bitOff, m.bitWidth()).toString(2)).replace(' ', '0');
                    out.add(new Field(null, path, Field.Kind.PADDING, "unnamed bit-field :" + m.bitWidth(), off,
                            m.size(), bitOff, m.bitWidth(), binary, null, List.of()));
                } else if (m.type().resolve() instanceof RecordType anon && anon.layout() != null) {
                    out.addAll(members(anon, b, off, path));
                } else {
                    out.add(opaque(null, path, m.type().spelling(), b, off, m.size()));
                }
                continue;
            }
            out.add(node(m.name(), path + "." + m.name(), m.type(), b, off,
                    m.isBitField() ? base * 8 + m.bitOffset() : -1, m.bitWidth()));
        }
        for (Layout.Hole h : l.holes()) {
            out.add(new Field(null, path, Field.Kind.PADDING, h.tail() ? "tail padding" : "padding", base + h.offset(),
                    h.size(), -1, -1, padText(b, base + h.offset(), h.size()), null, List.of()));
        }
        out.sort(Comparator.comparingLong((Field f) -> f.bitOffset() >= 0 ? f.bitOffset() : f.offset() * 8));
        return out;
    }

    // ------------------------------------------------------------------ one-line texts

    private static String recordText(List<Field> children, boolean union) {
        StringBuilder sb = new StringBuilder("{");
        for (Field f : children) {
            if (f.isPadding()) {
                if (!allZero(f.text())) {
                    sep(sb).append(f.isBitField() ? "‹pad bits " + f.bitOffset() + ": 0b" : "‹pad@" + f.offset() + " ")
                            .append(f.text()).append('›');
                }
                continue;
            }
            sep(sb).append('.').append(f.name()).append('=').append(f.text());
            if (union) {
                break; // the first member, as a C initializer names it
            }
        }
        return sb.append('}').toString();
    }

    private static String arrayText(List<Field> children, long n) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < children.size() && i < TEXT_ELEMENTS; i++) {
            sep(sb).append(children.get(i).text());
        }
        if (n > TEXT_ELEMENTS) {
            sep(sb).append("… ").append(n - TEXT_ELEMENTS).append(" more");
        }
        return sb.append('}').toString();
    }

    private static StringBuilder sep(StringBuilder sb) {
        if (sb.length() > 1) {
            sb.append(", ");
        }
        return sb;
    }

    private static boolean allZero(String hexText) {
        for (int i = 0; i < hexText.length(); i++) {
            char c = hexText.charAt(i);
            if (c != '0' && c != ' ') {
                return false;
            }
        }
        return true;
    }

    private static String padText(byte[] b, long off, long size) {
        return hex(b, off, size);
    }

    private static String boolText(BigInteger v) {
        return v.signum() == 0 ? "false" : v.equals(BigInteger.ONE) ? "true" : v.toString();
    }

    private static String charText(int v) {
        if (v >= 0x20 && v < 0x7f) {
            char c = (char) v;
            return c == '\'' || c == '\\' ? "'\\" + c + "'" : "'" + c + "'";
        }
        return Integer.toString(v);
    }

    private static String enumText(EnumType e, BigInteger v) {
        for (Map.Entry<String, Long> c : e.constants().entrySet()) {
            if (BigInteger.valueOf(c.getValue()).equals(v)) {
                return c.getKey();
            }
        }
        return v.toString();
    }

    /** A C string literal of the array's bytes up to its last non-zero byte. */
    static String cString(byte[] b, long off, long n) {
        long end = n;
        while (end > 0 && at(b, off + end - 1) == 0) {
            end--;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (long i = 0; i < end; i++) {
            int c = at(b, off + i) & 0xff;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case 0 -> sb.append("\\000"); // three octal digits: a following digit cannot extend it
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("\\%03o", c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean isBool(CType t) {
        return t instanceof CType.IntType i && i.spelling().equals("_Bool");
    }

    // ------------------------------------------------------------------ bytes

    private static byte at(byte[] b, long i) {
        return i >= 0 && i < b.length ? b[(int) i] : 0;
    }

    private static String hex(byte[] b, long off, long size) {
        byte[] out = new byte[(int) Math.max(0, Math.min(size, 1 << 16))];
        for (int i = 0; i < out.length; i++) {
            out[i] = at(b, off + i);
        }
        return Hex.of(out);
    }

    /** A little-endian integer of {@code n} bytes at {@code off}. */
    static BigInteger integer(byte[] b, long off, int n, boolean signed) {
        byte[] be = new byte[n + 1]; // big-endian with a leading zero byte: never negative
        for (int i = 0; i < n; i++) {
            be[n - i] = at(b, off + i);
        }
        BigInteger v = new BigInteger(be);
        if (signed && n > 0 && v.testBit(8 * n - 1)) {
            v = v.subtract(BigInteger.ONE.shiftLeft(8 * n));
        }
        return v;
    }

    /** {@code width} bits starting at bit {@code bitOff} (bit 0 = least significant bit of byte 0), unsigned. */
    static BigInteger bits(byte[] b, long bitOff, int width) {
        if (width <= 0) {
            return BigInteger.ZERO;
        }
        long first = bitOff / 8;
        int n = (int) ((bitOff + width + 7) / 8 - first);
        BigInteger raw = integer(b, first, n, false).shiftRight((int) (bitOff - first * 8));
        return raw.and(BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE));
    }
}
