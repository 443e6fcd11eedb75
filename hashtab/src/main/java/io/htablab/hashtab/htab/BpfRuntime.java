package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.fields.VirtualClock;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The simulated kernel that maps live in: it hands out map ids as the kernel's map IDR does (from 1, never
 * reused while the runtime lives) and finds a live map by its id. Maps that share a runtime can refer to each
 * other (inner maps of a map of maps, timer callbacks that touch another map).
 *
 * <p>The registry holds maps weakly: a map nobody references any more disappears from it, as a freed map
 * disappears from the kernel's IDR. Thread-safe; one runtime may serve maps used from several threads.
 */
public final class BpfRuntime {

    private static final BpfRuntime DEFAULT = new BpfRuntime();

    /** A fresh runtime: its first map gets id 1. */
    public BpfRuntime() {
    }

    private int nextId = 1;
    private final Map<Integer, WeakReference<BpfMap>> idr = new HashMap<>();

    /** The runtime of maps created without one (a library user's single "kernel"). */
    public static BpfRuntime defaultRuntime() {
        return DEFAULT;
    }

    /** The kernel's time, shared by every map of the runtime: timers fire and work items run when it moves. */
    private final VirtualClock clock = new VirtualClock();

    /**
     * The runtime's virtual clock. Like the maps it drives, it is used by one thread at a time; moving it runs
     * the callbacks of every map in this runtime that fall due.
     */
    public VirtualClock clock() {
        return clock;
    }

    /** bpf_map_alloc_id: the next map id. */
    synchronized int allocId() {
        if (idr.size() > 1024 && (nextId & 1023) == 0) {
            idr.values().removeIf(r -> r.get() == null);
        }
        return nextId++;
    }

    synchronized void register(int id, BpfMap map) {
        idr.put(id, new WeakReference<>(map));
    }

    /** bpf_map_free_id: the id no longer names a map. */
    synchronized void unregister(int id) {
        idr.remove(id);
    }

