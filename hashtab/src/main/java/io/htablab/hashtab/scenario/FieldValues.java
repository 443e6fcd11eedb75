package io.htablab.hashtab.scenario;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.EnumType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.SpecialField;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a key or value written field by field, in C designated-initializer style ({@code {.pid=1, .comm="bash",
 * .in={.a=2}, .arr={1, 2}, .arr2={[3]=7}}}), into the bytes of its C type: members not named are zero, numbers are
 * little-endian and range-checked by the member's type (bit-fields by their width), a string fills a char array
 * (NUL-padded; too long is an error), positional initializers follow C (the next member after the last one
 * written). Special fields (locks, timers, ...) cannot be given a value.
 */
final class FieldValues {

    private final String text;
    private int pos;
    private final FieldRecord special;

    private FieldValues(String text, FieldRecord special) {
        this.text = text;
        this.special = special == null ? FieldRecord.EMPTY : special;
    }

    /**
     * The bytes of {@code type} for the brace group {@code text}.
     *
     * @param special the type's special fields (from its BTF), which the text may not initialise
     * @throws ScenarioException naming the member and the reason when the text does not fit the type
     */
    static byte[] encode(CType type, String text, FieldRecord special) throws ScenarioException {
        long size = type.size();
        if (size < 0) {
            throw new ScenarioException(type.spelling() + " has no size");
        }
        FieldValues p = new FieldValues(text, special);
        byte[] out = new byte[(int) size];
        p.skipBlanks();
        p.initializer(type, out, 0, type.spelling());
        p.skipBlanks();
        if (p.pos != text.length()) {
            throw p.error("text after the value");
        }
        return out;
    }

    private void initializer(CType type, byte[] out, long off, String path) throws ScenarioException {
        CType t = type.resolve();
        if (peek() == '{') {
            pos++;
            if (t instanceof RecordType r) {
                recordBody(r, out, off, path);
            } else if (t instanceof CType.ArrayType a) {
                arrayBody(a, out, off, path);
            } else {
                // C allows braces around a scalar: {5}
                skipBlanks();
                if (peek() == '.' || peek() == '[') {
                    throw error(path + " is " + type.spelling() + ": it has no members or elements to name");
                }
                scalar(t, out, off, 0, -1, path);
                skipBlanks();
                expect('}');
            }
            return;
        }
        if (peek() == '"') {
            if (t instanceof CType.ArrayType a && a.element().resolve() instanceof CType.IntType it && it.size() == 1) {
                string(a, out, off, path);
                return;
            }
            throw error(path + " is " + type.spelling() + ", not a char array: a string does not fit");
        }
        if (t instanceof RecordType || t instanceof CType.ArrayType) {
            throw error(path + " is " + type.spelling() + ": write it in braces");
        }
        scalar(t, out, off, 0, -1, path);
    }

    private void recordBody(RecordType r, byte[] out, long off, String path) throws ScenarioException {
        if (r.layout() == null || r.size() < 0) {
            throw error(r.spelling() + " is incomplete");
        }
        List<Layout.Member> members = initializable(r);
        int next = 0;
        boolean first = true;
        while (true) {
            skipBlanks();
            if (peek() == '}') {
                pos++;
                return;
            }
            if (!first) {
                expect(',');
                skipBlanks();
                if (peek() == '}') {
                    pos++;
                    return;
                }
            }
            first = false;
            Layout.Member m;
            String where;
            long base = off;
            if (peek() == '.') {
                pos++;
                String name = identifier();
                skipBlanks();
                expect('=');
                skipBlanks();
                // a member of an anonymous struct/union member is named directly, as in C
                List<Layout.Member> chain = findMember(r, name);
                if (chain == null) {
                    throw error(r.spelling() + " has no member '" + name + "'");
                }
                for (int i = 0; i < chain.size() - 1; i++) {
                    base += chain.get(i).offset();
                }
                m = chain.get(chain.size() - 1);
                next = members.indexOf(chain.get(0)) + 1;
                where = path + "." + name;
            } else {
                if (next >= members.size()) {
                    throw error("too many initializers for " + r.spelling());
                }
                m = members.get(next++);
                where = path + "." + (m.name() == null ? "(anonymous)" : m.name());
            }
            member(m, out, base, where);
        }
    }

    private void member(Layout.Member m, byte[] out, long base, String where) throws ScenarioException {
        long at = base + m.offset();
        for (SpecialField f : special.fields()) {
            if (at < f.offset() + f.size() && at + Math.max(m.size(), 1) > f.offset()) {
                throw error(where + " is a special field (struct " + f.kind().cName() + "): it cannot be given a value");
            }
        }
        if (m.isBitField()) {
            scalar(m.type().resolve(), out, base, m.bitOffset(), m.bitWidth(), where);
        } else {
            initializer(m.type(), out, at, where);
        }
    }

    /** Members an initializer list walks: unnamed bit-fields are skipped, as in C. */
    private static List<Layout.Member> initializable(RecordType r) {
        List<Layout.Member> out = new ArrayList<>();
        for (Layout.Member m : r.layout().members()) {
            if (m.name() == null && m.isBitField()) {
                continue;
            }
            out.add(m);
            if (r.isUnion()) {
                break; // positional initialisation of a union sets its first member
            }
        }
        return out;
    }

