package io.htablab.lsp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The uapi map types and map-creation flags with a one-line description each, for hover and completion.
 * Values are those of {@code enum bpf_map_type} and the {@code BPF_F_*} create flags in linux/bpf.h.
 */
public final class BpfConstants {

    /** A named constant with its numeric value and a plain description. */
    public record Constant(String name, long value, String description) {
    }

    public static final Map<String, Constant> MAP_TYPES = new LinkedHashMap<>();
    public static final Map<String, Constant> MAP_FLAGS = new LinkedHashMap<>();

    static {
        mapType("UNSPEC", 0, "not a map type; the kernel rejects it with EINVAL");
        mapType("HASH", 1, "hash table: keys are hashed into buckets; a new key on a full map fails with E2BIG");
        mapType("ARRAY", 2, "array indexed by a u32 key; every element exists from creation and is zeroed; no delete");
        mapType("PROG_ARRAY", 3, "array of BPF program fds for tail calls");
        mapType("PERF_EVENT_ARRAY", 4, "per-CPU perf ring buffers for bpf_perf_event_output");
        mapType("PERCPU_HASH", 5, "hash table with one value slot per possible CPU");
        mapType("PERCPU_ARRAY", 6, "array with one value slot per possible CPU");
        mapType("STACK_TRACE", 7, "stack traces collected by bpf_get_stackid");
        mapType("CGROUP_ARRAY", 8, "array of cgroup fds");
        mapType("LRU_HASH", 9, "hash table that evicts the least recently used elements when it needs room");
        mapType("LRU_PERCPU_HASH", 10, "LRU hash table with one value slot per possible CPU");
        mapType("LPM_TRIE", 11, "longest-prefix-match trie (e.g. IP prefixes)");
        mapType("ARRAY_OF_MAPS", 12, "array whose values are inner maps");
        mapType("HASH_OF_MAPS", 13, "hash table whose values are inner maps");
        mapType("DEVMAP", 14, "array of network devices for XDP redirect");
        mapType("SOCKMAP", 15, "array of sockets for redirection");
        mapType("CPUMAP", 16, "array of CPUs for XDP redirect");
        mapType("XSKMAP", 17, "array of AF_XDP sockets");
        mapType("SOCKHASH", 18, "hash table of sockets for redirection");
        mapType("CGROUP_STORAGE", 19, "per-cgroup local storage (legacy)");
        mapType("REUSEPORT_SOCKARRAY", 20, "array of sockets for SO_REUSEPORT selection");
        mapType("PERCPU_CGROUP_STORAGE", 21, "per-CPU per-cgroup local storage (legacy)");
        mapType("QUEUE", 22, "FIFO queue (no key)");
        mapType("STACK", 23, "LIFO stack (no key)");
        mapType("SK_STORAGE", 24, "socket-local storage");
        mapType("DEVMAP_HASH", 25, "hash table of network devices for XDP redirect");
        mapType("STRUCT_OPS", 26, "kernel struct_ops implementation");
        mapType("RINGBUF", 27, "multi-producer ring buffer shared with user space");
        mapType("INODE_STORAGE", 28, "inode-local storage");
        mapType("TASK_STORAGE", 29, "task-local storage");
        mapType("BLOOM_FILTER", 30, "Bloom filter (no key)");
        mapType("USER_RINGBUF", 31, "ring buffer written by user space");
        mapType("CGRP_STORAGE", 32, "cgroup-local storage");
        mapType("ARENA", 33, "memory arena shared between BPF programs and user space");

        flag("BPF_F_NO_PREALLOC", 0x1, "allocate elements on update instead of all at creation (hash maps; not allowed for LRU maps)");
        flag("BPF_F_NO_COMMON_LRU", 0x2, "give every CPU its own LRU list instead of one shared list (LRU maps only)");
        flag("BPF_F_NUMA_NODE", 0x4, "allocate on the NUMA node given in numa_node");
        flag("BPF_F_RDONLY", 0x8, "the returned fd may only read the map from user space");
        flag("BPF_F_WRONLY", 0x10, "the returned fd may only write the map from user space");
        flag("BPF_F_STACK_BUILD_ID", 0x20, "stack trace maps store build ids instead of addresses");
        flag("BPF_F_ZERO_SEED", 0x40, "hash with seed 0 instead of a random one (needs CAP_SYS_ADMIN; for tests)");
        flag("BPF_F_RDONLY_PROG", 0x80, "BPF programs may only read the map");
        flag("BPF_F_WRONLY_PROG", 0x100, "BPF programs may only write the map");
        flag("BPF_F_CLONE", 0x200, "clone the map with the socket (sk_storage)");
        flag("BPF_F_MMAPABLE", 0x400, "allow mmap() of the map (arrays, arenas)");
        flag("BPF_F_PRESERVE_ELEMS", 0x800, "keep perf event array entries when the fd that created them closes");
        flag("BPF_F_INNER_MAP", 0x1000, "inner array map whose max_entries may differ between instances");
        flag("BPF_F_LINK", 0x2000, "struct_ops map attached through a BPF link");
        flag("BPF_F_PATH_FD", 0x4000, "pinned object path is relative to path_fd");
        flag("BPF_F_VTYPE_BTF_OBJ_FD", 0x8000, "value type BTF comes from the object fd");
        flag("BPF_F_TOKEN_FD", 0x10000, "the map is created with a BPF token");
    }

    private BpfConstants() {
    }

    private static void mapType(String suffix, long value, String description) {
        String name = "BPF_MAP_TYPE_" + suffix;
        MAP_TYPES.put(name, new Constant(name, value, description));
    }

    private static void flag(String name, long value, String description) {
        MAP_FLAGS.put(name, new Constant(name, value, description));
    }

    /** The kernel's lower-case name (hash, lru_percpu_hash, ...) of a map type number, or null. */
    public static String kernelName(long mapType) {
        for (Constant c : MAP_TYPES.values()) {
            if (c.value() == mapType) {
                return c.name().substring("BPF_MAP_TYPE_".length()).toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** The constant named {@code name} among map types and flags, or null. */
    public static Constant lookup(String name) {
        Constant c = MAP_TYPES.get(name);
        return c != null ? c : MAP_FLAGS.get(name);
    }

    /** The BPF_F_* names of the bits in {@code flags}, joined by " | ", or "none". */
    public static String describeFlags(long flags) {
        StringBuilder sb = new StringBuilder();
        long rest = flags;
        for (Constant c : MAP_FLAGS.values()) {
            if ((flags & c.value()) != 0) {
                if (sb.length() > 0) {
                    sb.append(" | ");
                }
                sb.append(c.name());
                rest &= ~c.value();
            }
        }
        if (rest != 0) {
            if (sb.length() > 0) {
                sb.append(" | ");
            }
            sb.append(String.format("0x%x", rest));
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
