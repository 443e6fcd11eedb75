package io.htablab.lsp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The map helpers whose call sites the language server checks, with where their map, key and value arguments
 * are, and which map types the verifier lets them use (check_map_func_compatibility in kernel/bpf/verifier.c,
 * 6.18). All of them take {@code void *} arguments, so clang cannot check the key or value against the map.
 */
final class MapHelpers {

    /** Whether the helper reads the value argument (update, push), writes it (pop, peek), or has none. */
    enum ValueFlow { NONE, IN, OUT }

    /**
     * One helper.
     *
     * @param name         the C name (a BPF helper, or a libbpf-style wrapper taking the same arguments)
     * @param keyArg       index of the key pointer, -1 when the helper takes no key
     * @param valueArg     index of the value pointer, -1 when none
     * @param valueFlow    what the helper does with the value argument
     * @param returnsValue whether it returns a pointer to the map's value (or NULL)
     * @param doc          one sentence for the hover
     */
    record Helper(String name, int keyArg, int valueArg, ValueFlow valueFlow, boolean returnsValue, String doc) {
        int mapArg() {
            return 0;
        }

        /** The key and value arguments are read only: passing a key's address here does not initialise it. */
        boolean readsOnly(int argIndex) {
            return argIndex == keyArg || argIndex == valueArg && valueFlow == ValueFlow.IN;
        }
    }

    private static final Map<String, Helper> HELPERS = new LinkedHashMap<>();

    static {
        add(new Helper("bpf_map_lookup_elem", 1, -1, ValueFlow.NONE, true,
                "looks the key up; returns a pointer to the element's value (this CPU's slot in a per-CPU map) or NULL"));
        add(new Helper("bpf_map_update_elem", 1, 2, ValueFlow.IN, false,
                "creates or replaces the element for the key with a copy of value_size bytes from the value pointer"
                        + " (flags BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK)"));
        add(new Helper("bpf_map_delete_elem", 1, -1, ValueFlow.NONE, false,
                "deletes the element for the key; returns -ENOENT when there is none"));
        add(new Helper("bpf_map_lookup_percpu_elem", 1, -1, ValueFlow.NONE, true,
                "looks the key up and returns a pointer to the value slot of the given CPU, or NULL"));
        add(new Helper("bpf_map_push_elem", -1, 1, ValueFlow.IN, false,
                "pushes a copy of value_size bytes onto a queue, stack or Bloom filter"));
        add(new Helper("bpf_map_pop_elem", -1, 1, ValueFlow.OUT, false,
                "removes the head of a queue or top of a stack and copies its value_size bytes to the value pointer"));
        add(new Helper("bpf_map_peek_elem", -1, 1, ValueFlow.OUT, false,
                "copies the head of a queue or top of a stack (or tests a Bloom filter) without removing it"));
        add(new Helper("bpf_map_lookup_and_delete_elem", 1, 2, ValueFlow.OUT, false,
                "copies the element's value to the value pointer and deletes the element (the syscall command)"));
        add(new Helper("bpf_map_lookup_or_try_init", 1, 2, ValueFlow.IN, true,
                "looks the key up and, when it is absent, inserts the initial value (BPF_NOEXIST) and looks it up"
                        + " again (libbpf-tools' maps.bpf.h)"));
    }

    private static void add(Helper h) {
        HELPERS.put(h.name(), h);
    }

    private MapHelpers() {
    }

    /** The helper of this name, or null. */
    static Helper of(String name) {
        return name == null ? null : HELPERS.get(name);
    }

    /** Map types whose programs may use only their own helpers, none of the generic element helpers. */
    private static final Set<String> NO_ELEMENT_HELPERS = Set.of("ringbuf", "user_ringbuf", "perf_event_array",
            "stack_trace", "prog_array", "cgroup_array", "cpumap", "sk_storage", "inode_storage", "task_storage",
            "cgrp_storage", "struct_ops", "reuseport_sockarray", "arena");

    /**
     * Why the verifier refuses this helper on this map type (check_map_func_compatibility), or null when it lets
     * it through (or the pair is not one this table knows). {@code kernelName} is the map type's short name.
     */
    static String incompatibility(Helper h, String kernelName) {
        if (kernelName == null) {
            return null;
        }
        String n = h.name();
        boolean queueLike = kernelName.equals("queue") || kernelName.equals("stack");
        switch (n) {
            case "bpf_map_push_elem", "bpf_map_peek_elem" -> {
                if (!queueLike && !kernelName.equals("bloom_filter")) {
                    return n + " works only on queue, stack and Bloom filter maps";
                }
                return null;
            }
            case "bpf_map_pop_elem" -> {
                return queueLike ? null : n + " works only on queue and stack maps";
            }
            case "bpf_map_lookup_percpu_elem" -> {
                return kernelName.equals("percpu_hash") || kernelName.equals("percpu_array")
                        || kernelName.equals("lru_percpu_hash") ? null
                        : n + " works only on percpu_hash, percpu_array and lru_percpu_hash maps";
            }
            case "bpf_map_lookup_and_delete_elem" -> {
                return null; // a syscall command (libbpf's user-space wrapper), not a program helper
            }
            default -> {
            }
        }
        if (queueLike) {
            return kernelName + " maps take only bpf_map_push_elem, bpf_map_pop_elem and bpf_map_peek_elem";
        }
        if (kernelName.equals("bloom_filter")) {
            return "Bloom filter maps take only bpf_map_push_elem and bpf_map_peek_elem";
        }
        if (kernelName.equals("array_of_maps") || kernelName.equals("hash_of_maps")) {
            return n.equals("bpf_map_lookup_elem") ? null
                    : "programs may only look up " + kernelName + " maps (bpf_map_lookup_elem); updates come from"
                    + " user space";
        }
        if (NO_ELEMENT_HELPERS.contains(kernelName)) {
            return kernelName + " maps are used through their own helpers; the generic element helpers are refused";
        }
        return null;
    }
}
