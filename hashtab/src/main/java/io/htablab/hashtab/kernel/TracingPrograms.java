package io.htablab.hashtab.kernel;

import com.sun.jna.Memory;
import io.htablab.hashtab.cfront.btf.BtfEncoder;
import io.htablab.hashtab.cfront.btf.BtfKind;
import io.htablab.hashtab.cfront.btf.BtfMember;
import io.htablab.hashtab.cfront.btf.BtfReader;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.MapType;
import java.io.IOException;
import java.util.List;

/**
 * A tracing program that fires inside a map operation and makes one map helper call from there, as the kernel
 * selftest htab_update does to re-enter a hash map while its bucket lock is held. The program is a
 * BPF_PROG_TYPE_TRACING program attached to a kernel function (fentry, e.g. {@code lookup_elem_raw} or
 * {@code bpf_obj_free_fields}) or to a BTF tracepoint (tp_btf, e.g. {@code workqueue_queue_work}), its target named by
 * the BTF id the harness reads from {@code /sys/kernel/btf/vmlinux}, and linked with BPF_LINK_CREATE (falling back
 * to BPF_RAW_TRACEPOINT_OPEN).
 *
 * <p>It runs only when armed and only on the thread that armed it (bpf_get_current_pid_tgid), once: it disarms itself
 * first, so the helper call's own passes through the attach point do nothing (the kernel's per-program recursion
 * counter would skip them anyway). Control array value: {@code [0,8)} armed, {@code [8,16)} the thread's pid_tgid,
 * {@code [16,24)} the helper's return (s64; for a lookup 1 found / 0 missed), {@code [24,24+K8)} key,
 * {@code [.., +V8)} value (in for update, out for lookup), then the update flags.
 */
public final class TracingPrograms implements AutoCloseable {

    /** The helper the program calls. */
    public enum Helper { UPDATE, DELETE, LOOKUP }

    /** A result word nobody writes, to tell "did not fire". */
    private static final long NOT_FIRED = 0x5A5A5A5A5A5A5A5AL;

    private static final int R0 = 0;
    private static final int R1 = 1;
    private static final int R2 = 2;
    private static final int R3 = 3;
    private static final int R4 = 4;
    private static final int R6 = 6;
    private static final int R7 = 7;
    private static final int R9 = 9;

    private static BtfReader vmlinux;

    private final Bpf bpf;
    private final int keySize;
    private final int valueSize;
    private long ctrlFd = -1;
    private long progFd = -1;
    private long linkFd = -1;

    private TracingPrograms(Bpf bpf, int keySize, int valueSize) {
        this.bpf = bpf;
        this.keySize = keySize;
        this.valueSize = valueSize;
    }

    /** The kernel's BTF, read once per JVM. */
    static synchronized BtfReader vmlinux() throws IOException {
        if (vmlinux == null) {
            vmlinux = BtfReader.vmlinux();
        }
        return vmlinux;
    }

    /** The vmlinux BTF id of {@code name} of {@code kind}, or -1. */
    public static int vmlinuxId(String name, BtfKind kind) throws IOException {
        return vmlinux().findByName(name, kind);
    }

    private int keyOff() {
        return 24;
    }

    private int valueOff() {
        return 24 + HelperPrograms.round8(keySize);
    }

    private int flagsOff() {
        return valueOff() + HelperPrograms.round8(valueSize);
    }

    private int ctrlSize() {
        return flagsOff() + 8;
    }

    /**
     * An fentry program on kernel function {@code function} calling {@code helper} on the map {@code targetMapFd}
     * (key_size/value_size as given).
     *
     * @throws TracingRefusedException when the kernel refuses it (a kernel that permits no fentry, a missing function)
     */
    public static TracingPrograms fentry(Bpf bpf, String function, int targetMapFd, int keySize, int valueSize,
                                         Helper helper) throws TracingRefusedException, IOException {
        int id = vmlinuxId(function, BtfKind.FUNC);
        if (id < 0) {
            throw new TracingRefusedException(Errno.ENOENT, "no function " + function + " in the kernel's BTF");
        }
        return load(bpf, Bpf.BPF_TRACE_FENTRY, id, "fentry/" + function, targetMapFd, keySize, valueSize, helper);
    }

