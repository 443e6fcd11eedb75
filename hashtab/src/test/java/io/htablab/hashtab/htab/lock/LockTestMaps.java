package io.htablab.hashtab.htab.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.CreateResult;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapOptions;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.ValueResult;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.hash.Jhash;
import java.util.ArrayList;
import java.util.List;

/** A runtime of one profile with two CPUs, zero-seed maps, and keys chosen by the bucket they land in. */
final class LockTestMaps {

    final BpfRuntime runtime = new BpfRuntime();
    final List<HtabEvent> events = new ArrayList<>();

    LockTestMaps(KernelProfile profile) {
        runtime.setProfile(profile);
    }

    MapOptions options() {
        return MapOptions.defaults().withPossibleCpus(2).withCreatingCpu(0).withRuntime(runtime)
                .withEvents(events::add);
    }

    BpfMap map(MapType type, long max, int flags) {
        CreateResult r = BpfMap.create(new HtabAttr(type, 4, 8, max, flags | MapFlag.ZERO_SEED.bit()), options());
        assertThat(r.errno()).as("create: %s", r.detail()).isEqualTo(Errno.OK);
        return r.map();
    }

    /** The smallest u32 key >= {@code from} whose zero-seed hash selects {@code bucket} of {@code nBuckets}. */
    static int keyInBucket(int bucket, int nBuckets, int from) {
        for (int k = from; ; k++) {
            if ((Jhash.htabMapHash(u32(k), 0) & (nBuckets - 1)) == bucket) {
                return k;
            }
        }
    }

    static int bucketOf(int key, int nBuckets) {
        return Jhash.htabMapHash(u32(key), 0) & (nBuckets - 1);
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

    /** Arms a program that runs bpf_map_update_elem(target, key, value) once on {@code cpu} at {@code at}. */
    BpfRuntime.NestedProgram armUpdate(BpfRuntime.AttachPoint at, int cpu, BpfMap target, int key, long value) {
        return runtime.armNestedProgram(at, cpu, "prog_update " + key, c -> {
            Errno e = target.progUpdate(c, u32(key), u64(value), 0);
            return e.isOk() ? ValueResult.ok(null) : ValueResult.error(e);
        });
    }

    <T extends HtabEvent> List<T> eventsOf(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (HtabEvent e : events) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }
}
