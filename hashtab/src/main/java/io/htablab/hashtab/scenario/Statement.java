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

    /**
     * A user-space value: one part, or one part per possible CPU joined with '|'. A part written field by field
     * ({@code {.a=1}}) is null in {@code parts}: its bytes depend on the map's BTF value type, so the interpreter
     * encodes it from {@code texts} when the statement runs.
     */
    record ValueText(String source, List<byte[]> parts, List<String> texts) {
        public ValueText(String source, List<byte[]> parts) {
            this(source, parts, null);
        }
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
     * {@code create}; with the extension's {@code btf_key=}/{@code btf_value=} the C type names (spaces as ':'), and
     * whether {@code key=}/{@code value=} were written (when not, they default to the types' sizes and
     * {@code attr} holds 0 there until the statement runs). {@code innerMap}: the scenario map named by
     * {@code inner=} (a hash_of_maps map's inner map template), or null; its descriptor goes into {@code attr}'s
     * inner_map_fd when the statement runs.
     */
    record Create(String map, HtabAttr attr, String btfKey, String btfValue, boolean keyGiven, boolean valueGiven,
                  String innerMap) implements Statement {
        public Create(String map, HtabAttr attr) {
            this(map, attr, null, null, true, true, null);
        }

        public Create(String map, HtabAttr attr, String innerMap) {
            this(map, attr, null, null, true, true, innerMap);
        }

        public Create(String map, HtabAttr attr, String btfKey, String btfValue, boolean keyGiven,
                      boolean valueGiven) {
            this(map, attr, btfKey, btfValue, keyGiven, valueGiven, null);
        }

        public String keyword() {
            return "create";
        }

        /** Whether the map is created with BTF types. */
        public boolean hasBtf() {
            return btfKey != null || btfValue != null;
        }
    }

    /** Extension: {@code ctype DECL}: C declarations added to the scenario's translation unit. */
    record Ctype(String code) implements Statement {
        public String keyword() {
            return "ctype";
        }
    }

    /** Extension: {@code cinclude PATH}: a C file read into the scenario's translation unit. */
    record Cinclude(String path) implements Statement {
        public String keyword() {
            return "cinclude";
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

    /** {@code flags} is BPF_F_LOCK for the extension's {@code lookup_and_delete M KEY lock}. */
    record LookupAndDelete(String map, String keySource, byte[] key, long flags) implements Statement {
        public LookupAndDelete(String map, String keySource, byte[] key) {
            this(map, keySource, key, 0);
        }

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
    record LookupBatch(String map, boolean andDelete, long count, byte[] cursor, long elemFlags) implements Statement {
        public LookupBatch(String map, boolean andDelete, long count, byte[] cursor) {
            this(map, andDelete, count, cursor, 0);
        }

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

    // Timers, workqueues, the virtual clock and close (docs/scenario-extensions.md)

    /** One operation of a callback action; {@code map == null} in update/delete means "self": the own element. */
    sealed interface ActionOp {
        /** Adds 1 to the u64 at offset 0 of MAP's value at KEY (nothing when KEY is absent). */
        record Count(String map, String keySource, byte[] key) implements ActionOp {
        }

        /** bpf_map_update_elem(MAP, KEY, VALUE, F); {@code map == null}: the callback's own map and key. */
        record Update(String map, String keySource, byte[] key, ValueText value, long flags) implements ActionOp {
        }

        /** bpf_map_delete_elem(MAP, KEY); {@code map == null}: the callback's own element. */
        record Delete(String map, String keySource, byte[] key) implements ActionOp {
        }

        /** bpf_timer_start on the callback's own timer (timer callbacks only). */
        record Restart(long nsecs, long flags) implements ActionOp {
        }

        /**
         * bpf_timer_cancel on the callback's own timer (EDEADLK), the result stored as an i64 at offset 0 of MAP's
         * value at KEY (timer callbacks only).
         */
        record Cancel(String map, String keySource, byte[] key) implements ActionOp {
        }

        record None() implements ActionOp {
        }
    }

    /** {@code action A OP ARGS... [; OP ARGS...]}: a callback's body, named for timer_set_callback/wq_set_callback. */
    record Action(String name, List<ActionOp> ops) implements Statement {
        public String keyword() {
            return "action";
        }
    }

    /** {@code timer_init M KEY [field=F] [clock=C]}; {@code flags} is bpf_timer_init's flags (the clockid). */
    record TimerInit(String map, String keySource, byte[] key, String field, long flags) implements Statement {
        public String keyword() {
            return "timer_init";
        }
    }

    record TimerSetCallback(String map, String keySource, byte[] key, String action, String field)
            implements Statement {
        public String keyword() {
            return "timer_set_callback";
        }
    }

    /** {@code timer_start M KEY NSECS [abs] [pinned] [flags=N] [field=F]}. */
    record TimerStart(String map, String keySource, byte[] key, long nsecs, long flags, String field)
            implements Statement {
        public String keyword() {
            return "timer_start";
        }
    }

    record TimerCancel(String map, String keySource, byte[] key, String field) implements Statement {
        public String keyword() {
            return "timer_cancel";
        }
    }

    record WqInit(String map, String keySource, byte[] key, String field, long flags) implements Statement {
        public String keyword() {
            return "wq_init";
        }
    }

    record WqSetCallback(String map, String keySource, byte[] key, String action, String field, long flags)
            implements Statement {
        public String keyword() {
            return "wq_set_callback";
        }
    }

    record WqStart(String map, String keySource, byte[] key, String field, long flags) implements Statement {
        public String keyword() {
            return "wq_start";
        }
    }

    /** {@code advance NSECS}: the virtual clock moves on (the kernel harness sleeps). */
    record Advance(long nsecs) implements Statement {
        public String keyword() {
            return "advance";
        }
    }

    /** {@code close M}: the map's descriptor is closed; programs keep the map. */
    record Close(String map) implements Statement {
        public String keyword() {
            return "close";
        }
    }
}
