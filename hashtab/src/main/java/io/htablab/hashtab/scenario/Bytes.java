package io.htablab.hashtab.scenario;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.HexFormat;

/** The scenario format's byte and number syntax: hex in memory order, typed little-endian shorthands. */
public final class Bytes {
    private static final HexFormat HEX = HexFormat.of();

    private Bytes() {
    }

    /** Lower-case hex without a prefix, as every output line prints bytes. */
    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static String hex(byte[] bytes, int from, int to) {
        return HEX.formatHex(bytes, from, to);
    }

    /**
     * Parses bytes: plain hex ({@code 0x} optional, even number of digits), or typed shorthands
     * {@code u8:N u16:N u32:N u64:N i32:N i64:N} joined by {@code +} (hex parts may be mixed in).
     */
    public static byte[] parseBytes(String text) throws ScenarioException {
        if (text.isEmpty()) {
            throw new ScenarioException("empty bytes");
        }
        if (text.indexOf(':') < 0 && text.indexOf('+') < 0) {
            return parseHex(text);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String part : text.split("\\+", -1)) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                out.writeBytes(parseHex(part));
                continue;
            }
            String type = part.substring(0, colon);
            String number = part.substring(colon + 1);
            int size;
            boolean signed;
            switch (type) {
                case "u8" -> { size = 1; signed = false; }
                case "u16" -> { size = 2; signed = false; }
                case "u32" -> { size = 4; signed = false; }
                case "u64" -> { size = 8; signed = false; }
                case "i32" -> { size = 4; signed = true; }
                case "i64" -> { size = 8; signed = true; }
                default -> throw new ScenarioException("unknown typed shorthand '" + part + "'");
            }
            BigInteger lo = signed ? BigInteger.ONE.shiftLeft(8 * size - 1).negate() : BigInteger.ZERO;
            BigInteger hi = signed ? BigInteger.ONE.shiftLeft(8 * size - 1).subtract(BigInteger.ONE)
                    : BigInteger.ONE.shiftLeft(8 * size).subtract(BigInteger.ONE);
            BigInteger v = parseBigInteger(number, type);
            if (v.compareTo(lo) < 0 || v.compareTo(hi) > 0) {
                throw new ScenarioException(type + " '" + number + "' out of range [" + lo + ", " + hi + "]");
            }
            long bits = v.longValue();
            for (int i = 0; i < size; i++) {
                out.write((int) (bits >>> (8 * i)) & 0xff);
            }
        }
        return out.toByteArray();
    }

    /** Plain hex bytes with an optional {@code 0x} prefix. */
    public static byte[] parseHex(String text) throws ScenarioException {
        String digits = text.regionMatches(true, 0, "0x", 0, 2) ? text.substring(2) : text;
        if (digits.isEmpty() || !isHexDigits(digits)) {
            throw new ScenarioException("bad hex bytes '" + text + "'");
        }
        if (digits.length() % 2 != 0) {
            throw new ScenarioException("odd number of hex digits in '" + text + "'");
        }
        return HEX.parseHex(digits.toLowerCase(java.util.Locale.ROOT));
    }

    /** A number (decimal or 0x hex, optionally negative) checked against [lo, hi]. */
    public static long parseNumber(String text, String what, long lo, long hi) throws ScenarioException {
        BigInteger v = parseBigInteger(text, what);
        if (v.compareTo(BigInteger.valueOf(lo)) < 0 || v.compareTo(BigInteger.valueOf(hi)) > 0) {
            throw new ScenarioException(what + " '" + text + "' out of range [" + lo + ", " + hi + "]");
        }
        return v.longValue();
    }

    /** A u32 number as the scenario's sizes, counts and CPU ids are. */
    public static long parseU32(String text, String what) throws ScenarioException {
        return parseNumber(text, what, 0, 0xFFFF_FFFFL);
    }

    private static BigInteger parseBigInteger(String text, String what) throws ScenarioException {
        String t = text;
        boolean negative = t.startsWith("-");
        if (negative) {
            t = t.substring(1);
        }
        BigInteger v;
        if (t.length() > 2 && t.regionMatches(true, 0, "0x", 0, 2) && isHexDigits(t.substring(2))) {
            v = new BigInteger(t.substring(2), 16);
        } else if (!t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            v = new BigInteger(t, 10);
        } else {
            throw new ScenarioException("bad " + what + " '" + text + "'");
        }
        return negative ? v.negate() : v;
    }

    private static boolean isHexDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
