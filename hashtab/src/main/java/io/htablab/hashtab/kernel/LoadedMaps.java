package io.htablab.hashtab.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.htablab.hashtab.htab.Errno;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The BPF maps loaded on this machine, by any process, read through bpf(2): the id walk
 * (BPF_MAP_GET_NEXT_ID), a read-only descriptor per map (BPF_MAP_GET_FD_BY_ID with BPF_F_RDONLY), its
 * {@code struct bpf_map_info}, its {@code /proc/self/fdinfo} memlock, and a BPF_MAP_GET_NEXT_KEY walk
 * to count entries.
 *
 * <p>Never throws for kernel refusals: where bpf() cannot be called or listing is not permitted (it needs
 * CAP_SYS_ADMIN), every query answers "nothing" ({@link #unavailableReason()} says why). Every
 * descriptor opened here is closed before the method returns. Safe to call from any thread.
 */
public final class LoadedMaps {

    /** The GET_NEXT_KEY walk stops after this many keys and reports "at least" this many. */
    public static final long DEFAULT_COUNT_CAP = 1_000_000;

    private static final int BPF_MAP_TYPE_STACK_TRACE = 7;
    private static final long ENOENT = Errno.ENOENT.code();

    /** bpf_map_info offsets. */
    private static final int INFO_TYPE = 0;
    private static final int INFO_ID = 4;
    private static final int INFO_KEY_SIZE = 8;
    private static final int INFO_VALUE_SIZE = 12;
    private static final int INFO_MAX_ENTRIES = 16;
    private static final int INFO_MAP_FLAGS = 20;
    private static final int INFO_NAME = 24;

    /**
     * The kernel's lower-case names of enum bpf_map_type, indexed by uapi value (as bpftool and the
     * {@code check} command spell them).
     */
    private static final List<String> TYPE_NAMES = List.of(
            "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array",
            "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps",
            "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash", "cgroup_storage",
            "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash",
            "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter", "user_ringbuf",
            "cgrp_storage", "arena");

    private static volatile Bpf bpf;
    private static volatile String unavailable;
    private static volatile boolean checked;

    private LoadedMaps() {
    }

    /**
     * One loaded map as {@code struct bpf_map_info} describes it.
     *
     * @param type     the uapi {@code enum bpf_map_type} value
     * @param typeName the kernel's lower-case name of that type, or null for a type newer than this table
     * @param name     up to 15 characters; "" for an unnamed map
     */
    public record LoadedMap(long id, String name, int type, String typeName, long keySize, long valueSize,
                            long maxEntries, int mapFlags) {

        /** The type's lower-case name, or its number when this table does not know it. */
        public String typeLabel() {
            return typeName != null ? typeName : Integer.toString(type);
        }
    }

    /**
     * How many keys a GET_NEXT_KEY walk saw.
     *
     * @param count  keys seen; -1 when the map could not be walked (see {@code reason})
     * @param exact  false when the walk stopped early (the cap, the time budget, or more keys than
     *               max_entries, which only a walk restarted by concurrent deletes can produce): then the
     *               map holds at least {@code count} entries
     * @param reason why the count is unknown or inexact; null for an exact count
     */
    public record EntryCount(long count, boolean exact, String reason) {

        static EntryCount unknown(String reason) {
            return new EntryCount(-1, false, reason);
        }

        public boolean known() {
            return count >= 0;
        }

        @Override
        public String toString() {
            if (!known()) {
                return "unknown (" + reason + ")";
            }
            return exact ? Long.toString(count) : "at least " + count;
        }
    }

    // ------------------------------------------------------------------ availability

    /**
     * Null when loaded maps can be listed here; otherwise a one-line reason (no bpf() on this system,
     * BPF_MAP_GET_NEXT_ID not permitted). Checked once per JVM.
     */
    public static String unavailableReason() {
        if (!checked) {
            synchronized (LoadedMaps.class) {
                if (!checked) {
                    unavailable = check();
                    checked = true;
                }
            }
        }
        return unavailable;
    }

    /** Listing needs only bpf() and the right to walk ids; creating maps or loading programs is not needed. */
    private static String check() {
        Bpf b;
        try {
            b = Bpf.open();
        } catch (BpfUnavailableException | LinkageError e) {
            return "cannot call bpf(): " + e.getMessage();
        }
        long r = b.mapGetNextId(0);
        if (r < 0 && r != -ENOENT) {
            int e = (int) -r;
            if (e == Errno.EPERM.code() || e == Errno.EACCES.code()) {
                return "listing BPF maps is not permitted (" + Errno.nameOf(e) + "): it needs root or CAP_SYS_ADMIN";
            }
            if (e == 38) {
                return "bpf() is not available in this kernel (ENOSYS)";
            }
            return "BPF_MAP_GET_NEXT_ID failed with " + Errno.nameOf(e);
        }
        bpf = b;
        return null;
    }

    private static Bpf bpfOrNull() {
        return unavailableReason() == null ? bpf : null;
    }

    // ------------------------------------------------------------------ queries

    /** Every map loaded on this machine, by ascending id; empty where listing is refused. */
    public static List<LoadedMap> list() {
        Bpf b = bpfOrNull();
        if (b == null) {
            return List.of();
        }
        List<LoadedMap> maps = new ArrayList<>();
        long id = 0;
        while (true) {
            long next = b.mapGetNextId(id);
            if (next < 0 || next <= id) {
                // -ENOENT past the last id; any other failure ends the walk with what was seen
                break;
            }
            id = next;
            // A map can go away between the two calls (GET_FD_BY_ID then says ENOENT): skip it.
            info(b, id).ifPresent(maps::add);
        }
        return Collections.unmodifiableList(maps);
    }

    /** The map with this id, if it is loaded (and listing is permitted). */
    public static Optional<LoadedMap> find(long id) {
        Bpf b = bpfOrNull();
        return b == null ? Optional.empty() : info(b, id);
    }

    private static Optional<LoadedMap> info(Bpf b, long id) {
        long fd = b.mapGetFdById(id, Bpf.BPF_F_RDONLY);
        if (fd < 0) {
            return Optional.empty();
        }
        try {
            return describe(b, (int) fd);
        } finally {
            Bpf.closeFd(fd);
        }
    }

    /** The map behind a descriptor this process holds (for example one a {@link KernelBackend} created). */
    public static Optional<LoadedMap> describe(int fd) {
        Bpf b = bpfOrNull();
        return b == null ? Optional.empty() : describe(b, fd);
    }

    private static Optional<LoadedMap> describe(Bpf b, int fd) {
        Memory info = Bpf.zeroed(Bpf.MAP_INFO_SIZE);
        if (b.objGetInfoByFd(fd, info) < 0) {
            return Optional.empty();
        }
        int type = info.getInt(INFO_TYPE);
        return Optional.of(new LoadedMap(
                Integer.toUnsignedLong(info.getInt(INFO_ID)),
                name(info.getByteArray(INFO_NAME, Bpf.BPF_OBJ_NAME_LEN)),
                type,
                typeName(type),
                Integer.toUnsignedLong(info.getInt(INFO_KEY_SIZE)),
                Integer.toUnsignedLong(info.getInt(INFO_VALUE_SIZE)),
                Integer.toUnsignedLong(info.getInt(INFO_MAX_ENTRIES)),
                info.getInt(INFO_MAP_FLAGS)));
    }

    /** The kernel's lower-case name of a uapi map type, or null when unknown. */
    public static String typeName(int uapiType) {
        return uapiType >= 0 && uapiType < TYPE_NAMES.size() ? TYPE_NAMES.get(uapiType) : null;
    }

    /** The name bytes up to the first NUL (the kernel always stores one within the 16 bytes). */
    static String name(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        // the kernel accepts only letters, digits, '_' and '.', so Latin-1 never mangles a name
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** {@link #countEntries(long, long, long)} with {@link #DEFAULT_COUNT_CAP} and no time limit. */
    public static EntryCount countEntries(long id) {
        return countEntries(id, DEFAULT_COUNT_CAP, 0);
    }

    /**
     * Counts the keys of map {@code id} by walking BPF_MAP_GET_NEXT_KEY on a read-only descriptor.
     *
     * <p>The walk is not atomic: keys added or deleted meanwhile may or may not be seen, and deleting the
     * key the walk stands on makes a hash map restart from its first bucket. The walk therefore never
     * takes more steps than {@code cap} or max_entries, whichever is smaller.
     *
     * @param cap            the most keys to walk; beyond it the count is reported as "at least"
     * @param budgetMillis   stop walking after this long (0: no limit), again reporting "at least"
     */
    public static EntryCount countEntries(long id, long cap, long budgetMillis) {
        Bpf b = bpfOrNull();
        if (b == null) {
            return EntryCount.unknown(unavailableReason());
        }
        long fd = b.mapGetFdById(id, Bpf.BPF_F_RDONLY);
        if (fd < 0) {
            return EntryCount.unknown("no map with id " + id + " (" + Errno.nameOf((int) -fd) + ")");
        }
        try {
            Optional<LoadedMap> m = describe(b, (int) fd);
            if (m.isEmpty()) {
                return EntryCount.unknown("BPF_OBJ_GET_INFO_BY_FD failed for map id " + id);
            }
            return walkKeys(b, (int) fd, m.get(), cap, budgetMillis);
        } finally {
            Bpf.closeFd(fd);
        }
    }

    private static EntryCount walkKeys(Bpf b, int fd, LoadedMap m, long cap, long budgetMillis) {
        if (m.keySize() == 0) {
            // queue, stack, bloom_filter, ring buffers: no keys to walk
            return EntryCount.unknown(m.typeLabel() + " maps have no keys to walk");
        }
        long limit = boundedByMaxEntries(m) ? Math.min(cap, m.maxEntries()) : cap;
        long deadline = budgetMillis > 0 ? System.nanoTime() + budgetMillis * 1_000_000L : 0;
        // Two key buffers used in turn, and one attr whose key/next_key pointers are swapped each step:
        // no allocation per key.
        Memory current = Bpf.zeroed(m.keySize());
        Memory next = Bpf.zeroed(m.keySize());
        Memory attr = Bpf.elemAttr(fd, null, next, 0);
        long count = 0;
        while (true) {
            long r = b.call(Bpf.BPF_MAP_GET_NEXT_KEY, attr);
            if (r == -ENOENT) {
                return new EntryCount(count, true, null);
            }
            if (r < 0) {
                if (count == 0) {
                    return EntryCount.unknown("BPF_MAP_GET_NEXT_KEY is refused for " + m.typeLabel()
                            + " maps (" + Errno.nameOf((int) -r) + ")");
                }
                return new EntryCount(count, false, "BPF_MAP_GET_NEXT_KEY failed after " + count + " keys ("
                        + Errno.nameOf((int) -r) + ")");
            }
            if (count == limit) {
                // one more key exists than the walk may take
                return new EntryCount(count, false, count == cap ? "stopped after " + cap + " keys"
                        : "the walk restarted (keys deleted meanwhile) and passed max_entries");
            }
            count++;
            if (deadline != 0 && System.nanoTime() - deadline > 0) {
                return new EntryCount(count, false, "stopped after " + budgetMillis + " ms");
            }
            Memory t = current;
            current = next;
            next = t;
            attr.setLong(8, Pointer.nativeValue(current));
            attr.setLong(16, Pointer.nativeValue(next));
        }
    }

    /**
     * Whether the map can never hold more than max_entries keys. Not so for stack_trace maps, which round
     * their bucket count up to a power of two and keep one trace per bucket.
     */
    private static boolean boundedByMaxEntries(LoadedMap m) {
        return m.maxEntries() > 0 && m.type() != BPF_MAP_TYPE_STACK_TRACE;
    }

    /**
     * The map's {@code memlock} as the kernel reports it in {@code /proc/self/fdinfo} of a descriptor
     * (htab_map_mem_usage and its kin since 6.4), or -1 when it cannot be read.
     */
    public static long memlock(long id) {
        Bpf b = bpfOrNull();
        if (b == null) {
            return -1;
        }
        long fd = b.mapGetFdById(id, Bpf.BPF_F_RDONLY);
        if (fd < 0) {
            return -1;
        }
        try {
            return memlockOfFd((int) fd);
        } finally {
            Bpf.closeFd(fd);
        }
    }

    /** The {@code memlock:} line of {@code /proc/self/fdinfo/<fd>}, or -1. */
    public static long memlockOfFd(int fd) {
        return fdinfoField(fd, "memlock");
    }

    /** A numeric {@code key:\tvalue} line of this process's fdinfo for {@code fd}, or -1. */
    public static long fdinfoField(int fd, String key) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/fdinfo", Integer.toString(fd)), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        String prefix = key + ":";
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                try {
                    return Long.parseLong(line.substring(prefix.length()).strip());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
