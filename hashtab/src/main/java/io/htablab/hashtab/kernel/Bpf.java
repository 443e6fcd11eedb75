package io.htablab.hashtab.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The bpf(2) system call through JNA, with builders for the {@code union bpf_attr} layouts the hash
 * family uses. Results follow the raw syscall convention: a non-negative value (often a new fd), or
 * {@code -errno}.
 *
 * <p>Attribute buffers are sized to the last field each command reads and zero-filled, because the
 * kernel refuses non-zero bytes after a command's last field.
 */
public final class Bpf {

    // commands (uapi enum bpf_cmd)
    public static final int BPF_MAP_CREATE = 0;
    public static final int BPF_MAP_LOOKUP_ELEM = 1;
    public static final int BPF_MAP_UPDATE_ELEM = 2;
    public static final int BPF_MAP_DELETE_ELEM = 3;
    public static final int BPF_MAP_GET_NEXT_KEY = 4;
    public static final int BPF_PROG_LOAD = 5;
    public static final int BPF_PROG_TEST_RUN = 10;
    public static final int BPF_MAP_GET_NEXT_ID = 12;
    public static final int BPF_MAP_GET_FD_BY_ID = 14;
    public static final int BPF_OBJ_GET_INFO_BY_FD = 15;
    public static final int BPF_BTF_LOAD = 18;
    public static final int BPF_RAW_TRACEPOINT_OPEN = 17;
    public static final int BPF_MAP_LOOKUP_AND_DELETE_ELEM = 21;
    public static final int BPF_MAP_LOOKUP_BATCH = 24;
    public static final int BPF_MAP_LOOKUP_AND_DELETE_BATCH = 25;
    public static final int BPF_MAP_UPDATE_BATCH = 26;
    public static final int BPF_MAP_DELETE_BATCH = 27;
    public static final int BPF_LINK_CREATE = 28;

    /** The helper's scratch map type; the hash types come from {@code MapType.uapiValue()}. */
    public static final int BPF_MAP_TYPE_ARRAY = 2;
    public static final int BPF_PROG_TYPE_SCHED_CLS = 3;
    /** fentry/fexit/tp_btf programs: attached to a kernel function or tracepoint named by a vmlinux BTF id. */
    public static final int BPF_PROG_TYPE_TRACING = 26;
    /** expected_attach_type of a tp_btf program (a BTF-typed raw tracepoint). */
    public static final int BPF_TRACE_RAW_TP = 23;
    /** expected_attach_type of an fentry program (runs on entry of a kernel function, from its trampoline). */
    public static final int BPF_TRACE_FENTRY = 24;

    /** open_flags of BPF_MAP_GET_FD_BY_ID: a descriptor that may only read the map from user space. */
    public static final int BPF_F_RDONLY = 0x8;

    // sizes of the attr prefixes each command reads
    static final int MAP_CREATE_ATTR_SIZE = 72;
    static final int ELEM_ATTR_SIZE = 32;
    static final int BATCH_ATTR_SIZE = 56;
    static final int INFO_ATTR_SIZE = 16;
    static final int GET_NEXT_ID_ATTR_SIZE = 8;
    static final int GET_FD_BY_ID_ATTR_SIZE = 12;
    static final int PROG_LOAD_ATTR_SIZE = 72;
    static final int TEST_RUN_ATTR_SIZE = 80;
    /** BPF_BTF_LOAD through btf_log_true_size. */
    static final int BTF_LOAD_ATTR_SIZE = 32;
    /** The prefix of {@code struct bpf_map_info} the harness reads: type, id, key, value, max, flags, ... */
    static final int MAP_INFO_SIZE = 40;
    /** The kernel keeps 15 name bytes plus a NUL. */
    static final int BPF_OBJ_NAME_LEN = 16;

    private static final int RLIMIT_MEMLOCK = 8;

    private final long syscallNumber;

    private Bpf(long syscallNumber) {
        this.syscallNumber = syscallNumber;
    }

