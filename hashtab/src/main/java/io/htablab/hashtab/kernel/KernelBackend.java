package io.htablab.hashtab.kernel;

import io.htablab.hashtab.cfront.btf.MapBtfs;
import io.htablab.hashtab.htab.BatchResult;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.KeyResult;
import io.htablab.hashtab.htab.ValueResult;
import com.sun.jna.Memory;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.KernelProfile;
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
        /** The value's special fields: the lookup program copies around them. */
        private FieldRecord record = FieldRecord.EMPTY;
        /** op -> program fd, or -errno when the verifier refused it (remembered: it would refuse again). */
        private final Map<HelperPrograms.Op, Long> programs = new EnumMap<>(HelperPrograms.Op.class);
        /** bpf_map_info.id, what a map of maps' lookups return for this map. */
        private int id = -1;
        /** Map of maps: the inner map template's key and value size (for the inner-lookup programs). */
        private int innerKeySize;
        private int innerValueSize;
        /** Map of maps: its own programs (inner id, inner lookup) and their scratch maps, closed with it. */
        private final Map<String, Long> mapInMapFds = new java.util.HashMap<>();
        /** Timer/wq programs by shape (op, field, callback): fd, or -errno when refused. */
        private final Map<String, Long> timerPrograms = new java.util.HashMap<>();
        /** The clock each timer was initialised with (for absolute starts), by key hex and field offset. */
        private final Map<String, Integer> timerClocks = new java.util.HashMap<>();
        /** A close statement closed the descriptor; the programs (and so the map) live on. */
        private boolean fdClosed;
        /** The programs statements after a close may need are loaded. */
        private boolean preloaded;

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

        @Override
        public int id() {
            return id;
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
            for (Long p : mapInMapFds.values()) {
                Bpf.closeFd(p);
            }
            mapInMapFds.clear();
            for (Long p : timerPrograms.values()) {
                Bpf.closeFd(p);
            }
            timerPrograms.clear();
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

    /**
     * The scenario's {@code profile P}: the live kernel is what it is, so a profile it is not refuses the whole run
     * (as a {@code cpus N} it does not have does).
     */
    @Override
    public void setProfile(KernelProfile profile) throws CpusMismatchException {
        if (profile != KernelProfile.running()) {
            String release = KernelProfile.runningRelease();
            throw new CpusMismatchException("the scenario wants kernel profile " + profile + " but this kernel is "
                    + (release == null ? "of unknown version" : release) + "; refusing to run");
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
        a.setInt(Bpf.INNER_MAP_FD_OFFSET, attr.innerMapFd());
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
        rememberIdAndTemplate(m, r < 0 ? null : info, attr);
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
        a.setInt(Bpf.INNER_MAP_FD_OFFSET, attr.innerMapFd());
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
        rememberIdAndTemplate(m, r < 0 ? null : info, attr);
        m.record = attr.record();
        openMaps.add(m);
        Reference.reachabilityFence(this);
        return new Created(Errno.OK, m);
    }

    private static String lastLine(String log) {
        String[] lines = log.split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    /** The map's id (info offset 4), and for a map of maps its template's sizes (from the inner map's handle). */
    private void rememberIdAndTemplate(KernelMap m, Memory info, HtabAttr attr) {
        if (info != null) {
            m.id = info.getInt(4);
        }
        if (attr.type().isMapInMap()) {
            for (KernelMap other : openMaps) {
                if (other.fd == attr.innerMapFd()) {
                    m.innerKeySize = other.keySize;
                    m.innerValueSize = other.valueSize;
                }
            }
        }
    }

    // ------------------------------------------------------------------ maps of maps

    @Override
    public int descriptor(MapHandle map) {
        return live(map).fd();
    }

    /**
     * A program's lookup in a map of maps yields the inner map, not bytes; the harness reads the inner map's id
     * through the returned map pointer (offsetof(struct bpf_map, id) from the kernel's BTF).
     */
    private ValueResult progLookupInnerId(KernelMap m, byte[] key) {
        int idOffset;
        try {
            idOffset = MapInMapPrograms.bpfMapIdOffset();
        } catch (IOException e) {
            throw new KernelHarnessException("cannot read struct bpf_map from the kernel's BTF: " + e.getMessage());
        }
        int size = MapInMapPrograms.idScratchSize(m.keySize);
        ProgramRun run = runMapInMapProgram(m, "id", size,
                sfd -> MapInMapPrograms.lookupId(m.fd(), sfd, m.keySize, idOffset), key, null);
        if (run.errno != null) {
            return new ValueResult(run.errno, null, null);
        }
        if (run.result == MapInMapPrograms.FOUND) {
            return new ValueResult(Errno.OK, java.util.Arrays.copyOfRange(run.value, 0, 4), null);
        }
        return new ValueResult(Errno.ENOENT, null, null);
    }

    @Override
    public ValueResult progLookupInner(MapHandle outer, byte[] key, byte[] innerKey) throws
            io.htablab.hashtab.scenario.ScenarioException {
        KernelMap m = live(outer);
        if (innerKey.length != m.innerKeySize) {
            throw new io.htablab.hashtab.scenario.ScenarioException("inner key has " + innerKey.length
                    + " bytes, the inner map template has key_size " + m.innerKeySize);
        }
        int size = MapInMapPrograms.innerScratchSize(m.keySize, m.innerKeySize, m.innerValueSize);
        ProgramRun run = runMapInMapProgram(m, "inner", size, sfd -> MapInMapPrograms.lookupInner(m.fd(), sfd,
                m.keySize, m.innerKeySize, m.innerValueSize), key, innerKey);
        if (run.errno != null) {
            return new ValueResult(run.errno, null, null);
        }
        if (run.result == MapInMapPrograms.FOUND) {
            int off = MapInMapPrograms.innerValueOffset(m.keySize, m.innerKeySize) - MapInMapPrograms.afterKey(m.keySize);
            return new ValueResult(Errno.OK, java.util.Arrays.copyOfRange(run.value, off, off + m.innerValueSize),
                    null);
        }
        return new ValueResult(Errno.ENOENT, null, null);
    }

    /**
     * Loads (once) and runs one of a map of maps' own programs with a scratch map of {@code size} bytes: the key at 8,
     * {@code extra} (the inner key) right after it; returns the result word and the scratch bytes after the key.
     */
    private ProgramRun runMapInMapProgram(KernelMap m, String kind, int size,
                                          java.util.function.IntFunction<BpfAssembler> build, byte[] key, byte[] extra) {
        Long sfd = m.mapInMapFds.get(kind + ".scratch");
        if (sfd == null) {
            long fd = bpf.mapCreate(Bpf.BPF_MAP_TYPE_ARRAY, 4, size, 1, 0, 0, null);
            if (fd < 0) {
                diagnostics.accept("cannot create the scratch map for " + m.name + " (" + Errno.nameOf((int) -fd) + ")");
                return new ProgramRun(errno(-fd), 0, null);
            }
            sfd = fd;
            m.mapInMapFds.put(kind + ".scratch", fd);
        }
        Long pfd = m.mapInMapFds.get(kind);
        if (pfd == null) {
            byte[] code = build.apply((int) (long) sfd).toBytes();
            long fd = bpf.progLoad(Bpf.BPF_PROG_TYPE_SCHED_CLS, code, "GPL", null);
            if (fd < 0) {
                diagnostics.accept("the verifier rejected the " + kind + " lookup program for map of maps " + m.name
                        + " (" + Errno.nameOf((int) -fd) + ")" + verifierLog(code));
            }
            pfd = fd;
            m.mapInMapFds.put(kind, fd);
        }
        if (pfd < 0) {
            return new ProgramRun(errno(-pfd), 0, null);
        }
        Memory data = Bpf.zeroed(size);
        data.setLong(0, NOT_RUN);
        data.write(MapInMapPrograms.keyOffset(), key, 0, key.length);
        int after = MapInMapPrograms.afterKey(m.keySize);
        if (extra != null) {
            data.write(after, extra, 0, extra.length);
        }
        Memory zero = Bpf.zeroed(4);
        long r = bpf.mapUpdateElem((int) (long) sfd, zero, data, 0);
        if (r < 0) {
            return new ProgramRun(errno(-r), 0, null);
        }
        r = sys(Bpf.BPF_PROG_TEST_RUN, Bpf.progTestRunAttr((int) (long) pfd, packet, TEST_PACKET_SIZE));
        if (r < 0) {
            diagnostics.accept("BPF_PROG_TEST_RUN failed for " + m.name + " (" + Errno.nameOf((int) -r) + ")");
            return new ProgramRun(errno(-r), 0, null);
        }
        Memory back = Bpf.zeroed(size);
        r = bpf.mapLookupElem((int) (long) sfd, zero, back, 0);
        if (r < 0) {
            return new ProgramRun(errno(-r), 0, null);
        }
        long result = back.getLong(0);
        if (result != MapInMapPrograms.FOUND && result != MapInMapPrograms.MISSED) {
            throw new KernelHarnessException("the " + kind + " lookup program of " + m.name + " did not run (result 0x"
                    + Long.toHexString(result) + ")");
        }
        ProgramRun done = new ProgramRun(null, result, back.getByteArray(after, size - after));
        Reference.reachabilityFence(this);
        return done;
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
        if (m.fd < 0 && !m.fdClosed) {
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
        if (m.type.isMapInMap()) {
            return progLookupInnerId(m, key);
        }
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
        BpfAssembler p = HelperPrograms.build(op, m.fd(), (int) sfd, m.keySize, m.valueSize, m.record);
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
            for (Long p : m.timerPrograms.values()) {
                n += p >= 0 ? 1 : 0;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ timers, workqueues, clock, close

    /**
     * The settling margin of {@code advance}: at least this long is slept, so that timers that fell due at the end
     * of the interval have run their callbacks (softirq) and started work items have run (kworker) before the next
     * statement looks. Scenarios keep deadlines well away (10 ms) from the end of an advance.
     */
    static final long SETTLE_NS = 20_000_000;

    /** Real CLOCK_MONOTONIC time of virtual time 0, fixed at the first timer or clock statement. */
    private long anchorNs = Long.MIN_VALUE;
    /** The scenario's virtual time: the sum of its advances. */
    private long virtualNs;
    private int[] wqKfuncIds;

    private long anchor() {
        if (anchorNs == Long.MIN_VALUE) {
            anchorNs = System.nanoTime() - virtualNs;
        }
        return anchorNs;
    }

    /**
     * Before arming: if the statements since the last advance (program loads under load can take tens of ms) have
     * run past the real time that stands for the current virtual time, that time is now. Otherwise a timer armed
     * late would fire late against the schedule of the following advances.
     */
    private void rebase() {
        long late = System.nanoTime() - (anchor() + virtualNs);
        if (late > 0) {
            anchorNs += late;
        }
    }

    @Override
    public io.htablab.hashtab.htab.fields.HelperResult timerInit(MapHandle map, byte[] key, String field, long flags)
            throws io.htablab.hashtab.scenario.ScenarioException {
        KernelMap m = live(map);
        preloadTimerPrograms(m);
        var f = asyncField(m, io.htablab.hashtab.htab.fields.FieldKind.TIMER, field);
        anchor();
        var r = runTimer(m, TimerPrograms.Op.TIMER_INIT, f, key, flags, 0, null);
        if (r.isOk()) {
            m.timerClocks.put(io.htablab.hashtab.scenario.Bytes.hex(key) + "@" + f.offset(), (int) (flags & 15));
        }
        return r;
    }

    @Override
    public io.htablab.hashtab.htab.fields.HelperResult timerSetCallback(MapHandle map, byte[] key, String field,
            Callback callback) throws io.htablab.hashtab.scenario.ScenarioException {
        KernelMap m = live(map);
        preloadTimerPrograms(m);
        var f = asyncField(m, io.htablab.hashtab.htab.fields.FieldKind.TIMER, field);
        return runTimer(m, TimerPrograms.Op.TIMER_SET_CALLBACK, f, key, 0, 0, callback);
    }

    @Override
    public io.htablab.hashtab.htab.fields.HelperResult timerStart(MapHandle map, byte[] key, String field, long nsecs,
            long flags) throws io.htablab.hashtab.scenario.ScenarioException {
        KernelMap m = live(map);
        preloadTimerPrograms(m);
        var f = asyncField(m, io.htablab.hashtab.htab.fields.FieldKind.TIMER, field);
        long ns = nsecs;
        rebase();
        if ((flags & io.htablab.hashtab.htab.fields.AsyncFields.BPF_F_TIMER_ABS) != 0) {
            // virtual time v is real time anchor + v on CLOCK_MONOTONIC; on the timer's own clock the same instant
            Integer clock = m.timerClocks.get(io.htablab.hashtab.scenario.Bytes.hex(key) + "@" + f.offset());
            // a REALTIME bpf_timer runs on CLOCK_MONOTONIC (ClockId.timerBase)
            int clk = clock == null || clock == 0 ? 1 : clock;
            long mono = Bpf.clockGettime(1);
            long own = Bpf.clockGettime(clk);
            ns = own - (mono - anchor()) + nsecs;
        }
        return runTimer(m, TimerPrograms.Op.TIMER_START, f, key, flags, ns, null);
    }

    @Override
    public io.htablab.hashtab.htab.fields.HelperResult timerCancel(MapHandle map, byte[] key, String field)
            throws io.htablab.hashtab.scenario.ScenarioException {
        KernelMap m = live(map);
        preloadTimerPrograms(m);
        var f = asyncField(m, io.htablab.hashtab.htab.fields.FieldKind.TIMER, field);
        return runTimer(m, TimerPrograms.Op.TIMER_CANCEL, f, key, 0, 0, null);
    }

    @Override
    public io.htablab.hashtab.htab.fields.HelperResult wqInit(MapHandle map, byte[] key, String field, long flags)
            throws io.htablab.hashtab.scenario.ScenarioException {
        KernelMap m = live(map);
        preloadTimerPrograms(m);
        var f = asyncField(m, io.htablab.hashtab.htab.fields.FieldKind.WORKQUEUE, field);
        anchor();
        return runTimer(m, TimerPrograms.Op.WQ_INIT, f, key, flags, 0, null);
    }

    @Override
    public io.htablab.hashtab.htab.fields.HelperResult wqSetCallback(MapHandle map, byte[] key, String field,
            Callback callback, long flags) throws io.htablab.hashtab.scenario.ScenarioException {
        KernelMap m = live(map);
        preloadTimerPrograms(m);
        var f = asyncField(m, io.htablab.hashtab.htab.fields.FieldKind.WORKQUEUE, field);
        return runTimer(m, TimerPrograms.Op.WQ_SET_CALLBACK, f, key, flags, 0, callback);
    }

    @Override
    public io.htablab.hashtab.htab.fields.HelperResult wqStart(MapHandle map, byte[] key, String field, long flags)
            throws io.htablab.hashtab.scenario.ScenarioException {
        KernelMap m = live(map);
        preloadTimerPrograms(m);
        var f = asyncField(m, io.htablab.hashtab.htab.fields.FieldKind.WORKQUEUE, field);
        rebase();
        return runTimer(m, TimerPrograms.Op.WQ_START, f, key, flags, 0, null);
    }

    /**
     * Sleeps until the real time that stands for the new virtual time, and at least {@link #SETTLE_NS}: the
     * schedule is absolute (anchor + virtual time), so margins and statement times do not add up over a run.
     */
    @Override
    public void advance(long nsecs) {
        long a = anchor();
        virtualNs += nsecs;
        long wake = Math.max(a + virtualNs, System.nanoTime() + SETTLE_NS);
        long left;
        while ((left = wake - System.nanoTime()) > 0) {
            try {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Closes the map's descriptor, the last user reference (map_release_uref runs: timers and wqs released). The
     * programs later statements may need are loaded first, since loading one needs the descriptor; a later
     * set-callback uses a callback-less program (after the release no field is initialised, so the callback could
     * never be installed anyway).
     */
    @Override
    public Errno closeFd(MapHandle map) {
        KernelMap m = live(map);
        if (m.fdClosed) {
            return Errno.EBADF;
        }
        preloadTimerPrograms(m);
        Bpf.closeFd(m.fd);
        m.fd = -1;
        m.fdClosed = true;
        return Errno.OK;
    }

    private static final String CLOSED = "<closed>";

    /**
     * Loads, once per map and before the first timer statement runs, every program a later statement may need
     * once the descriptor is closed (loading needs it). Doing it here, not in close, keeps the loads out of the
     * time between arming a timer and looking at its effect.
     */
    private void preloadTimerPrograms(KernelMap m) {
        if (m.preloaded || m.fd < 0) {
            return;
        }
        m.preloaded = true;
        for (HelperPrograms.Op op : HelperPrograms.Op.values()) {
            program(m, op);
        }
        for (var f : m.record.fields()) {
            boolean timer = f.kind() == io.htablab.hashtab.htab.fields.FieldKind.TIMER;
            if (!timer && f.kind() != io.htablab.hashtab.htab.fields.FieldKind.WORKQUEUE) {
                continue;
            }
            for (TimerPrograms.Op op : TimerPrograms.Op.values()) {
                if (op.isKfunc() != !timer) {
                    continue;
                }
                timerProgram(m, op, f.offset(), op.hasCallback() ? List.of() : null, op.hasCallback() ? CLOSED : "");
            }
        }
    }

    private io.htablab.hashtab.htab.fields.SpecialField asyncField(KernelMap m,
            io.htablab.hashtab.htab.fields.FieldKind kind, String name)
            throws io.htablab.hashtab.scenario.ScenarioException {
        io.htablab.hashtab.htab.fields.SpecialField found = null;
        for (var f : m.record.fields()) {
            if (f.kind() != kind || (name != null && !f.name().equals(name))) {
                continue;
            }
            if (found != null) {
                throw new io.htablab.hashtab.scenario.ScenarioException("the value has several struct "
                        + kind.cName() + " fields: name one");
            }
            found = f;
        }
        if (found == null) {
            throw new io.htablab.hashtab.scenario.ScenarioException("the value has no struct " + kind.cName()
                    + (name == null ? "" : " named '" + name + "'"));
        }
        return found;
    }

    private io.htablab.hashtab.htab.fields.HelperResult runTimer(KernelMap m, TimerPrograms.Op op,
            io.htablab.hashtab.htab.fields.SpecialField f, byte[] key, long flags, long nsecs, Callback callback)
            throws io.htablab.hashtab.scenario.ScenarioException {
        List<TimerPrograms.CbOp> ops = callback == null ? null : kernelOps(callback);
        if (ops != null && !m.fdClosed && ops.contains(null)) {
            // a map the callback names was closed: the program cannot be loaded
            return io.htablab.hashtab.htab.fields.HelperResult.error(Errno.EBADF);
        }
        String shape = m.fdClosed && op.hasCallback() ? CLOSED : (ops == null ? "" : describe(callback, ops));
        long pfd = timerProgram(m, op, f.offset(), m.fdClosed && op.hasCallback() ? List.of() : ops, shape);
        if (pfd < 0) {
            return io.htablab.hashtab.htab.fields.HelperResult.error(errno(-pfd));
        }
        int size = HelperPrograms.scratchSize(m.keySize, m.valueSize);
        Memory data = Bpf.zeroed(size);
        data.setLong(0, flags);
        data.write(HelperPrograms.keyOffset(), key, 0, key.length);
        data.setLong(HelperPrograms.valueOffset(m.keySize), nsecs);
        Memory zero = Bpf.zeroed(4);
        long r = bpf.mapUpdateElem((int) m.scratchFd, zero, data, 0);
        if (r < 0) {
            return io.htablab.hashtab.htab.fields.HelperResult.error(errno(-r));
        }
        boolean syscallProg = op == TimerPrograms.Op.WQ_SET_CALLBACK;
        r = sys(Bpf.BPF_PROG_TEST_RUN, syscallProg ? Bpf.progTestRunAttr((int) pfd, null, 0)
                : Bpf.progTestRunAttr((int) pfd, packet, TEST_PACKET_SIZE));
        if (r < 0) {
            diagnostics.accept("BPF_PROG_TEST_RUN failed for " + m.name + " (" + Errno.nameOf((int) -r) + ")");
            return io.htablab.hashtab.htab.fields.HelperResult.error(errno(-r));
        }
        Memory back = Bpf.zeroed(size);
        r = bpf.mapLookupElem((int) m.scratchFd, zero, back, 0);
        if (r < 0) {
            return io.htablab.hashtab.htab.fields.HelperResult.error(errno(-r));
        }
        long ret = back.getLong(0);
        if (op.isKfunc() && ret != TimerPrograms.NO_ELEMENT) {
            ret = (int) ret; // the wq kfuncs return int: the upper half of r0 is not sign-extended
        }
        Reference.reachabilityFence(this);
        if (ret == TimerPrograms.NO_ELEMENT) {
            return io.htablab.hashtab.htab.fields.HelperResult.error(Errno.ENOENT);
        }
        return ret < 0 ? io.htablab.hashtab.htab.fields.HelperResult.error(errno(-ret))
                : io.htablab.hashtab.htab.fields.HelperResult.ok(ret);
    }

    /** The callback's operations with descriptors for its maps (EBADF when one of them was closed). */
    private List<TimerPrograms.CbOp> kernelOps(Callback callback) throws io.htablab.hashtab.scenario.ScenarioException {
        List<TimerPrograms.CbOp> out = new ArrayList<>();
        for (CallbackOp op : callback.ops()) {
            if (op instanceof CallbackOp.Count c) {
                out.add(orClosed(fdOf(c.map()), new TimerPrograms.CbOp.Count(fdOf(c.map()), c.key())));
            } else if (op instanceof CallbackOp.Update u) {
                int fd = u.map() == null ? -1 : fdOf(u.map());
                out.add(u.map() != null && fd < 0 ? null
                        : new TimerPrograms.CbOp.Update(fd, u.key(), u.value(), u.flags()));
            } else if (op instanceof CallbackOp.Delete d) {
                int fd = d.map() == null ? -1 : fdOf(d.map());
                out.add(d.map() != null && fd < 0 ? null : new TimerPrograms.CbOp.Delete(fd, d.key()));
            } else if (op instanceof CallbackOp.Restart r) {
                out.add(new TimerPrograms.CbOp.Restart(r.nsecs(), r.flags()));
            } else if (op instanceof CallbackOp.Cancel c) {
                out.add(orClosed(fdOf(c.map()), new TimerPrograms.CbOp.Cancel(fdOf(c.map()), c.key())));
            }
        }
        return out;
    }

    private int fdOf(MapHandle h) {
        return ((KernelMap) h).fd();
    }

    /** Marks an operation on a closed map (null in the list: see runTimer). */
    private static TimerPrograms.CbOp orClosed(int fd, TimerPrograms.CbOp op) {
        return fd < 0 ? null : op;
    }

    private static String describe(Callback cb, List<TimerPrograms.CbOp> ops) {
        StringBuilder sb = new StringBuilder(cb.name());
        for (TimerPrograms.CbOp op : ops) {
            if (op == null) {
                continue;
            }
            sb.append('|').append(op.getClass().getSimpleName());
            if (op instanceof TimerPrograms.CbOp.Count c) {
                sb.append(c.mapFd()).append(io.htablab.hashtab.scenario.Bytes.hex(c.key()));
            } else if (op instanceof TimerPrograms.CbOp.Update u) {
                sb.append(u.mapFd()).append(u.key() == null ? "-" : io.htablab.hashtab.scenario.Bytes.hex(u.key()))
                        .append(io.htablab.hashtab.scenario.Bytes.hex(u.value())).append(u.flags());
            } else if (op instanceof TimerPrograms.CbOp.Delete d) {
                sb.append(d.mapFd()).append(d.key() == null ? "-" : io.htablab.hashtab.scenario.Bytes.hex(d.key()));
            } else if (op instanceof TimerPrograms.CbOp.Restart r) {
                sb.append(r.nsecs()).append('/').append(r.flags());
            } else if (op instanceof TimerPrograms.CbOp.Cancel c) {
                sb.append(c.mapFd()).append(io.htablab.hashtab.scenario.Bytes.hex(c.key()));
            }
        }
        return sb.toString();
    }

    /** The program for one shape, loaded on first use with BTF and func_info for its subprograms. */
    private long timerProgram(KernelMap m, TimerPrograms.Op op, int fieldOffset, List<TimerPrograms.CbOp> ops,
                              String shape) {
        String k = op + "@" + fieldOffset + "/" + shape;
        Long known = m.timerPrograms.get(k);
        if (known != null) {
            return known;
        }
        long sfd = scratch(m);
        if (sfd < 0) {
            return sfd;
        }
        int kfunc = 0;
        if (op.isKfunc()) {
            int[] ids = wqKfuncIds();
            kfunc = ids[op.ordinal() - TimerPrograms.Op.WQ_INIT.ordinal()];
            if (kfunc <= 0) {
                diagnostics.accept("this kernel's BTF has no " + op + " kfunc");
                m.timerPrograms.put(k, (long) -Errno.EOPNOTSUPP.code());
                return -Errno.EOPNOTSUPP.code();
            }
        }
        long fd;
        try {
            TimerPrograms.Program p = TimerPrograms.build(op, m.fd(), (int) sfd, m.keySize, fieldOffset, kfunc,
                    ops);
            fd = loadWithFuncInfo(p, m.name + " " + op.name().toLowerCase(java.util.Locale.ROOT),
                    op == TimerPrograms.Op.WQ_SET_CALLBACK);
        } catch (IllegalArgumentException e) {
            diagnostics.accept(e.getMessage());
            fd = -Errno.E2BIG.code();
        }
        m.timerPrograms.put(k, fd);
        return fd;
    }

    /** The ids of bpf_wq_init, bpf_wq_set_callback_impl, bpf_wq_start in /sys/kernel/btf/vmlinux (0: missing). */
    private int[] wqKfuncIds() {
        if (wqKfuncIds == null) {
            int[] ids = new int[3];
            try {
                var vmlinux = io.htablab.hashtab.cfront.btf.BtfReader.vmlinux();
                String[] names = {"bpf_wq_init", "bpf_wq_set_callback_impl", "bpf_wq_start"};
                for (int i = 0; i < 3; i++) {
                    ids[i] = Math.max(0, vmlinux.findByName(names[i], io.htablab.hashtab.cfront.btf.BtfKind.FUNC));
                }
            } catch (IOException | RuntimeException e) {
                diagnostics.accept("cannot read /sys/kernel/btf/vmlinux for the wq kfunc ids: " + e.getMessage());
            }
            wqKfuncIds = ids;
        }
        return wqKfuncIds;
    }

    /**
     * Loads a program with its own BTF: {@code int main(void *ctx)} and, for a callback,
     * {@code static int cb(void *map, void *key, void *value)}, described by func_info. The BTF descriptor is
     * closed once the program holds it.
     */
    private long loadWithFuncInfo(TimerPrograms.Program p, String what, boolean sleepable) {
        int type = sleepable ? Bpf.BPF_PROG_TYPE_SYSCALL : Bpf.BPF_PROG_TYPE_SCHED_CLS;
        int flags = sleepable ? Bpf.BPF_F_SLEEPABLE : 0;
        var enc = new io.htablab.hashtab.cfront.btf.BtfEncoder();
        int intId = enc.addInt("int", 4, io.htablab.hashtab.cfront.btf.BtfEncoder.INT_SIGNED);
        int voidPtr = enc.addPtr(0);
        int mainProto = enc.addFuncProto(intId,
                List.of(new io.htablab.hashtab.cfront.btf.BtfParam("ctx", voidPtr)), false);
        int mainFunc = enc.addFunc("htablab_timer_prog", mainProto,
                io.htablab.hashtab.cfront.btf.BtfEncoder.LINKAGE_GLOBAL);
        int[] funcInfo = new int[] {0, mainFunc};
        if (p.subprogStarts().length > 1) {
            int cbProto = enc.addFuncProto(intId, List.of(
                    new io.htablab.hashtab.cfront.btf.BtfParam("map", voidPtr),
                    new io.htablab.hashtab.cfront.btf.BtfParam("key", voidPtr),
                    new io.htablab.hashtab.cfront.btf.BtfParam("value", voidPtr)), false);
            int cbFunc = enc.addFunc("htablab_callback", cbProto,
                    io.htablab.hashtab.cfront.btf.BtfEncoder.LINKAGE_STATIC);
            funcInfo = new int[] {0, mainFunc, p.subprogStarts()[1], cbFunc};
        }
        long btfFd = bpf.btfLoad(enc.toBytes(), null);
        if (btfFd < 0) {
            diagnostics.accept("BPF_BTF_LOAD of the program BTF for " + what + " failed (" + Errno.nameOf((int) -btfFd)
                    + ")");
            return btfFd;
        }
        try {
            byte[] code = p.code().toBytes();
            long fd = bpf.progLoad(type, flags, code, "GPL", null, (int) btfFd, funcInfo);
            if (fd < 0) {
                Memory log = Bpf.zeroed(1 << 20);
                long again = bpf.progLoad(type, flags, code, "GPL", log, (int) btfFd, funcInfo);
                Bpf.closeFd(again);
                String text = log.getString(0, StandardCharsets.UTF_8.name());
                List<String> lines = Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
                diagnostics.accept("the verifier rejected the " + what + " program (" + Errno.nameOf((int) -fd) + ")"
                        + (lines.isEmpty() ? "" : ": " + String.join(" | ",
                        lines.subList(Math.max(0, lines.size() - 4), lines.size()))));
            }
            return fd;
        } finally {
            Bpf.closeFd(btfFd);
        }
    }
}