    /** A tp_btf program on tracepoint {@code tracepoint} (its {@code btf_trace_} typedef) calling {@code helper}. */
    public static TracingPrograms tpBtf(Bpf bpf, String tracepoint, int targetMapFd, int keySize, int valueSize,
                                        Helper helper) throws TracingRefusedException, IOException {
        int id = vmlinuxId("btf_trace_" + tracepoint, BtfKind.TYPEDEF);
        if (id < 0) {
            throw new TracingRefusedException(Errno.ENOENT, "no tracepoint " + tracepoint + " in the kernel's BTF");
        }
        return load(bpf, Bpf.BPF_TRACE_RAW_TP, id, "tp_btf/" + tracepoint, targetMapFd, keySize, valueSize, helper);
    }

    private static TracingPrograms load(Bpf bpf, int attachType, int btfId, String what, int targetMapFd, int keySize,
                                        int valueSize, Helper helper) throws TracingRefusedException {
        TracingPrograms t = new TracingPrograms(bpf, keySize, valueSize);
        boolean ok = false;
        try {
            t.ctrlFd = bpf.mapCreate(Bpf.BPF_MAP_TYPE_ARRAY, 4, t.ctrlSize(), 1, 0, 0, null);
            if (t.ctrlFd < 0) {
                throw new TracingRefusedException(Errno.fromCode((int) -t.ctrlFd), "cannot create the control array");
            }
            byte[] code = t.body(targetMapFd, helper).toBytes();
            Memory log = Bpf.zeroed(1 << 16);
            t.progFd = bpf.progLoadTracing(code, attachType, btfId, log);
            if (t.progFd < 0) {
                Errno e = Errno.fromCode((int) -t.progFd);
                String text = Bpf.logText(log);
                throw new TracingRefusedException(e == null ? Errno.EINVAL : e, "the kernel refused the " + what
                        + " program (" + Errno.nameOf((int) -t.progFd) + ")"
                        + (text.isEmpty() ? "" : ": " + text.lines().reduce((a, b) -> b).orElse("")));
            }
            t.linkFd = bpf.linkCreate((int) t.progFd, attachType);
            if (t.linkFd < 0) {
                t.linkFd = bpf.rawTracepointOpen((int) t.progFd);
            }
            if (t.linkFd < 0) {
                Errno e = Errno.fromCode((int) -t.linkFd);
                throw new TracingRefusedException(e == null ? Errno.EINVAL : e, "cannot attach the " + what
                        + " program (" + Errno.nameOf((int) -t.linkFd) + ")");
            }
            ok = true;
            return t;
        } finally {
            if (!ok) {
                t.close();
            }
        }
    }

    private BpfAssembler body(int mapFd, Helper helper) {
        BpfAssembler call = new BpfAssembler()
                .stImm(8, R9, 0, 0) // disarm first: the helper call below may pass the attach point again
                .ldMapFd(R1, mapFd)
                .movReg(R2, R9).addImm(R2, keyOff());
        switch (helper) {
            case UPDATE -> call.movReg(R3, R9).addImm(R3, valueOff())
                    .ldx(8, R4, R9, flagsOff())
                    .call(HelperPrograms.BPF_FUNC_MAP_UPDATE_ELEM)
                    .stx(8, R9, R0, 16);
            case DELETE -> call.call(HelperPrograms.BPF_FUNC_MAP_DELETE_ELEM)
                    .stx(8, R9, R0, 16);
            case LOOKUP -> {
                BpfAssembler found = new BpfAssembler()
                        .movReg(R6, R0)
                        .movReg(R7, R9).addImm(R7, valueOff())
                        .copy(R7, R6, R1, valueSize)
                        .movImm(R1, 1).stx(8, R9, R1, 16);
                call.call(HelperPrograms.BPF_FUNC_MAP_LOOKUP_ELEM)
                        .stImm(8, R9, 16, 0)
                        .jeqImm(R0, 0, found.length())
                        .append(found);
            }
            default -> throw new IllegalArgumentException(String.valueOf(helper));
        }
        BpfAssembler out = new BpfAssembler().movImm(R0, 0).exit();
        return new BpfAssembler()
                .call(BPF_FUNC_GET_CURRENT_PID_TGID)
                .ldMapValue(R9, (int) ctrlFd, 0)
                .ldx(8, R1, R9, 8)
                .jneReg(R0, R1, 2 + call.length())
                .ldx(8, R1, R9, 0)
                .jeqImm(R1, 0, call.length())
                .append(call)
                .append(out);
    }

