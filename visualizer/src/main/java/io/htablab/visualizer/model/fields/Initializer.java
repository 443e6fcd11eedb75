package io.htablab.visualizer.model.fields;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.EnumType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.htab.fields.FieldKind;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values written field by field in C designated-initializer style, {@code {.pid=1, .comm="bash",
 * .inner={.a=2}, .arr={1, 2}}}, encoded into the bytes a C compiler would place in memory for that initializer:
 * members not named are zero, padding is zero, numbers are little-endian and range-checked against the member's
 * type (as the scenario format's typed shorthands are), a string fills a {@code char} array, positional items
 * follow C, bit-fields are packed at the C front end's bit offsets. Special fields cannot be given a value.
 *
 * <p>This is the visualizer's encoder until the scenario parser reads the same syntax; then the parser's encoder
 * replaces it (one encoder for both). The tests hold it to clang's own bytes for the same initializers.
 */
public final class Initializer {

    /** A malformed initializer, or one that does not fit the type; the message names the member and the reason. */
    public static final class SyntaxException extends IllegalArgumentException {
        public SyntaxException(String message) {
            super(message);
        }
    }

    private Initializer() {
    }

    /** The bytes of {@code text} as a value of {@code type} ({@code what} names it in messages: "key", "value"). */
    public static byte[] encode(CType type, String text, String what) {
        long size = type.size();
        if (size < 0) {
            throw new SyntaxException(what + ": type " + type.spelling() + " is incomplete");
        }
        Parser p = new Parser(text);
        Node n = p.init();
        p.skipBlanks();
        if (!p.atEnd()) {
            throw new SyntaxException(what + ": unexpected '" + p.rest() + "' after the initializer");
        }
        byte[] out = new byte[(int) size];
        write(type, n, out, 0, what);
        return out;
    }

    // ------------------------------------------------------------------ syntax tree

    private sealed interface Node permits Braced, Scalar, Str {
    }

    private record Item(List<Object> designators, Node value) {
    }

    private record Braced(List<Item> items) implements Node {
    }

    /** A number, a character literal's value, or a name (enum constant, true, false). */
    private record Scalar(String token) implements Node {
    }

    private record Str(byte[] bytes) implements Node {
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return i >= s.length();
        }

        String rest() {
            return s.substring(i);
        }

        void skipBlanks() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private SyntaxException error(String why) {
            return new SyntaxException(why + " at column " + (i + 1) + " of '" + s + "'");
        }

        Node init() {
            skipBlanks();
            if (atEnd()) {
                throw error("missing value");
            }
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                List<Item> items = new ArrayList<>();
                skipBlanks();
                while (!atEnd() && s.charAt(i) != '}') {
                    items.add(item());
                    skipBlanks();
                    if (!atEnd() && s.charAt(i) == ',') {
                        i++;
                        skipBlanks();
                    } else if (!atEnd() && s.charAt(i) != '}') {
                        throw error("expected ',' or '}'");
                    }
                }
                if (atEnd()) {
                    throw error("missing '}'");
                }
                i++;
                return new Braced(items);
            }
            if (c == '"') {
                return new Str(string());
            }
            if (c == '\'') {
                byte[] ch = quoted('\'');
                if (ch.length != 1) {
                    throw error("a character literal holds one character");
                }
                return new Scalar(Integer.toString(ch[0]));
            }
            int start = i;
            while (!atEnd() && "{},=\"' \t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            if (start == i) {
                throw error("unexpected '" + c + "'");
            }
            return new Scalar(s.substring(start, i));
        }

        private Item item() {
            List<Object> designators = new ArrayList<>();
            while (!atEnd() && (s.charAt(i) == '.' || s.charAt(i) == '[')) {
                if (s.charAt(i) == '.') {
                    i++;
                    int start = i;
                    while (!atEnd() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                        i++;
                    }
                    if (start == i) {
                        throw error("expected a member name after '.'");
                    }
                    designators.add(s.substring(start, i));
                } else {
                    i++;
                    int start = i;
                    while (!atEnd() && s.charAt(i) != ']') {
                        i++;
                    }
                    if (atEnd()) {
                        throw error("missing ']'");
                    }
                    String idx = s.substring(start, i).strip();
                    i++;
                    try {
                        designators.add(Long.decode(idx));
                    } catch (NumberFormatException e) {
                        throw error("bad array index '" + idx + "'");
                    }
                }
                skipBlanks();
            }
            if (!designators.isEmpty()) {
                if (atEnd() || s.charAt(i) != '=') {
                    throw error("expected '=' after the designator");
                }
                i++;
            }
            return new Item(designators, init());
        }

        private byte[] string() {
            return quoted('"');
        }

        /** A quoted literal with C escapes (\n \t \\ \" \' \0 octal, \xHH). */
        private byte[] quoted(char q) {
            i++;
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (!atEnd() && s.charAt(i) != q) {
                char c = s.charAt(i++);
                if (c != '\\') {
                    out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                if (atEnd()) {
                    break;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> out.write('\n');
                    case 't' -> out.write('\t');
                    case 'r' -> out.write('\r');
                    case '\\', '"', '\'' -> out.write(e);
                    case 'x' -> {
                        int start = i;
                        while (!atEnd() && Character.digit(s.charAt(i), 16) >= 0 && i - start < 2) {
                            i++;
                        }
                        if (start == i) {
                            throw error("\\x without hex digits");
                        }
                        out.write(Integer.parseInt(s.substring(start, i), 16));
                    }
                    default -> {
                        if (e >= '0' && e <= '7') {
                            int start = i - 1;
                            while (!atEnd() && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '7') {
                                i++;
                            }
                            out.write(Integer.parseInt(s.substring(start, i), 8) & 0xff);
                        } else {
                            throw error("unknown escape \\" + e);
                        }
                    }
                }
            }
            if (atEnd()) {
                throw error("missing closing " + q);
            }
            i++;
            return out.toByteArray();
        }
    }

    // ------------------------------------------------------------------ encoding

    private static void write(CType declared, Node n, byte[] out, long off, String path) {
        CType t = declared.resolve();
        FieldKind special = FieldCodec.specialKind(t);
        if (special != null) {
            throw new SyntaxException(path + " is a struct " + special.cName() + ": special fields are managed by the "
                    + "kernel and cannot be given a value");
        }
        if (t instanceof RecordType r) {
            if (!(n instanceof Braced b)) {
                throw new SyntaxException(path + " is " + declared.spelling() + ": write it as {…}");
            }
            if (r.layout() == null || r.isPartial()) {
                throw new SyntaxException(path + ": " + declared.spelling() + " is incomplete");
            }
            writeRecord(r, b, out, off, path);
        } else if (t instanceof CType.ArrayType a) {
            writeArray(declared, a, n, out, off, path);
        } else {
            if (n instanceof Braced b) {
                // C allows braces around a scalar: {7}
                if (b.items().size() != 1 || !b.items().get(0).designators().isEmpty()) {
                    throw new SyntaxException(path + " is " + declared.spelling() + ": one value expected");
                }
                n = b.items().get(0).value();
            }
            if (!(n instanceof Scalar sc)) {
                throw new SyntaxException(path + " is " + declared.spelling() + ": a string fits only a char array");
            }
            writeScalar(declared, t, sc.token(), out, off, -1, -1, path);
        }
    }

    /** The members an initializer list walks through in order: named ones and anonymous records (one each). */
    private static List<Layout.Member> initializable(RecordType r) {
        List<Layout.Member> out = new ArrayList<>();
        for (Layout.Member m : r.layout().members()) {
            boolean unnamed = m.name() == null || m.name().isEmpty();
            if (unnamed && m.isBitField()) {
                continue; // unnamed bit-fields take no initializer in C
            }
            out.add(m);
        }
        return out;
    }

    private static void writeRecord(RecordType r, Braced b, byte[] out, long off, String path) {
        List<Layout.Member> members = initializable(r);
        int cursor = 0;
        for (Item item : b.items()) {
            if (!item.designators().isEmpty()) {
                Object d = item.designators().get(0);
                if (!(d instanceof String name)) {
                    throw new SyntaxException(path + " is a " + (r.isUnion() ? "union" : "struct") + ": [" + d
                            + "] designates an array element");
                }
                List<Layout.Member> chain = findMember(r, name);
                if (chain == null) {
                    throw new SyntaxException(path + ": " + r.spelling() + " has no member '" + name + "'"
                            + memberList(r));
                }
                long base = off;
                for (int k = 0; k < chain.size() - 1; k++) {
                    base += chain.get(k).offset(); // through anonymous struct/union members
                }
                Layout.Member m = chain.get(chain.size() - 1);
                String at = path + "." + name;
                List<Object> rest = item.designators().subList(1, item.designators().size());
                writeMember(m, base, rest.isEmpty() ? item.value() : nest(rest, item.value()), out, at);
                cursor = members.indexOf(chain.get(0)) + 1;
                continue;
            }
            if (cursor >= members.size() || (r.isUnion() && cursor > 0)) {
                throw new SyntaxException(path + ": too many values for " + r.spelling());
            }
            Layout.Member m = members.get(cursor++);
            String at = m.name() == null ? path : path + "." + m.name();
            writeMember(m, off, item.value(), out, at);
        }
    }

    /** {@code .a.b = v} is {@code .a = {.b = v}} for the bytes it writes (nothing else is zeroed by a designator). */
    private static Node nest(List<Object> designators, Node value) {
        return new Braced(List.of(new Item(designators, value)));
    }

    private static void writeMember(Layout.Member m, long base, Node value, byte[] out, String at) {
        if (m.isBitField()) {
            CType t = m.type().resolve();
            if (value instanceof Braced b && b.items().size() == 1 && b.items().get(0).designators().isEmpty()) {
                value = b.items().get(0).value();
            }
            if (!(value instanceof Scalar sc)) {
                throw new SyntaxException(at + " is a bit-field: one number expected");
            }
            writeScalar(m.type(), t, sc.token(), out, 0, base * 8 + m.bitOffset(), m.bitWidth(), at);
        } else {
            write(m.type(), value, out, base + m.offset(), at);
        }
    }

    /** The member named {@code name} in {@code r}, reached through anonymous members if need be (outermost first). */
    private static List<Layout.Member> findMember(RecordType r, String name) {
        for (Layout.Member m : r.layout().members()) {
            if (name.equals(m.name())) {
                return List.of(m);
            }
        }
        for (Layout.Member m : r.layout().members()) {
            if ((m.name() == null || m.name().isEmpty()) && !m.isBitField()
                    && m.type().resolve() instanceof RecordType anon && anon.layout() != null) {
                List<Layout.Member> inner = findMember(anon, name);
                if (inner != null) {
                    List<Layout.Member> chain = new ArrayList<>();
                    chain.add(m);
                    chain.addAll(inner);
                    return chain;
                }
            }
        }
        return null;
    }

    private static String memberList(RecordType r) {
        List<String> names = memberNames(r);
        return names.isEmpty() ? "" : " (members: " + String.join(", ", names) + ")";
    }

    /** Member names an initializer of {@code r} can designate (anonymous members' members included). */
    public static List<String> memberNames(RecordType r) {
        List<String> out = new ArrayList<>();
        if (r.layout() == null) {
            return out;
        }
        for (Layout.Member m : r.layout().members()) {
            if (m.name() != null && !m.name().isEmpty()) {
                out.add(m.name());
            } else if (!m.isBitField() && m.type().resolve() instanceof RecordType anon) {
                out.addAll(memberNames(anon));
            }
        }
        return out;
    }

    private static void writeArray(CType declared, CType.ArrayType a, Node n, byte[] out, long off, String path) {
        CType elem = a.element();
        long es = elem.size();
        long len = a.length();
        if (n instanceof Braced b && b.items().size() == 1 && b.items().get(0).designators().isEmpty()
                && b.items().get(0).value() instanceof Str inner) {
            n = inner; // char s[4] = {"abc"} is C too
        }
        if (n instanceof Str s) {
            if (!(elem.resolve() instanceof CType.IntType i) || i.size0() != 1) {
                throw new SyntaxException(path + " is " + declared.spelling() + ": a string fits only a char array");
            }
            if (s.bytes().length > len) {
                throw new SyntaxException(path + " is " + declared.spelling() + ": the string has "
                        + s.bytes().length + " bytes, more than " + len);
            }
            System.arraycopy(s.bytes(), 0, out, (int) off, s.bytes().length); // the rest stays NUL
            return;
        }
        if (!(n instanceof Braced b)) {
            throw new SyntaxException(path + " is " + declared.spelling() + ": write it as {…}");
        }
        long cursor = 0;
        for (Item item : b.items()) {
            long index;
            Node value = item.value();
            if (!item.designators().isEmpty()) {
                Object d = item.designators().get(0);
                if (!(d instanceof Long idx)) {
                    throw new SyntaxException(path + " is an array: ." + d + " designates a member");
                }
                index = idx;
                List<Object> rest = item.designators().subList(1, item.designators().size());
                if (!rest.isEmpty()) {
                    value = nest(rest, value);
                }
            } else {
                index = cursor;
            }
            if (index < 0 || index >= len) {
                throw new SyntaxException(path + "[" + index + "] is outside " + declared.spelling());
            }
            write(elem, value, out, off + index * es, path + "[" + index + "]");
            cursor = index + 1;
        }
    }

    /**
     * Writes one number. {@code bitOff >= 0} writes a bit-field of {@code bitWidth} bits at that bit offset from the
     * start of {@code out}; otherwise the member's own size at byte {@code off}.
     */
    private static void writeScalar(CType declared, CType t, String token, byte[] out, long off, long bitOff,
                                    int bitWidth, String path) {
        if (t instanceof CType.FloatType f) {
            double d;
            try {
                d = Double.parseDouble(token);
            } catch (NumberFormatException e) {
                throw new SyntaxException(path + " is " + declared.spelling() + ": bad number '" + token + "'");
            }
            long raw = f.size0() == 4 ? Float.floatToRawIntBits((float) d) & 0xffffffffL : Double.doubleToRawLongBits(d);
            put(out, off, f.size0(), BigInteger.valueOf(raw));
            return;
        }
        int bytes;
        boolean signed;
        if (t instanceof CType.IntType i) {
            bytes = i.size0();
            signed = i.signed();
        } else if (t instanceof EnumType e && e.underlying() != null) {
            bytes = e.underlying().size0();
            signed = e.underlying().signed();
        } else if (t instanceof CType.PointerType) {
            bytes = 8;
            signed = false;
        } else {
            throw new SyntaxException(path + " is " + declared.spelling() + ": cannot be written field by field");
        }
        BigInteger v = number(declared, t, token, path);
        int bitsWide = bitOff >= 0 ? bitWidth : 8 * bytes;
        BigInteger lo = signed ? BigInteger.ONE.shiftLeft(bitsWide - 1).negate() : BigInteger.ZERO;
        BigInteger hi = signed ? BigInteger.ONE.shiftLeft(bitsWide - 1).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bitsWide).subtract(BigInteger.ONE);
        if (t instanceof CType.IntType i && i.spelling().equals("_Bool")) {
            hi = BigInteger.ONE; // a _Bool holds 0 or 1
        }
        if (bitsWide == 0 || v.compareTo(lo) < 0 || v.compareTo(hi) > 0) {
            throw new SyntaxException(path + " is " + declared.spelling() + (bitOff >= 0 ? " :" + bitWidth : "")
                    + ": " + token + " does not fit [" + lo + ", " + hi + "]");
        }
        BigInteger unsigned = v.signum() < 0 ? v.add(BigInteger.ONE.shiftLeft(bitsWide)) : v;
        if (bitOff < 0) {
            put(out, off, bytes, unsigned);
            return;
        }
        for (int k = 0; k < bitWidth; k++) {
            long bit = bitOff + k;
            int idx = (int) (bit / 8);
            if (idx >= out.length) {
                throw new SyntaxException(path + ": bit-field outside the type");
            }
            int mask = 1 << (bit % 8);
            out[idx] = (byte) (unsigned.testBit(k) ? out[idx] | mask : out[idx] & ~mask);
        }
    }

    private static BigInteger number(CType declared, CType t, String token, String path) {
        if (t instanceof EnumType e) {
            Long c = e.constants().get(token);
            if (c != null) {
                return BigInteger.valueOf(c);
            }
        }
        if (token.equals("true")) {
            return BigInteger.ONE;
        }
        if (token.equals("false") || token.equals("NULL")) {
            return BigInteger.ZERO;
        }
        String s = token;
        boolean negative = s.startsWith("-");
        if (negative) {
            s = s.substring(1);
        }
        try {
            BigInteger v;
            if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
                v = new BigInteger(s.substring(2), 16);
            } else if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
                v = new BigInteger(s);
            } else {
                throw new NumberFormatException();
            }
            return negative ? v.negate() : v;
        } catch (NumberFormatException e) {
            String hint = t instanceof EnumType en && !en.constants().isEmpty()
                    ? " (constants: " + String.join(", ", en.constants().keySet()) + ")" : "";
            throw new SyntaxException(path + " is " + declared.spelling() + ": bad number '" + token + "'" + hint);
        }
    }

    private static void put(byte[] out, long off, int n, BigInteger v) {
        for (int k = 0; k < n; k++) {
            int idx = (int) off + k;
            if (idx < out.length) {
                out[idx] = (byte) v.shiftRight(8 * k).intValue();
            }
        }
    }

    // ------------------------------------------------------------------ completion

    /**
     * Member names that may come next where {@code partial} (the start of an initializer of {@code root}) ends:
     * inside the innermost open brace that belongs to a struct or union. Returns the names that start with the
     * part of a name being typed after the last '.' (all of them after '{' or ','), or an empty list.
     */
    public static Completion complete(CType root, String partial) {
        List<CType> stack = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        CType pending = null;
        int i = 0;
        String typed = null;
        boolean dotted = false;
        while (i < partial.length()) {
            char c = partial.charAt(i);
            if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < partial.length() && partial.charAt(j) != c) {
                    j += partial.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                continue;
            }
            if (c == '{') {
                CType inner = stack.isEmpty() ? root : pending != null ? pending : positional(stack, positions);
                stack.add(inner == null ? null : inner.resolve());
                positions.add(0);
                pending = null;
                typed = "";
                dotted = false;
            } else if (c == '}') {
                if (!stack.isEmpty()) {
                    stack.remove(stack.size() - 1);
                    positions.remove(positions.size() - 1);
                }
                typed = null;
            } else if (c == ',') {
                if (!positions.isEmpty()) {
                    positions.set(positions.size() - 1, positions.get(positions.size() - 1) + 1);
                }
                pending = null;
                typed = "";
                dotted = false;
            } else if (c == '.') {
                int j = i + 1;
                while (j < partial.length() && (Character.isLetterOrDigit(partial.charAt(j))
                        || partial.charAt(j) == '_')) {
                    j++;
                }
                String name = partial.substring(i + 1, j);
                if (j == partial.length()) {
                    typed = name;
                    dotted = true;
                    break;
                }
                CType top = stack.isEmpty() ? null : stack.get(stack.size() - 1);
                pending = memberType(top, name);
                if (top instanceof RecordType r) {
                    int idx = initializable(r).indexOf(findFirst(r, name));
                    if (idx >= 0) {
                        positions.set(positions.size() - 1, idx);
                    }
                }
                i = j;
                continue;
            } else if (!Character.isWhitespace(c)) {
                typed = null;
            }
            i++;
        }
        CType top = stack.isEmpty() ? null : stack.get(stack.size() - 1);
        if (typed == null || !(top instanceof RecordType r)) {
            return new Completion("", false, List.of());
        }
        List<String> out = new ArrayList<>();
        for (String n : memberNames(r)) {
            if (n.startsWith(typed)) {
                out.add(n);
            }
        }
        return new Completion(typed, dotted, out);
    }

    /**
     * What {@link #complete} found: the part of a member name already typed, whether its '.' is typed too, and the
     * names that fit.
     */
    public record Completion(String typed, boolean dotted, List<String> members) {
    }

    private static Layout.Member findFirst(RecordType r, String name) {
        List<Layout.Member> chain = r.layout() == null ? null : findMember(r, name);
        return chain == null ? null : chain.get(0);
    }

    private static CType memberType(CType record, String name) {
        if (record instanceof RecordType r && r.layout() != null) {
            List<Layout.Member> chain = findMember(r, name);
            if (chain != null) {
                return chain.get(chain.size() - 1).type();
            }
        }
        return null;
    }

    private static CType positional(List<CType> stack, List<Integer> positions) {
        CType top = stack.get(stack.size() - 1);
        int pos = positions.get(positions.size() - 1);
        if (top instanceof CType.ArrayType a) {
            return a.element();
        }
        if (top instanceof RecordType r && r.layout() != null) {
            List<Layout.Member> members = initializable(r);
            return pos < members.size() ? members.get(pos).type() : null;
        }
        return null;
    }
}