    /**
     * Binds libc and picks the bpf(2) number for this machine.
     *
     * @throws BpfUnavailableException when the architecture is unknown or libc cannot be bound
     */
    public static Bpf open() throws BpfUnavailableException {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        long nr = syscallNumber(arch);
        if (nr < 0) {
            throw new BpfUnavailableException("no bpf() system call number known for architecture '" + arch + "'");
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            throw new BpfUnavailableException("bpf() exists only on Linux (this is " + System.getProperty("os.name") + ")");
        }
        try {
            // Touch the class so that its static Native.register runs here, where failure is reported.
            LibC.sched_getcpu();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new BpfUnavailableException("cannot bind libc through JNA: " + e.getMessage());
        }
        return new Bpf(nr);
    }

    /** The bpf(2) number for a Java {@code os.arch} name, or -1 when unknown. */
    public static long syscallNumber(String arch) {
        return switch (arch) {
            case "amd64", "x86_64" -> 321;
            case "aarch64", "arm64", "riscv64", "loongarch64" -> 280;
            case "s390x" -> 351;
            case "ppc64le", "ppc64" -> 361;
            default -> -1;
        };
    }

    /** bpf(cmd, attr, attr.size()): the result, or {@code -errno}. */
    public long call(int cmd, Memory attr) {
        long r = LibC.syscall(syscallNumber, cmd, attr, attr.size());
        if (r < 0) {
            int errno = Native.getLastError();
            return -(errno == 0 ? 22 : errno);
        }
        return r;
    }

    // ---------------------------------------------------------------- memory helpers

    /** A zero-filled native buffer of at least one byte (JNA refuses empty ones). */
    public static Memory zeroed(long size) {
        Memory m = new Memory(Math.max(size, 1));
        m.clear();
        return m;
    }

    /** A native copy of {@code bytes}, at least {@code minSize} bytes long (zero-padded). */
    public static Memory copyOf(byte[] bytes, long minSize) {
        Memory m = zeroed(Math.max(bytes.length, minSize));
        m.write(0, bytes, 0, bytes.length);
        return m;
    }

    public static Memory copyOf(byte[] bytes) {
        return copyOf(bytes, 0);
    }

    /** The address a pointer field of an attr holds; 0 for null. */
    static long address(Pointer p) {
        return p == null ? 0 : Pointer.nativeValue(p);
    }

    // ---------------------------------------------------------------- attr builders

    /** Offset of inner_map_fd in BPF_MAP_CREATE's attr (a hash_of_maps map's inner map template). */
    public static final int INNER_MAP_FD_OFFSET = 20;

    /** BPF_MAP_CREATE: map_type 0, key_size 4, value_size 8, max_entries 12, map_flags 16, numa_node 24, map_name 28. */
    public static Memory mapCreateAttr(int mapType, int keySize, int valueSize, int maxEntries, int mapFlags,
                                       int numaNode, String mapName) {
        Memory a = zeroed(MAP_CREATE_ATTR_SIZE);
        a.setInt(0, mapType);
        a.setInt(4, keySize);
        a.setInt(8, valueSize);
        a.setInt(12, maxEntries);
        a.setInt(16, mapFlags);
        a.setInt(24, numaNode);
        if (mapName != null) {
            byte[] name = mapName.getBytes(StandardCharsets.US_ASCII);
            a.write(28, name, 0, Math.min(name.length, BPF_OBJ_NAME_LEN - 1));
        }
        return a;
    }

    /** {@link #mapCreateAttr} plus btf_fd 48, btf_key_type_id 52, btf_value_type_id 56. */
    public static Memory mapCreateAttr(int mapType, int keySize, int valueSize, int maxEntries, int mapFlags,
                                       int numaNode, String mapName, int btfFd, int btfKeyTypeId, int btfValueTypeId) {
        Memory a = mapCreateAttr(mapType, keySize, valueSize, maxEntries, mapFlags, numaNode, mapName);
        a.setInt(48, btfFd);
        a.setInt(52, btfKeyTypeId);
        a.setInt(56, btfValueTypeId);
        return a;
    }

    /** BPF_BTF_LOAD: btf 0, btf_log_buf 8, btf_size 16, btf_log_size 20, btf_log_level 24. */
    public static Memory btfLoadAttr(Pointer btf, int btfSize, Pointer logBuf, int logSize, int logLevel) {
        Memory a = zeroed(BTF_LOAD_ATTR_SIZE);
        a.setLong(0, address(btf));
        a.setLong(8, address(logBuf));
        a.setInt(16, btfSize);
        a.setInt(20, logSize);
        a.setInt(24, logLevel);
        return a;
    }