    static final int BPF_FUNC_GET_CURRENT_PID_TGID = 14;

    /** Arm the program for one helper call with {@code key}, {@code value} (update, else ignored) and {@code flags}. */
    public void arm(byte[] key, byte[] value, long flags) {
        Memory data = Bpf.zeroed(ctrlSize());
        data.setLong(0, 1);
        data.setLong(8, Bpf.currentPidTgid());
        data.setLong(16, NOT_FIRED);
        data.write(keyOff(), key, 0, key.length);
        if (value != null) {
            data.write(valueOff(), value, 0, value.length);
        }
        data.setLong(flagsOff(), flags);
        long r = bpf.mapUpdateElem((int) ctrlFd, Bpf.zeroed(4), data, 0);
        if (r < 0) {
            throw new KernelHarnessException("cannot arm the tracing program (" + Errno.nameOf((int) -r) + ")");
        }
    }

    /** What the armed program did: null when it did not fire; disarms it. */
    public Fired result() {
        Memory back = Bpf.zeroed(ctrlSize());
        long r = bpf.mapLookupElem((int) ctrlFd, Bpf.zeroed(4), back, 0);
        if (r < 0) {
            throw new KernelHarnessException("cannot read the tracing program's result (" + Errno.nameOf((int) -r) + ")");
        }
        long ret = back.getLong(16);
        boolean armed = back.getLong(0) != 0;
        if (armed) {
            Memory off = Bpf.zeroed(ctrlSize());
            bpf.mapUpdateElem((int) ctrlFd, Bpf.zeroed(4), off, 0);
        }
        if (ret == NOT_FIRED) {
            return null;
        }
        return new Fired(ret, back.getByteArray(valueOff(), valueSize));
    }

    /** What the program's helper returned ({@code ret}: 0 or -errno; a lookup: 1 found, 0 missed) and the value. */
    public record Fired(long ret, byte[] value) {
        /** The helper's errno, {@link Errno#OK} for 0 (and for a found lookup). */
        public Errno errno() {
            if (ret >= 0) {
                return Errno.OK;
            }
            Errno e = Errno.fromCode((int) -ret);
            if (e == null) {
                throw new KernelHarnessException("the helper returned errno " + -ret);
            }
            return e;
        }
    }

    @Override
    public void close() {
        Bpf.closeFd(linkFd);
        linkFd = -1;
        Bpf.closeFd(progFd);
        progFd = -1;
        Bpf.closeFd(ctrlFd);
        ctrlFd = -1;
    }

    /** The kernel refused to load or attach a tracing program, with its errno. */
    public static final class TracingRefusedException extends Exception {
        private final Errno errno;

        public TracingRefusedException(Errno errno, String message) {
            super(message);
            this.errno = errno;
        }

