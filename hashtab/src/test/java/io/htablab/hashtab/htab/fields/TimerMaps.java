package io.htablab.hashtab.htab.fields;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.CreateResult;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapOptions;
import io.htablab.hashtab.htab.MapType;
import java.util.List;

/**
 * Maps for the timer and workqueue tests, with hand-made BTF: the value is
 * {@code struct val { __u64 n; struct bpf_timer t; struct bpf_wq w; }} (40 bytes: n at 0, t at 8, w at 24).
 */
final class TimerMaps {

    static final int VALUE_SIZE = 40;
    static final SpecialField TIMER = new SpecialField(FieldKind.TIMER, 8, 16, "t");
    static final SpecialField WQ = new SpecialField(FieldKind.WORKQUEUE, 24, 16, "w");
    static final MapBtf BTF = new MapBtf("__u32", 4, "struct val", VALUE_SIZE,
            new FieldRecord(List.of(TIMER, WQ)), null, null);

    private TimerMaps() {
    }

    static BpfMap create(BpfRuntime runtime, MapType type, int max, MapFlag... flags) {
        int f = MapFlag.ZERO_SEED.bit();
        for (MapFlag x : flags) {
            f |= x.bit();
        }
        HtabAttr attr = new HtabAttr(type, 4, VALUE_SIZE, max, f).withBtf(BTF);
        CreateResult r = BpfMap.create(attr, MapOptions.defaults().withPossibleCpus(2).withRuntime(runtime));
        if (r.map() == null) {
            throw new IllegalStateException("create failed: " + r);
        }
        return r.map();
    }

    /** A plain u32 -> u64 map (the counters callbacks write into). */
    static BpfMap counters(BpfRuntime runtime) {
        HtabAttr attr = new HtabAttr(MapType.HASH, 4, 8, 16, MapFlag.ZERO_SEED.bit());
        return BpfMap.create(attr, MapOptions.defaults().withPossibleCpus(2).withRuntime(runtime)).map();
    }

    static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static long u64At(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    static byte[] value() {
        return new byte[VALUE_SIZE];
    }
}