    /** BPF_MAP_GET_FD_BY_ID's lookup: the live map with {@code id}, or null. */
    public synchronized BpfMap mapById(int id) {
        WeakReference<BpfMap> r = idr.get(id);
        BpfMap m = r == null ? null : r.get();
        if (r != null && m == null) {
            idr.remove(id);
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Kernel profile

    private KernelProfile profile = KernelProfile.defaultProfile();

    /** The kernel behaviour maps created from now on model (6.18 unless set). */
    public synchronized KernelProfile profile() {
        return profile;
    }

    /** Maps created after this call behave like {@code p}; maps that exist keep the profile they were made with. */
    public synchronized void setProfile(KernelProfile p) {
        if (p == null) {
            throw new IllegalArgumentException("profile missing");
        }
        profile = p;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Descriptors: BPF_MAP_UPDATE_ELEM on a map of maps names its inner map by a file descriptor

    /** Descriptor numbers handed out from here (0-2 are the standard streams of a process). */
    private int nextFd = 3;
    private final Map<Integer, WeakReference<BpfMap>> fds = new HashMap<>();

    /** The descriptor create() returns for {@code map}. Held weakly: a BpfMap nobody holds is a closed descriptor. */
    synchronized int installFd(BpfMap map) {
        if (fds.size() > 1024 && (nextFd & 1023) == 0) {
            fds.values().removeIf(r -> r.get() == null);
        }
        int fd = nextFd++;
        fds.put(fd, new WeakReference<>(map));
        return fd;
    }

    /** close(fd). */
    synchronized void releaseFd(int fd) {
        fds.remove(fd);
    }

    /** The map an open descriptor names (fdget + __bpf_map_get), or null: EBADF. */
    public synchronized BpfMap mapByFd(int fd) {
        WeakReference<BpfMap> r = fds.get(fd);
        BpfMap m = r == null ? null : r.get();
        if (r != null && m == null) {
            fds.remove(fd);
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Nested programs: a tracing program attached to a kernel function that runs inside a map operation

    /** Kernel functions a nested program can be attached to (as fentry programs are). */
    public enum AttachPoint {
        /** The chain walk under the bucket lock (update, delete, lookup-and-delete). */
        LOOKUP_ELEM_RAW("lookup_elem_raw"),
        /**
         * The release of an element's special fields (check_and_free_fields): under the bucket lock for a replacing
         * update of a preallocated HASH map, after the unlock everywhere else, under the LRU locks during eviction.
         */
        BPF_OBJ_FREE_FIELDS("bpf_obj_free_fields");

        private final String kernelName;

        AttachPoint(String kernelName) {
            this.kernelName = kernelName;
        }

        public String kernelName() {
            return kernelName;
        }

        public static AttachPoint fromKernelName(String name) {
            for (AttachPoint a : values()) {
                if (a.kernelName.equals(name)) {
                    return a;
                }
            }
            return null;
        }
    }

    /**
     * A program armed to run once, on {@code cpu}, the next time any map of this runtime reaches {@code at} on that
     * CPU. Its body runs right there, inside the operation and under whatever locks the operation holds, and returns
     * the helper's result.
     */
    public static final class NestedProgram {
        private final AttachPoint at;
        private final int cpu;
        private final String description;
        private final IntFunction<ValueResult> body;
        private ValueResult result;
        private int firedInMap = -1;

        private NestedProgram(AttachPoint at, int cpu, String description, IntFunction<ValueResult> body) {
            this.at = at;
            this.cpu = cpu;
            this.description = description;
            this.body = body;
        }

        public AttachPoint attachPoint() {
            return at;
        }

        public int cpu() {
            return cpu;
        }

        public String description() {
            return description;
        }

        /** Whether the program ran. */
        public boolean fired() {
            return result != null;
        }

        /** What the program's helper returned, or null when it never ran. */
        public ValueResult result() {
            return result;
        }

        /** The map whose operation reached the attach point, or -1. */
        public int firedInMap() {
            return firedInMap;
        }
    }

    /** The armed program, or null. A plain field: the map operations test it under their locks. */
    private NestedProgram armed;

    /**
     * Arm a one-shot program (replacing any armed one). Use from the thread that runs the map operations.
     *
     * @param body the program: receives the CPU and performs one map helper call (on any map of this runtime)
     */
    public NestedProgram armNestedProgram(AttachPoint at, int cpu, String description, IntFunction<ValueResult> body) {
        if (at == null || body == null) {
            throw new IllegalArgumentException("attach point and body are required");
        }
        NestedProgram p = new NestedProgram(at, cpu, description == null ? "" : description, body);
        armed = p;
        return p;
    }

    /** Detach the armed program if it has not run. */
    public void disarmNestedProgram() {
        armed = null;
    }

    /** Whether a program is armed (the one test on the operations' paths). */
    boolean nestedArmed() {
        return armed != null;
    }

    /**
     * A map operation reached {@code at} on {@code cpu}: run the armed program if it waits for exactly that. The
     * program is detached first, so its own operations (which may reach the same attach point) do not re-enter it,
     * as the kernel's per-program recursion counter prevents.
     */
    void attachPointReached(AttachPoint at, int cpu, int mapId, Listeners events) {
        NestedProgram p = armed;
        if (p == null || p.at != at || p.cpu != cpu) {
            return;
        }
        armed = null;
        p.firedInMap = mapId;
        if (events.enabled()) {
            events.accept(new io.htablab.hashtab.htab.event.MapEvent.NestedProgramFired(mapId, cpu, at.kernelName(),
                    p.description));
        }
        ValueResult r = p.body.apply(cpu);
        p.result = r == null ? ValueResult.error(Errno.EINVAL) : r;
        if (events.enabled()) {
            events.accept(new io.htablab.hashtab.htab.event.MapEvent.NestedProgramReturned(mapId, cpu,
                    describe(p.result)));
        }
    }

    private static String describe(ValueResult r) {
        if (!r.errno().isOk()) {
            return "error " + r.errno().name();
        }
        if (r.value() == null) {
            return "ok";
        }
        StringBuilder sb = new StringBuilder("value ");
        for (byte b : r.value()) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
