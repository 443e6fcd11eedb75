package io.htablab.visualizer.model;

/** Lower-case hex in memory order, as the scenario format writes bytes. */
public final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    public static String of(byte[] bytes) {
        if (bytes == null) {
            return "-";
        }
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xF];
        }
        return new String(out);
    }

    /** A short human form: small little-endian integers as decimal ("7"), anything else as hex. */
    public static String brief(byte[] bytes) {
        if (bytes == null) {
            return "-";
        }
        if (bytes.length == 4 || bytes.length == 8 || bytes.length == 2 || bytes.length == 1) {
            long v = 0;
            for (int i = bytes.length - 1; i >= 0; i--) {
                v = (v << 8) | (bytes[i] & 0xFF);
            }
            if (v >= 0 && v < 1_000_000_000L) {
                return Long.toString(v);
            }
        }
        String h = of(bytes);
        return h.length() > 16 ? h.substring(0, 14) + "…" : h;
    }

    public static String u32(int v) {
        return String.format("0x%08x", v);
    }
}
