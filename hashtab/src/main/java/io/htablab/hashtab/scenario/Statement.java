package io.htablab.hashtab.scenario;

import io.htablab.hashtab.htab.HtabAttr;

import java.util.List;

/**
 * One parsed line of a {@code .hts} scenario. Byte strings are already decoded; whether their
 * lengths fit a map is checked when the statement runs, because that depends on the map.
 */
public sealed interface Statement {

    /** The statement's keyword as written in a scenario. */
    String keyword();

    /**
     * Whether only the engine can run it (an extension of the format the kernel has no counterpart
     * for, such as pausing a lock-free lookup between two chain steps).
     */
    default boolean isEngineOnly() {
        return false;
    }

    /** A user-space value: one part, or one part per possible CPU joined with '|'. */
    record ValueText(String source, List<byte[]> parts) {
    }

    record Cpus(int count) implements Statement {
        public String keyword() {
            return "cpus";
        }
    }

    record Cpu(long cpu) implements Statement {
        public String keyword() {
            return "cpu";
        }
    }

    /**
     * {@code innerMap}: the scenario map named by {@code inner=} (a hash_of_maps map's inner map template), or null;
     * its descriptor goes into {@code attr}'s inner_map_fd when the statement runs.
     */
    record Create(String map, HtabAttr attr, String innerMap) implements Statement {
        public Create(String map, HtabAttr attr) {
            this(map, attr, null);
        }

        public String keyword() {
            return "create";
        }
    }

    record Update(String map, String keySource, byte[] key, ValueText value, long flags) implements Statement {
        public String keyword() {
            return "update";
        }
    }

    record Lookup(String map, String keySource, byte[] key, long flags) implements Statement {
        public String keyword() {
            return "lookup";
        }
    }

    record Delete(String map, String keySource, byte[] key) implements Statement {
        public String keyword() {
            return "delete";
        }
    }

    record LookupAndDelete(String map, String keySource, byte[] key) implements Statement {
        public String keyword() {
            return "lookup_and_delete";
        }
    }

    /** {@code key == null} asks for the first key. */
    record NextKey(String map, String keySource, byte[] key) implements Statement {
        public String keyword() {
            return "next_key";
        }
    }

    record ProgLookup(String map, String keySource, byte[] key) implements Statement {
        public String keyword() {
            return "prog_lookup";
        }
    }

    record ProgUpdate(String map, String keySource, byte[] key, ValueText value, long flags) implements Statement {
        public String keyword() {
            return "prog_update";
        }
    }

    record ProgDelete(String map, String keySource, byte[] key) implements Statement {
        public String keyword() {
            return "prog_delete";
        }
    }

    /** Lookup batch, with or without delete; {@code cursor == null} starts at bucket 0. */
    record LookupBatch(String map, boolean andDelete, long count, byte[] cursor) implements Statement {
        public String keyword() {
            return andDelete ? "lookup_and_delete_batch" : "lookup_batch";
        }
    }

    record KeyValueText(String keySource, byte[] key, ValueText value) {
    }

    record UpdateBatch(String map, List<KeyValueText> items, long elemFlags) implements Statement {
        public String keyword() {
            return "update_batch";
        }
    }

    record KeyText(String source, byte[] key) {
    }

    record DeleteBatch(String map, List<KeyText> keys) implements Statement {
        public String keyword() {
            return "delete_batch";
        }
    }

    record Dump(String map) implements Statement {
        public String keyword() {
            return "dump";
        }
    }

    record Info(String map) implements Statement {
        public String keyword() {
            return "info";
        }
    }

    /**
     * Extension: {@code reader R M KEY} starts a lock-free lookup of KEY in M (a BPF program's lookup on the
     * current CPU) that advances only on {@code step R}, so writers can run between its steps.
     */
    record ReaderBegin(String reader, String map, String keySource, byte[] key) implements Statement {
        public String keyword() {
            return "reader";
        }

        @Override
        public boolean isEngineOnly() {
            return true;
        }
    }

    /** Extension: {@code step R [N]} advances reader R by N chain steps (default 1), one output line each. */
    record ReaderStep(String reader, int steps) implements Statement {
        public String keyword() {
            return "step";
        }

        @Override
        public boolean isEngineOnly() {
            return true;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Extensions: kernel profiles, maps of maps, nested programs, injected lock failures

    /** A value token {@code map:NAME}: the descriptor of scenario map NAME (the value of a hash_of_maps update). */
    String MAP_VALUE_PREFIX = "map:";

    /** Whether a value was written as {@code map:NAME} (it then has no byte parts). */
    static boolean isMapValue(ValueText v) {
        return v.parts().isEmpty() && v.source().startsWith(MAP_VALUE_PREFIX);
    }

    /** The NAME of a {@code map:NAME} value. */
    static String mapValueName(ValueText v) {
        return v.source().substring(MAP_VALUE_PREFIX.length());
    }

    /** Extension: {@code profile 6.18|6.14}, the kernel behaviour modelled; before the first create. */
    record Profile(String profile) implements Statement {
        public String keyword() {
            return "profile";
        }
    }

    /**
     * Extension: {@code prog_lookup O KEY inner=IKEY}: one program looks KEY up in map of maps O and then IKEY in the
     * inner map it got; prints the inner value (this CPU's slot for a per-CPU inner map) or {@code error ENOENT}
     * when either lookup misses.
     */
    record ProgLookupInner(String map, String keySource, byte[] key, String innerKeySource, byte[] innerKey)
            implements Statement {
        public String keyword() {
            return "prog_lookup";
        }
    }

    /**
     * Extension (engine only): {@code nested [at=FUNC] OUTER : INNER} runs the one-line map statement OUTER with
     * program INNER ({@code prog_update}, {@code prog_delete} or {@code prog_lookup}) attached to kernel function
     * FUNC ({@code lookup_elem_raw}, default, or {@code bpf_obj_free_fields}), as a tracing program would be: INNER
     * runs once, on the current CPU, the first time OUTER reaches FUNC, inside OUTER's critical section. Prints
     * OUTER's line, {@code nested}, and INNER's result ({@code -} when it never ran).
     */
    record Nested(String attachPoint, Statement outer, Statement inner) implements Statement {
        public String keyword() {
            return "nested";
        }

        @Override
        public boolean isEngineOnly() {
            return true;
        }
    }

    /**
     * Extension (engine only): {@code inject M lock|lru_lock|freelist_lock=N errno=E}: the N-th acquisition from now
     * of that kind of M's locks fails with E.
     */
    record Inject(String map, String lock, int nth, String errno) implements Statement {
        public String keyword() {
            return "inject";
        }

        @Override
        public boolean isEngineOnly() {
            return true;
        }
    }
}
