package io.htablab.lsp;

import java.util.Locale;

/** Byte counts for people: "1,360 B", "76.9 KiB", "1.5 GiB". */
final class Units {

    private Units() {
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Exact count with the human figure: "78,720 B (76.9 KiB)". */
    static String exact(long n) {
        String exact = String.format(Locale.ROOT, "%,d B", n);
        return n < 1024 ? exact : exact + " (" + bytes(n) + ")";
    }
}