    /** Element commands: map_fd 0, key 8, value/next_key 16, flags 24. */
    public static Memory elemAttr(int mapFd, Pointer key, Pointer value, long flags) {
        Memory a = zeroed(ELEM_ATTR_SIZE);
        a.setInt(0, mapFd);
        a.setLong(8, address(key));
        a.setLong(16, address(value));
        a.setLong(24, flags);
        return a;
    }

    /** Batch commands: in_batch 0, out_batch 8, keys 16, values 24, count 32, map_fd 36, elem_flags 40, flags 48. */
    public static Memory batchAttr(Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values, int count,
                                   int mapFd, long elemFlags, long flags) {
        Memory a = zeroed(BATCH_ATTR_SIZE);
        a.setLong(0, address(inBatch));
        a.setLong(8, address(outBatch));
        a.setLong(16, address(keys));
        a.setLong(24, address(values));
        a.setInt(32, count);
        a.setInt(36, mapFd);
        a.setLong(40, elemFlags);
        a.setLong(48, flags);
        return a;
    }

    /** The batch attr's count as the kernel left it (a u32). */
    public static long batchCount(Memory batchAttr) {
        return Integer.toUnsignedLong(batchAttr.getInt(32));
    }

    /** BPF_OBJ_GET_INFO_BY_FD: bpf_fd 0, info_len 4, info 8. */
    public static Memory objGetInfoAttr(int fd, Pointer info, int infoLen) {
        Memory a = zeroed(INFO_ATTR_SIZE);
        a.setInt(0, fd);
        a.setInt(4, infoLen);
        a.setLong(8, address(info));
        return a;
    }

    /** BPF_MAP_GET_NEXT_ID: start_id 0; the kernel writes next_id at 4. */
    public static Memory getNextIdAttr(int startId) {
        Memory a = zeroed(GET_NEXT_ID_ATTR_SIZE);
        a.setInt(0, startId);
        return a;
    }

    /** BPF_MAP_GET_FD_BY_ID: map_id 0, next_id 4 (unused), open_flags 8. */
    public static Memory getFdByIdAttr(int mapId, int openFlags) {
        Memory a = zeroed(GET_FD_BY_ID_ATTR_SIZE);
        a.setInt(0, mapId);
        a.setInt(8, openFlags);
        return a;
    }

    /** BPF_PROG_LOAD: prog_type 0, insn_cnt 4, insns 8, license 16, log_level 24, log_size 28, log_buf 32. */
    public static Memory progLoadAttr(int progType, Pointer insns, int insnCount, Pointer license,
                                      int logLevel, Pointer logBuf, int logSize) {
        Memory a = zeroed(PROG_LOAD_ATTR_SIZE);
        a.setInt(0, progType);
        a.setInt(4, insnCount);
        a.setLong(8, address(insns));
        a.setLong(16, address(license));
        a.setInt(24, logLevel);
        a.setInt(28, logSize);
        a.setLong(32, address(logBuf));
        return a;
    }

    /** BPF_PROG_TEST_RUN: prog_fd 0, retval 4, data_size_in 8, data_size_out 12, data_in 16, data_out 24. */
    public static Memory progTestRunAttr(int progFd, Pointer dataIn, int dataSizeIn) {
        Memory a = zeroed(TEST_RUN_ATTR_SIZE);
        a.setInt(0, progFd);
        a.setInt(8, dataSizeIn);
        a.setLong(16, address(dataIn));
        return a;
    }

    // ---------------------------------------------------------------- the commands

    public long mapCreate(int mapType, int keySize, int valueSize, int maxEntries, int mapFlags, int numaNode,
                          String mapName) {
        return call(BPF_MAP_CREATE, mapCreateAttr(mapType, keySize, valueSize, maxEntries, mapFlags, numaNode, mapName));
    }