        public Errno errno() {
            return errno;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // A value with a struct bpf_wq: what makes a replacing update run a tracepoint under its bucket lock

    /**
     * A HASH map (key u32) whose value is {@code struct val { struct bpf_wq wq; __u64 payload; }} (24 bytes), with
     * the BTF loaded from the project's own encoder, and a SCHED_CLS program that runs the bpf_wq_init kfunc on the
     * value of a key. Releasing an initialised wq (bpf_wq_cancel_and_free) queues a work item, so the tracepoint
     * {@code workqueue_queue_work} fires wherever the kernel releases the element's fields: under the bucket lock when
     * an update replaces an element of a preallocated map.
     */
    public static final class WqMap implements AutoCloseable {
        public static final int VALUE_SIZE = 24;
        private final Bpf bpf;
        private long btfFd = -1;
        private long mapFd = -1;
        private long scratchFd = -1;
        private long initFd = -1;

        public WqMap(Bpf bpf, long maxEntries, int mapFlags) throws TracingRefusedException, IOException {
            this.bpf = bpf;
            boolean ok = false;
            try {
                BtfEncoder enc = new BtfEncoder();
                int u32 = enc.addInt("unsigned int", 4, 0);
                int u64 = enc.addInt("unsigned long long", 8, 0);
                int opaque = enc.addArray(u64, u32, 2);
                int wq = enc.addStruct("bpf_wq", 16, List.of(new BtfMember("__opaque", opaque, 0, 0)));
                int val = enc.addStruct("val", VALUE_SIZE, List.of(new BtfMember("wq", wq, 0, 0),
                        new BtfMember("payload", u64, 128, 0)));
                Memory log = Bpf.zeroed(1 << 14);
                btfFd = bpf.btfLoad(enc.toBytes(), log);
                if (btfFd < 0) {
                    throw new TracingRefusedException(Errno.fromCode((int) -btfFd), "BPF_BTF_LOAD: " + Bpf.logText(log));
                }
                mapFd = bpf.mapCreate(MapType.HASH.uapiValue(), 4, VALUE_SIZE, (int) maxEntries, mapFlags, 0, "wqmap",
                        (int) btfFd, u32, val);
                if (mapFd < 0) {
                    throw new TracingRefusedException(Errno.fromCode((int) -mapFd), "cannot create the wq map");
                }
                scratchFd = bpf.mapCreate(Bpf.BPF_MAP_TYPE_ARRAY, 4, 16, 1, 0, 0, null);
                int kfunc = vmlinuxId("bpf_wq_init", BtfKind.FUNC);
                if (scratchFd < 0 || kfunc < 0) {
                    throw new TracingRefusedException(Errno.ENOENT, "no scratch map or no bpf_wq_init kfunc");
                }
                // scratch: [0,8) result (kfunc return, or 1 when the key is absent), [8,12) key
                BpfAssembler found = new BpfAssembler()
                        .movReg(R1, R0)
                        .ldMapFd(R2, (int) mapFd)
                        .movImm(R3, 0)
                        .callKfunc(kfunc)
                        .stx(8, R9, R0, 0);
                BpfAssembler p = new BpfAssembler()
                        .ldMapValue(R9, (int) scratchFd, 0)
                        .stImm(8, R9, 0, 1)
                        .ldMapFd(R1, (int) mapFd)
                        .movReg(R2, R9).addImm(R2, 8)
                        .call(HelperPrograms.BPF_FUNC_MAP_LOOKUP_ELEM)
                        .jeqImm(R0, 0, found.length())
                        .append(found)
                        .movImm(R0, 0).exit();
                byte[] code = p.toBytes();
                Memory plog = Bpf.zeroed(1 << 16);
                initFd = bpf.progLoad(Bpf.BPF_PROG_TYPE_SCHED_CLS, code, "GPL", plog);
                if (initFd < 0) {
                    throw new TracingRefusedException(Errno.fromCode((int) -initFd), "the verifier refused the"
                            + " bpf_wq_init program: " + Bpf.logText(plog));
                }
                ok = true;
            } finally {
                if (!ok) {
                    close();
                }
            }
        }

        public int fd() {
            return (int) mapFd;
        }

        /** bpf_wq_init on the value of {@code key} from a program: 0, or -errno (1: the key is absent). */
        public long wqInit(int key) {
            Memory data = Bpf.zeroed(16);
            data.setInt(8, key);
            Memory zero = Bpf.zeroed(4);
            if (bpf.mapUpdateElem((int) scratchFd, zero, data, 0) < 0) {
                throw new KernelHarnessException("cannot write the wq_init scratch map");
            }
            Memory pkt = Bpf.zeroed(64);
            long r = bpf.progTestRun((int) initFd, pkt);
            if (r < 0) {
                throw new KernelHarnessException("BPF_PROG_TEST_RUN of bpf_wq_init failed (" + Errno.nameOf((int) -r) + ")");
            }
            Memory back = Bpf.zeroed(16);
            bpf.mapLookupElem((int) scratchFd, zero, back, 0);
            return back.getLong(0);
        }

        @Override
        public void close() {
            Bpf.closeFd(initFd);
            initFd = -1;
            Bpf.closeFd(scratchFd);
            scratchFd = -1;
            Bpf.closeFd(mapFd);
            mapFd = -1;
            Bpf.closeFd(btfFd);
            btfFd = -1;
        }
    }
}
