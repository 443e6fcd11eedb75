package io.htablab.hashtab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.BpfRuntime.AttachPoint;
import io.htablab.hashtab.htab.CreateResult;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapOptions;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.ValueResult;
import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.MapBtf;
import io.htablab.hashtab.htab.fields.SpecialField;
import io.htablab.hashtab.htab.hash.Jhash;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A program that re-enters a hash map from inside one of its operations, on the live kernel and on the engine, the way
 * the kernel selftest {@code htab_update} does it: a tracing program, attached to a kernel function that runs inside
 * the operation, calls bpf_map_update_elem on the same map.
 *
 * <p>The selftest uses fentry on {@code lookup_elem_raw} (before 2025) or {@code bpf_obj_free_fields}. This kernel
 * refuses every fentry program with EPERM (the test below checks that and skips the fentry reproduction with that
 * reason), but it allows tp_btf programs: the harness attaches one to the tracepoint {@code workqueue_queue_work},
 * which fires inside bpf_obj_free_fields when the released value holds an initialised {@code struct bpf_wq}. For a
 * preallocated HASH map that release happens under the bucket lock of a replacing update, so the program runs with
 * the lock held: the same bucket gives EDEADLK (6.18's resilient lock), a replacement in another bucket EBUSY (the
 * CPU's extra element is in use), a new key in another bucket succeeds; where the fields are released after the
 * unlock (a delete, a map without preallocation) everything succeeds. The engine's {@code bpf_obj_free_fields}
 * attach point must give the same results, values included.
 */
class NestedProgramKernelTest {

    private static final int MAX = 8;

    private static void needsKernel() {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, kernel tests skipped: " + refused);
        assumeTrue(KernelProfile.running() == KernelProfile.V6_18,
                () -> "these expectations are 6.18's; this kernel is " + KernelProfile.runningRelease());
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** struct val { struct bpf_wq wq; __u64 payload; } with the payload {@code p}. */
    private static byte[] val(long p) {
        byte[] b = new byte[TracingPrograms.WqMap.VALUE_SIZE];
        for (int i = 0; i < 8; i++) {
            b[16 + i] = (byte) (p >>> (8 * i));
        }
        return b;
    }

    private static int bucket(int key) {
        return Jhash.htabMapHash(u32(key), 0) & (MAX - 1);
    }

    /** The outer operation a case runs. */
    enum Outer { UPDATE, DELETE }

    /**
     * A case: the map's layout, the outer operation on key 0 (whose value has an initialised wq), the key the nested
     * program updates, and what 6.18 answers.
     */
    enum Case {
        SAME_BUCKET(0, Outer.UPDATE, 0, Errno.EDEADLK),
        OTHER_BUCKET_REPLACE(0, Outer.UPDATE, 1, Errno.EBUSY),
        OTHER_BUCKET_NEW_KEY(0, Outer.UPDATE, 5, Errno.OK),
        DELETE_RELEASES_AFTER_UNLOCK(0, Outer.DELETE, 0, Errno.OK),
        NO_PREALLOC_RELEASES_AFTER_UNLOCK(MapFlag.NO_PREALLOC.bit(), Outer.UPDATE, 0, Errno.OK);

        final int flags;
        final Outer outer;
        final int nestedKey;
        final Errno expected;

        Case(int flags, Outer outer, int nestedKey, Errno expected) {
            this.flags = flags;
            this.outer = outer;
            this.nestedKey = nestedKey;
            this.expected = expected;
        }
    }

    /** What one side saw: the outer result, the nested program's, and the payloads of keys 0..5 afterwards. */
    record Seen(Errno outer, Errno nested, List<String> after) {
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Case.class)
    void theKernelAndTheEngineAgree(Case c) throws Exception {
        needsKernel();
        assertThat(bucket(0)).as("keys 0, 1, 5 lie in three buckets").isNotIn(bucket(1), bucket(5));
        assertThat(bucket(1)).isNotEqualTo(bucket(5));
        Seen kernel = onKernel(c);
        Seen engine = onEngine(c);
        assertThat(kernel.nested()).as("kernel: the nested update").isEqualTo(c.expected);
        assertThat(engine).as("engine vs kernel").isEqualTo(kernel);
    }

    private static Seen onKernel(Case c) throws Exception {
        Bpf bpf = Bpf.open();
        int cpu = KernelBackend.possibleCpuIds().get(0);
        byte[] affinity = Bpf.getAffinity();
        Bpf.pinToCpu(cpu);
        try (TracingPrograms.WqMap map = new TracingPrograms.WqMap(bpf, MAX, MapFlag.ZERO_SEED.bit() | c.flags);
             TracingPrograms prog = TracingPrograms.tpBtf(bpf, "workqueue_queue_work", map.fd(), 4,
                     TracingPrograms.WqMap.VALUE_SIZE, TracingPrograms.Helper.UPDATE)) {
            assertThat(kernelUpdate(bpf, map.fd(), 0, 1)).isEqualTo(Errno.OK);
            assertThat(kernelUpdate(bpf, map.fd(), 1, 1)).isEqualTo(Errno.OK);
            assertThat(map.wqInit(0)).as("bpf_wq_init").isZero();
            prog.arm(u32(c.nestedKey), val(7), 0);
            Errno outer = c.outer == Outer.UPDATE ? kernelUpdate(bpf, map.fd(), 0, 2)
                    : result(bpf.mapDeleteElem(map.fd(), Bpf.copyOf(u32(0))));
            TracingPrograms.Fired fired = prog.result();
            assertThat(fired).as("the program fired inside the %s", c.outer).isNotNull();
            return new Seen(outer, fired.errno(), payloads(k -> {
                Memory v = Bpf.zeroed(TracingPrograms.WqMap.VALUE_SIZE);
                long r = bpf.mapLookupElem(map.fd(), Bpf.copyOf(u32(k)), v, 0);
                return r < 0 ? null : v.getByteArray(0, TracingPrograms.WqMap.VALUE_SIZE);
            }));
        } finally {
            if (affinity != null) {
                Bpf.setAffinity(affinity);
            }
        }
    }

    private static Seen onEngine(Case c) {
        BpfRuntime rt = new BpfRuntime();
        MapOptions opts = MapOptions.defaults().withPossibleCpus(KernelBackend.possibleCpuIds().size())
                .withRuntime(rt);
        FieldRecord rec = new FieldRecord(List.of(new SpecialField(FieldKind.WORKQUEUE, 0, 16, "wq")));
        HtabAttr attr = new HtabAttr(MapType.HASH, 4, TracingPrograms.WqMap.VALUE_SIZE, MAX,
                MapFlag.ZERO_SEED.bit() | c.flags).withBtf(MapBtf.of("unsigned int", 4, "struct val",
                TracingPrograms.WqMap.VALUE_SIZE, rec));
        CreateResult created = BpfMap.create(attr, opts);
        assertThat(created.errno()).as(created.detail()).isEqualTo(Errno.OK);
        BpfMap m = created.map();
        m.update(0, u32(0), val(1), 0);
        m.update(0, u32(1), val(1), 0);
        BpfRuntime.NestedProgram p = rt.armNestedProgram(AttachPoint.BPF_OBJ_FREE_FIELDS, 0, "prog_update",
                cpu -> {
                    Errno e = m.progUpdate(cpu, u32(c.nestedKey), val(7), 0);
                    return e.isOk() ? ValueResult.ok(null) : ValueResult.error(e);
                });
        Errno outer = c.outer == Outer.UPDATE ? m.update(0, u32(0), val(2), 0) : m.delete(0, u32(0));
        assertThat(p.fired()).isTrue();
        return new Seen(outer, p.result().errno(), payloads(k -> {
            ValueResult r = m.lookup(0, u32(k), 0);
            return r.isOk() ? r.value() : null;
        }));
    }

    private static List<String> payloads(java.util.function.IntFunction<byte[]> lookup) {
        List<String> out = new java.util.ArrayList<>();
        for (int k = 0; k <= 5; k++) {
            byte[] v = lookup.apply(k);
            out.add(v == null ? "-" : java.util.HexFormat.of().formatHex(v));
        }
        return out;
    }

    private static Errno kernelUpdate(Bpf bpf, int fd, int key, long payload) {
        return result(bpf.mapUpdateElem(fd, Bpf.copyOf(u32(key)), Bpf.copyOf(val(payload)), 0));
    }

    private static Errno result(long r) {
        return r >= 0 ? Errno.OK : Errno.fromCode((int) -r);
    }

    /**
     * The selftest's own way: fentry on lookup_elem_raw. When the kernel allows fentry (this one does not), the nested
     * update of the same key must be EDEADLK on 6.18, as the engine says.
     */
    @Test
    void fentryOnLookupElemRaw() throws Exception {
        needsKernel();
        Bpf bpf = Bpf.open();
        long fd = bpf.mapCreate(MapType.HASH.uapiValue(), 4, 8, MAX, MapFlag.ZERO_SEED.bit(), 0, null);
        assertThat(fd).isNotNegative();
        try {
            TracingPrograms prog;
            try {
                prog = TracingPrograms.fentry(bpf, "lookup_elem_raw", (int) fd, 4, 8, TracingPrograms.Helper.UPDATE);
            } catch (TracingPrograms.TracingRefusedException e) {
                assumeTrue(false, "this kernel refuses fentry programs: " + e.getMessage()
                        + "; the tp_btf reproduction above covers the nested update");
                return;
            }
            try (prog) {
                prog.arm(u32(0), new byte[8], 0);
                long r = bpf.mapUpdateElem((int) fd, Bpf.copyOf(u32(0)), Bpf.copyOf(new byte[8]), 0);
                assertThat(r).isZero();
                TracingPrograms.Fired fired = prog.result();
                assertThat(fired).isNotNull();
                assertThat(fired.errno()).isEqualTo(Errno.EDEADLK);
            }
        } finally {
            Bpf.closeFd(fd);
        }
        Supplier<String> engine = () -> io.htablab.hashtab.scenario.ScenarioFiles.runOnEngine(
                "create h type=hash key=4 value=8 max=8 flags=zero_seed\n"
                        + "nested update h u32:0 u64:0 : prog_update h u32:0 u64:1\n", "fentry").get(1);
        assertThat(engine.get()).isEqualTo("ok nested error EDEADLK");
    }
}