    /** BPF_MAP_CREATE with BTF type ids (btf_fd, btf_key_type_id, btf_value_type_id). */
    public long mapCreate(int mapType, int keySize, int valueSize, int maxEntries, int mapFlags, int numaNode,
                          String mapName, int btfFd, int btfKeyTypeId, int btfValueTypeId) {
        return call(BPF_MAP_CREATE, mapCreateAttr(mapType, keySize, valueSize, maxEntries, mapFlags, numaNode, mapName,
                btfFd, btfKeyTypeId, btfValueTypeId));
    }

    /**
     * BPF_BTF_LOAD of {@code blob}: a BTF fd, or {@code -errno}. With a {@code logBuf} the kernel's BTF verifier writes
     * its log there (level 1: on failure it says which type it refused and why); read it with {@link #logText}.
     */
    public long btfLoad(byte[] blob, Memory logBuf) {
        Memory data = copyOf(blob);
        // Without a log first, as libbpf does: a log level of 1 lists every type, and a BTF with thousands of types
        // (a value using vmlinux.h types) overflows any reasonable buffer, which fails the load with ENOSPC.
        long fd = call(BPF_BTF_LOAD, btfLoadAttr(data, blob.length, null, 0, 0));
        if (fd >= 0 || logBuf == null) {
            return fd;
        }
        // Refused: load again only to fill the log (its tail holds the reason); the first errno is the verdict.
        long again = call(BPF_BTF_LOAD, btfLoadAttr(data, blob.length, logBuf, (int) logBuf.size(), 1));
        if (again >= 0) {
            closeFd(again);
        }
        return fd;
    }

    /** The NUL-terminated text a verifier log buffer holds. */
    public static String logText(Memory logBuf) {
        return logBuf == null ? "" : logBuf.getString(0, "US-ASCII").trim();
    }

    public long mapLookupElem(int fd, Pointer key, Pointer value, long flags) {
        return call(BPF_MAP_LOOKUP_ELEM, elemAttr(fd, key, value, flags));
    }

    public long mapUpdateElem(int fd, Pointer key, Pointer value, long flags) {
        return call(BPF_MAP_UPDATE_ELEM, elemAttr(fd, key, value, flags));
    }

    public long mapDeleteElem(int fd, Pointer key) {
        return call(BPF_MAP_DELETE_ELEM, elemAttr(fd, key, null, 0));
    }

    public long mapLookupAndDeleteElem(int fd, Pointer key, Pointer value, long flags) {
        return call(BPF_MAP_LOOKUP_AND_DELETE_ELEM, elemAttr(fd, key, value, flags));
    }

    /** {@code key == null} asks for the first key. */
    public long mapGetNextKey(int fd, Pointer key, Pointer nextKey) {
        return call(BPF_MAP_GET_NEXT_KEY, elemAttr(fd, key, nextKey, 0));
    }

    /** Fills {@code info} (at least {@link #MAP_INFO_SIZE} bytes) with the map's bpf_map_info prefix. */
    public long objGetInfoByFd(int fd, Memory info) {
        return call(BPF_OBJ_GET_INFO_BY_FD, objGetInfoAttr(fd, info, (int) info.size()));
    }

    /**
     * The smallest loaded map id above {@code startId} (ids are u32; the result is their unsigned value),
     * or {@code -ENOENT} past the last one.
     */
    public long mapGetNextId(long startId) {
        Memory a = getNextIdAttr((int) startId);
        long r = call(BPF_MAP_GET_NEXT_ID, a);
        return r < 0 ? r : Integer.toUnsignedLong(a.getInt(4));
    }

    /** A new descriptor for the map with this id, opened with {@code openFlags} (e.g. {@link #BPF_F_RDONLY}). */
    public long mapGetFdById(long mapId, int openFlags) {
        return call(BPF_MAP_GET_FD_BY_ID, getFdByIdAttr((int) mapId, openFlags));
    }

    public long progLoad(int progType, byte[] insns, String license, Memory logBuf) {
        Memory code = copyOf(insns);
        Memory lic = copyOf((license + "\0").getBytes(StandardCharsets.US_ASCII));
        return call(BPF_PROG_LOAD, progLoadAttr(progType, code, insns.length / BpfInsn.SIZE, lic,
                logBuf == null ? 0 : 1, logBuf, logBuf == null ? 0 : (int) logBuf.size()));
    }

