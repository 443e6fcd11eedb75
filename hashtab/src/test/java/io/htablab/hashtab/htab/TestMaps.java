package io.htablab.hashtab.htab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.OptionalInt;

/** Small helpers for engine tests. */
final class TestMaps {

    private TestMaps() {
    }

    static MapOptions opts(int p) {
        return MapOptions.defaults().withPossibleCpus(p).withCreatingCpu(0);
    }

    static BpfMap create(MapType type, int key, int value, long max, int flags, int p) {
        CreateResult r = BpfMap.create(new HtabAttr(type, key, value, max, flags), opts(p));
        assertThat(r.errno()).as("create: %s", r.detail()).isEqualTo(Errno.OK);
        return r.map();
    }

    static BpfMap create(MapType type, int key, int value, long max, int flags) {
        return create(type, key, value, max, flags, 2);
    }

    static int flags(MapFlag... fs) {
        int f = 0;
        for (MapFlag x : fs) {
            f |= x.bit();
        }
        return f;
    }

    static byte[] u32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static long le(byte[] b) {
        long v = 0;
        for (int i = b.length - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xFF);
        }
        return v;
    }

    static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    static byte[] unhex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static OptionalInt none() {
        return OptionalInt.empty();
    }
}
