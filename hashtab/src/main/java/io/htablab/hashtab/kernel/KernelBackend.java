package io.htablab.hashtab.kernel;

import io.htablab.hashtab.cfront.btf.MapBtfs;
import io.htablab.hashtab.htab.BatchResult;
import io.htablab.hashtab.htab.KeyResult;
import io.htablab.hashtab.htab.ValueResult;
import com.sun.jna.Memory;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.CpusMismatchException;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The running Linux kernel as a scenario {@link Backend}: every statement becomes the bpf() command
 * the kernel oracle issues, so {@code Interpreter} over this backend prints what the oracle prints.
 *
 * <p>The calling thread is pinned to the first possible CPU when the backend is made and to the
 * scenario's CPU on {@code cpu N}; before each system call it checks {@code sched_getcpu()} and
 * re-pins if the scheduler moved it. {@link #close()} closes every descriptor still open and gives
 * the thread its original affinity back.
 *
 * <p>Not thread-safe: one scenario on one thread.
 */
public final class KernelBackend implements Backend {

    private static final Path POSSIBLE_CPUS = Path.of("/sys/devices/system/cpu/possible");
    /** The dummy packet BPF_PROG_TEST_RUN hands to the helper programs. */
    private static final int TEST_PACKET_SIZE = 64;
    /** What a lookup program's result word holds before the program runs, to tell "did not run". */
    private static final long NOT_RUN = 0xA5A5A5A5A5A5A5A5L;
    /** Pre-set in out_batch to see whether the kernel wrote the cursor. */
    private static final long OUT_BATCH_SENTINEL = -1L;

    private static final Cleaner CLEANER = Cleaner.create();

    private static volatile String probeResult;
    private static volatile boolean probed;

    private final Bpf bpf;
    private final List<Integer> cpuIds;
    private final Consumer<String> diagnostics;
    private final byte[] originalAffinity;
    private final Memory packet = Bpf.zeroed(TEST_PACKET_SIZE);
    /** Shared with the cleaner, which must not reach the backend itself. */
    private final Set<KernelMap> openMaps = new LinkedHashSet<>();
    /** A safety net: descriptors of a backend nobody closed are released when it becomes unreachable. */
    private final Cleaner.Cleanable cleanable;
    private int currentCpu;
    private boolean closed;

    /** A map this backend created, with its helper-program state. */
    public static final class KernelMap implements MapHandle {
        private final String name;
        private final MapType type;
        private final int keySize;
        private final int valueSize;
        private final long maxEntries;
        private final int userValueSize;
        private long fd;
        private long scratchFd = -1;
        /** The BPF_BTF_LOAD descriptor of the key/value types, -1 without BTF; closed with the map. */
        private long btfFd = -1;
        private int btfValueTypeId;
        /** op -> program fd, or -errno when the verifier refused it (remembered: it would refuse again). */
        private final Map<HelperPrograms.Op, Long> programs = new EnumMap<>(HelperPrograms.Op.class);

        KernelMap(String name, long fd, MapType type, int keySize, int valueSize, long maxEntries, int cpus) {
            this.name = name;
            this.fd = fd;
            this.type = type;
            this.keySize = keySize;
            this.valueSize = valueSize;
            this.maxEntries = maxEntries;
            this.userValueSize = type.isPercpu() ? HelperPrograms.round8(valueSize) * cpus : valueSize;
        }

        @Override
        public MapType type() {
            return type;
        }

        @Override
        public int keySize() {
            return keySize;
        }

        @Override
        public int valueSize() {
            return valueSize;
        }

        public String name() {
            return name;
        }

        /** The map's descriptor, -1 once closed. */
        public int fd() {
            return (int) fd;
        }

        /** The descriptor of the map's BTF (what programs that use the value type can pass as prog_btf_fd), -1 without. */
        public int btfFd() {
            return (int) btfFd;
        }

        /** btf_value_type_id, 0 without BTF. */
        public int btfValueTypeId() {
            return btfValueTypeId;
        }

        /** Size of a user-space value buffer: per-CPU maps hold one 8-aligned slot per possible CPU. */
        public int userValueSize() {
            return userValueSize;
        }

        private void closeDescriptors() {
            for (Long p : programs.values()) {
                Bpf.closeFd(p);
            }
            programs.clear();
            Bpf.closeFd(scratchFd);
            scratchFd = -1;
            Bpf.closeFd(fd);
            fd = -1;
            Bpf.closeFd(btfFd);
            btfFd = -1;
        }
    }

    /** A backend whose helper-program diagnostics (verifier refusals) are dropped. */
    public KernelBackend() throws BpfUnavailableException {
        this(message -> { });
    }

    /**
     * @param diagnostics receives one-line explanations the output lines cannot carry (why the
     *                    verifier refused a helper program, a failed re-pin)
     */
    public KernelBackend(Consumer<String> diagnostics) throws BpfUnavailableException {
        this.bpf = Bpf.open();
        this.diagnostics = diagnostics;
        this.cpuIds = possibleCpuIds();
        Bpf.raiseMemlockLimit();
        this.originalAffinity = Bpf.getAffinity();
        this.cleanable = CLEANER.register(this, new ReleaseDescriptors(openMaps));
        // Before any `cpu` statement the work runs on the first possible CPU, so runs are reproducible.
        this.currentCpu = cpuIds.get(0);
        int e = Bpf.pinToCpu(currentCpu);
        if (e != 0) {
            diagnostics.accept("cannot pin to cpu " + currentCpu + ": " + Errno.nameOf(e));
        }
    }

    // ------------------------------------------------------------------ probing

    /**
     * Whether bpf() can do what scenarios need here: null when it can, otherwise a one-line reason
     * (not root / no CAP_BPF, no bpf() in this kernel, ...). Computed once per JVM.
     */
    public static String probe() {
        if (!probed) {
            synchronized (KernelBackend.class) {
                if (!probed) {
                    probeResult = probeNow();
                    probed = true;
                }
            }
        }
        return probeResult;
    }

    private static String probeNow() {
        Bpf bpf;
        try {
            bpf = Bpf.open();
        } catch (BpfUnavailableException e) {
            return "cannot call bpf(): " + e.getMessage();
        }
        Bpf.raiseMemlockLimit();
        long fd = bpf.mapCreate(MapType.HASH.uapiValue(), 4, 4, 1, 0, 0, null);
        if (fd < 0) {
            int e = (int) -fd;
            if (e == Errno.EPERM.code() || e == Errno.EACCES.code()) {
                return "bpf() is not permitted (" + Errno.nameOf(e) + "): run as root, or with CAP_BPF plus "
                        + "CAP_SYS_ADMIN (zero_seed) and CAP_NET_ADMIN (programs)";
            }
            if (e == 38) {
                return "bpf() is not available in this kernel (ENOSYS)";
            }
            return "BPF_MAP_CREATE of a test map failed with " + Errno.nameOf(e);
        }
        Bpf.closeFd(fd);
        fd = bpf.mapCreate(MapType.HASH.uapiValue(), 4, 4, 1, MapFlag.ZERO_SEED.bit(), 0, null);
        if (fd < 0) {
            return "BPF_MAP_CREATE with BPF_F_ZERO_SEED failed with " + Errno.nameOf((int) -fd)
                    + ": zero_seed needs CAP_SYS_ADMIN";
        }
        Bpf.closeFd(fd);
        byte[] trivial = new BpfAssembler().movImm(0, 0).exit().toBytes();
        long prog = bpf.progLoad(Bpf.BPF_PROG_TYPE_SCHED_CLS, trivial, "GPL", null);
        if (prog < 0) {
            return "loading a BPF program failed (" + Errno.nameOf((int) -prog) + "): needs CAP_BPF and "
                    + "CAP_NET_ADMIN or CAP_SYS_ADMIN (or root)";
        }
        Bpf.closeFd(prog);
        return null;
    }

    /** The kernel's possible CPUs (from sysfs), in order. */
    public static List<Integer> possibleCpuIds() {
        try {
            List<Integer> ids = parseCpuList(Files.readString(POSSIBLE_CPUS, StandardCharsets.US_ASCII));
            if (!ids.isEmpty()) {
                return ids;
            }
        } catch (IOException | RuntimeException e) {
            // fall through: no sysfs (a container without it) means "what the JVM sees"
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            ids.add(i);
        }
        return ids;
    }

    /** Parses a kernel CPU list such as {@code 0-3,8,10-11}. */
    static List<Integer> parseCpuList(String text) {
        List<Integer> ids = new ArrayList<>();
        for (String part : text.strip().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                ids.add(Integer.parseInt(part));
            } else {
                int from = Integer.parseInt(part.substring(0, dash));
                int to = Integer.parseInt(part.substring(dash + 1));
                for (int c = from; c <= to; c++) {
                    ids.add(c);
                }
            }
        }
        return Collections.unmodifiableList(ids);
    }

    // ------------------------------------------------------------------ environment

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public int possibleCpus() {
        return cpuIds.size();
    }

    @Override
    public void setPossibleCpus(long count) throws CpusMismatchException {
        if (count != cpuIds.size()) {
            throw new CpusMismatchException("the scenario wants " + count + " possible CPUs but this kernel has "
                    + cpuIds.size() + "; refusing to run");
        }
    }

    @Override
    public Errno selectCpu(int cpu) {
        if (cpu < 0 || cpu >= cpuIds.size()) {
            return Errno.EINVAL;
        }
        int id = cpuIds.get(cpu);
        if (id == currentCpu && Bpf.schedGetcpu() == id) {
            // already pinned there: a migration costs about a millisecond, so skip the no-op
            return Errno.OK;
        }
        int e = Bpf.pinToCpu(id);
        if (e != 0) {
            diagnostics.accept("cannot pin to cpu " + id + ": " + Errno.nameOf(e));
            return errno(e);
        }
        currentCpu = id;
        return Errno.OK;
    }

    /** Makes sure the next system call runs on the scenario's CPU (the scheduler may have moved us). */
    private void ensurePinned() {
        if (Bpf.schedGetcpu() != currentCpu) {
            Bpf.pinToCpu(currentCpu);
        }
    }

    /** bpf() on the scenario's CPU. */
    private long sys(int cmd, Memory attr) {
        try {
            ensurePinned();
            return bpf.call(cmd, attr);
        } finally {
            // the cleaner must not close descriptors while a call that names them is in flight
            Reference.reachabilityFence(this);
        }
    }

    /** The Errno for a positive code; codes the scenario layer cannot name stop the run loudly. */
    private static Errno errno(long code) {
        Errno e = Errno.fromCode((int) code);
        if (e == null) {
            throw new KernelHarnessException("the kernel returned errno " + code
                    + ", which io.htablab.hashtab.htab.Errno cannot represent");
        }
        return e;
    }

    private static Errno result(long r) {
        return r >= 0 ? Errno.OK : errno(-r);
    }

    // ------------------------------------------------------------------ maps

    @Override
    public Created create(String name, HtabAttr attr) {
        checkOpen();
        Memory a = Bpf.mapCreateAttr(attr.type().uapiValue(), (int) attr.keySize(), (int) attr.valueSize(),
                (int) attr.maxEntries(), attr.mapFlags(), attr.numaNode(), name);
        long fd = sys(Bpf.BPF_MAP_CREATE, a);
        if (fd < 0) {
            return new Created(errno(-fd), null);
        }
        // The effective max_entries (no_common_lru rounds it up) bounds what a lookup batch can return.
        Memory info = Bpf.zeroed(Bpf.MAP_INFO_SIZE);
        long r = bpf.objGetInfoByFd((int) fd, info);
        long max = r < 0 ? attr.maxEntries() : Integer.toUnsignedLong(info.getInt(16));
        KernelMap m = new KernelMap(name, fd, attr.type(), (int) attr.keySize(), (int) attr.valueSize(), max,
                cpuIds.size());
        openMaps.add(m);
        Reference.reachabilityFence(this);
        return new Created(Errno.OK, m);
    }

    /**
     * BPF_BTF_LOAD of the types (the verifier's log goes to the diagnostics when the kernel refuses them, and the
     * create then reports the load's errno), then BPF_MAP_CREATE with btf_fd and the type ids. The BTF descriptor
     * stays open with the map; every descriptor is closed on every failure.
     */
    @Override
    public Created create(String name, HtabAttr attr, MapBtfs.Encoded btf) {
        if (btf == null) {
            return create(name, attr);
        }
        checkOpen();
        Memory log = Bpf.zeroed(1 << 16);
        long btfFd = bpf.btfLoad(btf.blob(), log);
        if (btfFd < 0) {
            diagnostics.accept("BPF_BTF_LOAD refused the types of map " + name + " (" + Errno.nameOf((int) -btfFd) + "): "
                    + lastLine(Bpf.logText(log)));
            return new Created(errno(-btfFd), null);
        }
        Memory a = Bpf.mapCreateAttr(attr.type().uapiValue(), (int) attr.keySize(), (int) attr.valueSize(),
                (int) attr.maxEntries(), attr.mapFlags(), attr.numaNode(), name, (int) btfFd, btf.keyTypeId(),
                btf.valueTypeId());
        long fd = sys(Bpf.BPF_MAP_CREATE, a);
        if (fd < 0) {
            Bpf.closeFd(btfFd);
            return new Created(errno(-fd), null);
        }
        Memory info = Bpf.zeroed(Bpf.MAP_INFO_SIZE);
        long r = bpf.objGetInfoByFd((int) fd, info);
        long max = r < 0 ? attr.maxEntries() : Integer.toUnsignedLong(info.getInt(16));
        KernelMap m = new KernelMap(name, fd, attr.type(), (int) attr.keySize(), (int) attr.valueSize(), max,
                cpuIds.size());
        m.btfFd = btfFd;
        m.btfValueTypeId = btf.valueTypeId();
        openMaps.add(m);
        Reference.reachabilityFence(this);
        return new Created(Errno.OK, m);
    }

    private static String lastLine(String log) {
        String[] lines = log.split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    @Override
    public void close(MapHandle map) {
        KernelMap m = (KernelMap) map;
        m.closeDescriptors();
        openMaps.remove(m);
    }

    private KernelMap live(MapHandle map) {
        checkOpen();
        KernelMap m = (KernelMap) map;
        if (m.fd < 0) {
            throw new IllegalStateException("map " + m.name + " was closed");
        }
        return m;
    }

    @Override
    public ValueResult lookup(MapHandle map, byte[] key, long flags) {
        return lookupCommand(live(map), Bpf.BPF_MAP_LOOKUP_ELEM, key, flags);
    }

    @Override
    public ValueResult lookupAndDelete(MapHandle map, byte[] key, long flags) {
        return lookupCommand(live(map), Bpf.BPF_MAP_LOOKUP_AND_DELETE_ELEM, key, flags);
    }

    private ValueResult lookupCommand(KernelMap m, int cmd, byte[] key, long flags) {
        Memory k = Bpf.copyOf(key);
        Memory v = Bpf.zeroed(m.userValueSize);
        long r = sys(cmd, Bpf.elemAttr(m.fd(), k, v, flags));
        if (r < 0) {
            return new ValueResult(errno(-r), null, null);
        }
        return new ValueResult(Errno.OK, v.getByteArray(0, m.userValueSize), null);
    }

    @Override
    public Errno update(MapHandle map, byte[] key, byte[] value, long flags) {
        KernelMap m = live(map);
        return result(sys(Bpf.BPF_MAP_UPDATE_ELEM, Bpf.elemAttr(m.fd(), Bpf.copyOf(key), Bpf.copyOf(value), flags)));
    }

    @Override
    public Errno delete(MapHandle map, byte[] key) {
        KernelMap m = live(map);
        return result(sys(Bpf.BPF_MAP_DELETE_ELEM, Bpf.elemAttr(m.fd(), Bpf.copyOf(key), null, 0)));
    }

    @Override
    public KeyResult getNextKey(MapHandle map, byte[] key) {
        KernelMap m = live(map);
        Memory next = Bpf.zeroed(m.keySize);
        long r = sys(Bpf.BPF_MAP_GET_NEXT_KEY, Bpf.elemAttr(m.fd(), key == null ? null : Bpf.copyOf(key), next, 0));
        if (r < 0) {
            return new KeyResult(errno(-r), null, null);
        }
        return new KeyResult(Errno.OK, next.getByteArray(0, m.keySize), null);
    }

    @Override
    public BatchResult lookupBatch(MapHandle map, boolean andDelete, byte[] in, long count, long elemFlags) {
        KernelMap m = live(map);
        // The kernel never returns more elements than the map can hold, so the buffers need no more room.
        long room = Math.min(count, m.maxEntries + 1);
        Memory keys = Bpf.zeroed(room * m.keySize);
        Memory values = Bpf.zeroed(room * m.userValueSize);
        Memory inBatch = in == null ? null : Bpf.copyOf(in, 8);
        Memory outBatch = Bpf.zeroed(8);
        outBatch.setLong(0, OUT_BATCH_SENTINEL);
        Memory a = Bpf.batchAttr(inBatch, outBatch, keys, values, (int) count, m.fd(), elemFlags, 0);
        long r = sys(andDelete ? Bpf.BPF_MAP_LOOKUP_AND_DELETE_BATCH : Bpf.BPF_MAP_LOOKUP_BATCH, a);
        long got = Bpf.batchCount(a);
        byte[] out = null;
        List<byte[]> keyList = new ArrayList<>();
        List<byte[]> valueList = new ArrayList<>();
        if (outBatch.getLong(0) != OUT_BATCH_SENTINEL) {
            out = outBatch.getByteArray(0, 4);
            long n = Math.min(got, room);
            for (long i = 0; i < n; i++) {
                keyList.add(keys.getByteArray(i * m.keySize, m.keySize));
                valueList.add(values.getByteArray(i * m.userValueSize, m.userValueSize));
            }
        }
        return new BatchResult(result(r), got, out, keyList, valueList, null);
    }

    @Override
    public BatchResult updateBatch(MapHandle map, List<byte[]> keys, List<byte[]> values, long elemFlags) {
        KernelMap m = live(map);
        Memory a = Bpf.batchAttr(null, null, Bpf.copyOf(concat(keys)), Bpf.copyOf(concat(values)), keys.size(),
                m.fd(), elemFlags, 0);
        long r = sys(Bpf.BPF_MAP_UPDATE_BATCH, a);
        return new BatchResult(result(r), Bpf.batchCount(a), null, List.of(), List.of(), null);
    }

    @Override
    public BatchResult deleteBatch(MapHandle map, List<byte[]> keys, long elemFlags) {
        KernelMap m = live(map);
        Memory a = Bpf.batchAttr(null, null, Bpf.copyOf(concat(keys)), null, keys.size(), m.fd(), elemFlags, 0);
        long r = sys(Bpf.BPF_MAP_DELETE_BATCH, a);
        return new BatchResult(result(r), Bpf.batchCount(a), null, List.of(), List.of(), null);
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Override
    public InfoReply info(MapHandle map) {
        KernelMap m = live(map);
        Memory info = Bpf.zeroed(Bpf.MAP_INFO_SIZE);
        long r = sys(Bpf.BPF_OBJ_GET_INFO_BY_FD, Bpf.objGetInfoAttr(m.fd(), info, (int) info.size()));
        if (r < 0) {
            return new InfoReply(errno(-r), null, 0, 0, 0, 0);
        }
        MapType type = MapType.fromUapiValue(info.getInt(0));
        return new InfoReply(Errno.OK, type,
                Integer.toUnsignedLong(info.getInt(8)), Integer.toUnsignedLong(info.getInt(12)),
                Integer.toUnsignedLong(info.getInt(16)), info.getInt(20));
    }

    // ------------------------------------------------------------------ program side

    @Override
    public ValueResult progLookup(MapHandle map, byte[] key) {
        KernelMap m = live(map);
        ProgramRun run = runProgram(m, HelperPrograms.Op.LOOKUP, key, null, 0);
        if (run.errno != null) {
            return new ValueResult(run.errno, null, null);
        }
        if (run.result == HelperPrograms.LOOKUP_FOUND) {
            return new ValueResult(Errno.OK, run.value, null);
        }
        if (run.result == HelperPrograms.LOOKUP_MISSED) {
            return new ValueResult(Errno.ENOENT, null, null);
        }
        throw new KernelHarnessException("the lookup program of map " + m.name + " did not run (result 0x"
                + Long.toHexString(run.result) + ")");
    }

    @Override
    public Errno progUpdate(MapHandle map, byte[] key, byte[] value, long flags) {
        KernelMap m = live(map);
        ProgramRun run = runProgram(m, HelperPrograms.Op.UPDATE, key, value, flags);
        return run.errno != null ? run.errno : result(run.result);
    }

    @Override
    public Errno progDelete(MapHandle map, byte[] key) {
        KernelMap m = live(map);
        ProgramRun run = runProgram(m, HelperPrograms.Op.DELETE, key, null, 0);
        return run.errno != null ? run.errno : result(run.result);
    }

    /** {@code errno} set when the program could not be loaded or run; else the result word and value. */
    private record ProgramRun(Errno errno, long result, byte[] value) {
    }

    private long scratch(KernelMap m) {
        if (m.scratchFd < 0) {
            int size = HelperPrograms.scratchSize(m.keySize, m.valueSize);
            long fd = bpf.mapCreate(Bpf.BPF_MAP_TYPE_ARRAY, 4, size, 1, 0, 0, null);
            if (fd < 0) {
                diagnostics.accept("cannot create the scratch array map for " + m.name + " (" + Errno.nameOf((int) -fd) + ")");
                return fd;
            }
            m.scratchFd = fd;
        }
        return m.scratchFd;
    }

    /** The program for {@code op}, loaded on first use; a refusal is remembered as {@code -errno}. */
    private long program(KernelMap m, HelperPrograms.Op op) {
        Long known = m.programs.get(op);
        if (known != null) {
            return known;
        }
        long sfd = scratch(m);
        if (sfd < 0) {
            return sfd;
        }
        BpfAssembler p = HelperPrograms.build(op, m.fd(), (int) sfd, m.keySize, m.valueSize);
        long fd;
        if (p == null) {
            diagnostics.accept("value_size " + m.valueSize + " is too large for the lookup program of map " + m.name);
            fd = -Errno.E2BIG.code();
        } else {
            byte[] code = p.toBytes();
            fd = bpf.progLoad(Bpf.BPF_PROG_TYPE_SCHED_CLS, code, "GPL", null);
            if (fd < 0) {
                diagnostics.accept("the verifier rejected the " + op.name().toLowerCase(java.util.Locale.ROOT)
                        + " program for map " + m.name + " (" + Errno.nameOf((int) -fd) + ")" + verifierLog(code));
            }
        }
        m.programs.put(op, fd);
        return fd;
    }

    /** Loads the program again with a log, only to explain a refusal: its last lines, or "". */
    private String verifierLog(byte[] code) {
        Memory log = Bpf.zeroed(1 << 20);
        long fd = bpf.progLoad(Bpf.BPF_PROG_TYPE_SCHED_CLS, code, "GPL", log);
        Bpf.closeFd(fd);
        String text = log.getString(0, StandardCharsets.UTF_8.name());
        List<String> lines = Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return "";
        }
        return ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private ProgramRun runProgram(KernelMap m, HelperPrograms.Op op, byte[] key, byte[] value, long flags) {
        long pfd = program(m, op);
        if (pfd < 0) {
            return new ProgramRun(errno(-pfd), 0, null);
        }
        int size = HelperPrograms.scratchSize(m.keySize, m.valueSize);
        int valueOffset = HelperPrograms.valueOffset(m.keySize);
        Memory data = Bpf.zeroed(size);
        data.setLong(0, op == HelperPrograms.Op.UPDATE ? flags : NOT_RUN);
        data.write(HelperPrograms.keyOffset(), key, 0, key.length);
        if (value != null) {
            data.write(valueOffset, value, 0, value.length);
        }
        Memory zero = Bpf.zeroed(4);
        long r = bpf.mapUpdateElem((int) m.scratchFd, zero, data, 0);
        if (r < 0) {
            diagnostics.accept("cannot write the scratch map of " + m.name + " (" + Errno.nameOf((int) -r) + ")");
            return new ProgramRun(errno(-r), 0, null);
        }
        r = sys(Bpf.BPF_PROG_TEST_RUN, Bpf.progTestRunAttr((int) pfd, packet, TEST_PACKET_SIZE));
        if (r < 0) {
            diagnostics.accept("BPF_PROG_TEST_RUN failed for " + m.name + " (" + Errno.nameOf((int) -r) + ")");
            return new ProgramRun(errno(-r), 0, null);
        }
        Memory back = Bpf.zeroed(size);
        r = bpf.mapLookupElem((int) m.scratchFd, zero, back, 0);
        if (r < 0) {
            diagnostics.accept("cannot read the scratch map of " + m.name + " (" + Errno.nameOf((int) -r) + ")");
            return new ProgramRun(errno(-r), 0, null);
        }
        ProgramRun done = new ProgramRun(null, back.getLong(0), back.getByteArray(valueOffset, m.valueSize));
        Reference.reachabilityFence(this);
        return done;
    }

    // ------------------------------------------------------------------ lifetime

    /** Closes every descriptor of the maps in the set; run once, by close() or by the cleaner. */
    private record ReleaseDescriptors(Set<KernelMap> maps) implements Runnable {
        @Override
        public void run() {
            for (KernelMap m : maps) {
                m.closeDescriptors();
            }
            maps.clear();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("kernel backend is closed");
        }
    }

    /** Closes every map still open and restores the thread's CPU affinity. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cleanable.clean();
        if (originalAffinity != null) {
            Bpf.setAffinity(originalAffinity);
        }
    }

    /** Descriptors this backend still holds (maps, scratch maps, programs); for leak tests. */
    public int openDescriptorCount() {
        int n = 0;
        for (KernelMap m : openMaps) {
            n += (m.fd >= 0 ? 1 : 0) + (m.scratchFd >= 0 ? 1 : 0);
            for (Long p : m.programs.values()) {
                n += p >= 0 ? 1 : 0;
            }
        }
        return n;
    }
}