    /** BPF_PROG_LOAD through attach_btf_id (offset 108) and attach_btf_obj_fd (112, 0 = vmlinux). */
    static final int PROG_LOAD_TRACING_ATTR_SIZE = 116;

    /**
     * BPF_PROG_LOAD of a BPF_PROG_TYPE_TRACING program: {@code expectedAttachType} (fentry, tp_btf) at offset 68 and
     * the vmlinux BTF id of its target (a FUNC for fentry, a {@code btf_trace_*} TYPEDEF for tp_btf) at 108.
     */
    public long progLoadTracing(byte[] insns, int expectedAttachType, int attachBtfId, Memory logBuf) {
        Memory code = copyOf(insns);
        Memory lic = copyOf("GPL\0".getBytes(StandardCharsets.US_ASCII));
        Memory a = zeroed(PROG_LOAD_TRACING_ATTR_SIZE);
        a.setInt(0, BPF_PROG_TYPE_TRACING);
        a.setInt(4, insns.length / BpfInsn.SIZE);
        a.setLong(8, address(code));
        a.setLong(16, address(lic));
        if (logBuf != null) {
            a.setInt(24, 1);
            a.setInt(28, (int) logBuf.size());
            a.setLong(32, address(logBuf));
        }
        a.setInt(68, expectedAttachType);
        a.setInt(108, attachBtfId);
        long r = call(BPF_PROG_LOAD, a);
        Reference.reachabilityFence(code);
        Reference.reachabilityFence(lic);
        return r;
    }

    /** BPF_RAW_TRACEPOINT_OPEN of a tracing program (name 0: the target is the program's attach_btf_id): a link fd. */
    public long rawTracepointOpen(int progFd) {
        Memory a = zeroed(16);
        a.setLong(0, 0);
        a.setInt(8, progFd);
        return call(BPF_RAW_TRACEPOINT_OPEN, a);
    }

    /** BPF_LINK_CREATE of a tracing program: prog_fd 0, target_fd 4 (0), attach_type 8. */
    public long linkCreate(int progFd, int attachType) {
        Memory a = zeroed(16);
        a.setInt(0, progFd);
        a.setInt(4, 0);
        a.setInt(8, attachType);
        return call(BPF_LINK_CREATE, a);
    }

    /** clock_gettime(clockid) in nanoseconds (CLOCK_REALTIME 0, CLOCK_MONOTONIC 1, CLOCK_BOOTTIME 7). */
    public static long clockGettime(int clockId) {
        Memory ts = zeroed(16);
        if (LibC.clock_gettime(clockId, ts) != 0) {
            throw new KernelHarnessException("clock_gettime(" + clockId + ") failed");
        }
        return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
    }

    /** Size of the PROG_LOAD attr up to and including func_info_cnt (88) and line_info_rec_size. */
    static final int PROG_LOAD_BTF_ATTR_SIZE = 96;

    /**
     * BPF_PROG_LOAD with program BTF: prog_btf_fd 72, func_info_rec_size 76, func_info 80, func_info_cnt 88.
     *
     * @param funcInfo pairs of (instruction offset, BTF FUNC type id), one per subprogram
     */
    public long progLoad(int progType, byte[] insns, String license, Memory logBuf, int progBtfFd, int[] funcInfo) {
        return progLoad(progType, 0, insns, license, logBuf, progBtfFd, funcInfo);
    }

    /** BPF_F_SLEEPABLE in prog_flags: the program may sleep (syscall, tracing .s, lsm.s programs). */
    public static final int BPF_F_SLEEPABLE = 1 << 4;
    /** BPF_PROG_TYPE_SYSCALL: run by BPF_PROG_TEST_RUN without a packet; may be sleepable. */
    public static final int BPF_PROG_TYPE_SYSCALL = 31;