    /** The member named {@code name}, through anonymous members: the chain from {@code r}'s member down. */
    private static List<Layout.Member> findMember(RecordType r, String name) {
        for (Layout.Member m : r.layout().members()) {
            if (name.equals(m.name())) {
                return new ArrayList<>(List.of(m));
            }
            if (m.name() == null && m.type().resolve() instanceof RecordType inner && inner.layout() != null) {
                List<Layout.Member> sub = findMember(inner, name);
                if (sub != null) {
                    sub.add(0, m);
                    return sub;
                }
            }
        }
        return null;
    }

    private void arrayBody(CType.ArrayType a, byte[] out, long off, String path) throws ScenarioException {
        long n = a.length() < 0 ? 0 : a.length();
        long esize = a.element().size();
        long next = 0;
        boolean first = true;
        while (true) {
            skipBlanks();
            if (peek() == '}') {
                pos++;
                return;
            }
            if (!first) {
                expect(',');
                skipBlanks();
                if (peek() == '}') {
                    pos++;
                    return;
                }
            }
            first = false;
            if (peek() == '[') {
                pos++;
                skipBlanks();
                BigInteger idx = number();
                skipBlanks();
                expect(']');
                skipBlanks();
                expect('=');
                skipBlanks();
                next = idx.longValue();
            }
            if (next < 0 || next >= n) {
                throw error(path + "[" + next + "] is past the end of " + a.spelling());
            }
            initializer(a.element(), out, off + next * esize, path + "[" + next + "]");
            next++;
        }
    }

    private void string(CType.ArrayType a, byte[] out, long off, String path) throws ScenarioException {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != '"') {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                c = escape(text.charAt(pos++));
            }
            sb.append(c);
        }
        expect('"');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        long n = a.length() < 0 ? 0 : a.length();
        // C allows the terminating NUL to be dropped when the string fills the array exactly
        if (bytes.length > n) {
            throw error("string for " + path + " has " + bytes.length + " bytes, " + a.spelling() + " holds " + n);
        }
        System.arraycopy(bytes, 0, out, (int) off, bytes.length);
    }

    private static char escape(char c) {
        return switch (c) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case '0' -> '\0';
            case 'r' -> '\r';
            default -> c;
        };
    }

    /** A number into an integer (or enum, pointer, bit-field) member, range-checked by its type. */
    private void scalar(CType t, byte[] out, long off, long bitOffset, int bitWidth, String path) throws ScenarioException {
        BigInteger v;
        if (peek() == '\'') {
            pos++;
            if (pos + 1 >= text.length()) {
                throw error("unterminated character constant");
            }
            char c = text.charAt(pos++);
            if (c == '\\') {
                c = escape(text.charAt(pos++));
            }
            expect('\'');
            v = BigInteger.valueOf(c);
        } else {
            v = number();
        }
        int bytes;
        boolean signed;
        if (t instanceof CType.IntType it) {
            bytes = (int) it.size();
            signed = it.signed();
            if (it.spelling().equals("_Bool") && v.signum() != 0 && !v.equals(BigInteger.ONE)) {
                throw error(path + " is _Bool: 0 or 1, got " + v);
            }
        } else if (t instanceof EnumType e && e.underlying() != null) {
            bytes = (int) e.size();
            signed = e.underlying().signed();
        } else if (t instanceof CType.PointerType) {
            bytes = 8;
            signed = false;
        } else {
            throw error(path + " is " + t.spelling() + ": a number does not fit");
        }
        int bits = bitWidth >= 0 ? bitWidth : bytes * 8;
        BigInteger min = signed ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
        BigInteger max = signed ? BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw error(path + " is " + (bitWidth >= 0 ? bits + "-bit " : "") + t.spelling() + " (" + min + ".." + max
                    + "): " + v + " does not fit");
        }
        BigInteger unsigned = v.signum() < 0 ? v.add(BigInteger.ONE.shiftLeft(bits)) : v;
        if (bitWidth < 0) {
            for (int i = 0; i < bytes; i++) {
                out[(int) off + i] = unsigned.shiftRight(8 * i).byteValue();
            }
            return;
        }
        for (int i = 0; i < bits; i++) {
            long bit = off * 8 + bitOffset + i; // bitOffset counts from the start of the enclosing record
            int idx = (int) (bit / 8);
            int mask = 1 << (bit % 8);
            if (unsigned.testBit(i)) {
                out[idx] |= (byte) mask;
            } else {
                out[idx] &= (byte) ~mask;
            }
        }
    }

    private BigInteger number() throws ScenarioException {
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
        }
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)))) {
            pos++;
        }
        String n = text.substring(start, pos);
        try {
            boolean neg = n.startsWith("-");
            String digits = n.replaceFirst("^[-+]", "").replaceFirst("(?i)[ul]+$", "");
            BigInteger v = digits.startsWith("0x") || digits.startsWith("0X") ? new BigInteger(digits.substring(2), 16)
                    : new BigInteger(digits);
            return neg ? v.negate() : v;
        } catch (NumberFormatException e) {
            throw error("expected a number, got '" + n + "'");
        }
    }

    private String identifier() throws ScenarioException {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a member name after '.'");
        }
        return text.substring(start, pos);
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) throws ScenarioException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void skipBlanks() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private ScenarioException error(String why) {
        return new ScenarioException("value " + text + ": " + why + " (at column " + (pos + 1) + ")");
    }
}