    /** {@link #progLoad(int, byte[], String, Memory, int, int[])} with prog_flags (offset 44). */
    public long progLoad(int progType, int progFlags, byte[] insns, String license, Memory logBuf, int progBtfFd,
                         int[] funcInfo) {
        Memory code = copyOf(insns);
        Memory lic = copyOf((license + "\0").getBytes(StandardCharsets.US_ASCII));
        Memory base = progLoadAttr(progType, code, insns.length / BpfInsn.SIZE, lic,
                logBuf == null ? 0 : 1, logBuf, logBuf == null ? 0 : (int) logBuf.size());
        Memory a = zeroed(PROG_LOAD_BTF_ATTR_SIZE);
        a.write(0, base.getByteArray(0, PROG_LOAD_ATTR_SIZE), 0, PROG_LOAD_ATTR_SIZE);
        a.setInt(44, progFlags);
        Memory info = null;
        if (progBtfFd >= 0 && funcInfo != null && funcInfo.length > 0) {
            info = zeroed(funcInfo.length * 4L);
            for (int i = 0; i < funcInfo.length; i++) {
                info.setInt(i * 4L, funcInfo[i]);
            }
            a.setInt(72, progBtfFd);
            a.setInt(76, 8);
            a.setLong(80, address(info));
            a.setInt(88, funcInfo.length / 2);
        }
        long r = call(BPF_PROG_LOAD, a);
        Reference.reachabilityFence(code);
        Reference.reachabilityFence(lic);
        Reference.reachabilityFence(info);
        return r;
    }

    public long progTestRun(int progFd, Memory packet) {
        return call(BPF_PROG_TEST_RUN, progTestRunAttr(progFd, packet, (int) packet.size()));
    }

    // ---------------------------------------------------------------- process helpers

    /** Closes a descriptor the harness opened; negative values (failed opens) are ignored. */
    public static void closeFd(long fd) {
        if (fd >= 0) {
            LibC.close((int) fd);
        }
    }

    /**
     * What bpf_get_current_pid_tgid returns for the calling thread: the process id (tgid) in the upper 32 bits, the
     * thread id in the lower.
     */
    public static long currentPidTgid() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        long nr = switch (arch) {
            case "amd64", "x86_64" -> 186;
            case "aarch64", "arm64", "riscv64", "loongarch64" -> 178;
            case "s390x" -> 236;
            case "ppc64le", "ppc64" -> 207;
            default -> -1;
        };
        if (nr < 0) {
            throw new KernelHarnessException("no gettid number known for architecture '" + arch + "'");
        }
        long tid = LibC.syscall(nr, 0, null, 0);
        return ProcessHandle.current().pid() << 32 | (tid & 0xFFFF_FFFFL);
    }

    /** The CPU the calling thread runs on, or -1. */
    public static int schedGetcpu() {
        return LibC.sched_getcpu();
    }

    private static final int CPU_SET_BYTES = 128;

    /** Pins the calling thread to one CPU; 0 or the errno. */
    public static int pinToCpu(int cpu) {
        if (cpu < 0 || cpu >= CPU_SET_BYTES * 8) {
            return 22;
        }
        Memory mask = zeroed(CPU_SET_BYTES);
        mask.setByte(cpu / 8, (byte) (1 << (cpu % 8)));
        return setAffinity(mask);
    }

    /** The calling thread's affinity mask, or null if it cannot be read. */
    public static byte[] getAffinity() {
        Memory mask = zeroed(CPU_SET_BYTES);
        if (LibC.sched_getaffinity(0, CPU_SET_BYTES, mask) != 0) {
            return null;
        }
        return mask.getByteArray(0, CPU_SET_BYTES);
    }

    /** Restores a mask from {@link #getAffinity()}; 0 or the errno. */
    public static int setAffinity(byte[] mask) {
        return setAffinity(copyOf(mask, CPU_SET_BYTES));
    }

    private static int setAffinity(Memory mask) {
        return LibC.sched_setaffinity(0, mask.size(), mask) == 0 ? 0 : Native.getLastError();
    }

    /**
     * Best effort: lifts RLIMIT_MEMLOCK, which kernels before 5.11 charge BPF maps to (newer ones use
     * memory cgroups, and a refusal here changes nothing).
     */
    public static void raiseMemlockLimit() {
        Memory rlim = zeroed(16);
        rlim.setLong(0, -1L);   // RLIM_INFINITY, soft
        rlim.setLong(8, -1L);   // RLIM_INFINITY, hard
        try {
            LibC.setrlimit(RLIMIT_MEMLOCK, rlim);
        } catch (UnsatisfiedLinkError e) {
            // nothing to do: maps will say ENOMEM/EPERM if the limit matters
        }
    }
}
