package io.htablab.hashtab.scenario;

import io.htablab.hashtab.cfront.btf.MapBtfs;
import io.htablab.hashtab.htab.BatchResult;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.KeyResult;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.ValueResult;
import io.htablab.hashtab.htab.fields.HelperResult;

import java.util.List;

/**
 * What a scenario needs from "a kernel": the bpf() commands and the three program helpers, in the
 * kernel's terms (raw user buffers, errno results). The engine and the live kernel both implement
 * it, so one {@link Interpreter} prints both outputs and they can be compared line by line.
 *
 * <p>Results are the engine's own result records ({@link ValueResult}, {@link KeyResult}, {@link BatchResult});
 * a batch result's {@code count} is the attr's count as the kernel left it and its {@code outBatch} is null
 * when the kernel did not write the cursor.
 *
 * <p>Buffers follow the syscall ABI: a user-space value of a per-CPU map is
 * {@code possibleCpus * round8(valueSize)} bytes; a program value is {@code valueSize} bytes.
 */
public interface Backend extends AutoCloseable {

    /** A map created by {@link #create}; opaque to the interpreter. */
    interface MapHandle {
        MapType type();

        int keySize();

        int valueSize();

        /** The map's id (bpf_map_info.id), which a map of maps' lookups return; -1 when unknown. */
        default int id() {
            return -1;
        }
    }

    record Created(Errno errno, MapHandle map) {
    }

    record InfoReply(Errno errno, MapType type, long keySize, long valueSize, long maxEntries, int mapFlags) {
    }

    /** Human name of this backend for messages ("engine", "kernel"). */
    String name();

    /** The number of possible CPUs maps are created with. */
    int possibleCpus();

    /**
     * The scenario's {@code cpus N}.
     *
     * @throws ScenarioException when this backend cannot have N possible CPUs (the statement prints EINVAL)
     * @throws CpusMismatchException when the whole scenario cannot run here (the live kernel has another count)
     */
    void setPossibleCpus(long count) throws ScenarioException, CpusMismatchException;

    /** The scenario's {@code cpu N}: later operations run on that CPU. */
    Errno selectCpu(int cpu);

    Created create(String name, HtabAttr attr);

    /**
     * BPF_MAP_CREATE of a map whose key and value have BTF: {@code btf.blob()} is what BPF_BTF_LOAD receives and
     * {@code attr.btf()} what the engine learns from it ({@code btf_key_type_id}/{@code btf_value_type_id} are in
     * {@code btf}). A backend that models BTF only through {@code attr.btf()} (the engine) needs nothing else.
     */
    default Created create(String name, HtabAttr attr, MapBtfs.Encoded btf) {
        return create(name, attr);
    }

    /** Releases a map (a re-created name, or the end of the run). */
    void close(MapHandle map);

    ValueResult lookup(MapHandle map, byte[] key, long flags);

    Errno update(MapHandle map, byte[] key, byte[] value, long flags);

    Errno delete(MapHandle map, byte[] key);

    ValueResult lookupAndDelete(MapHandle map, byte[] key, long flags);

    /** {@code key == null} asks for the first key. */
    KeyResult getNextKey(MapHandle map, byte[] key);

    /** {@code in == null} means no in_batch pointer; {@code count} is the attr's u32 count. */
    BatchResult lookupBatch(MapHandle map, boolean andDelete, byte[] in, long count, long elemFlags);

    BatchResult updateBatch(MapHandle map, List<byte[]> keys, List<byte[]> values, long elemFlags);

    BatchResult deleteBatch(MapHandle map, List<byte[]> keys, long elemFlags);

    InfoReply info(MapHandle map);

    /** bpf_map_lookup_elem() from a program on the current CPU; the value is {@code valueSize} bytes. */
    ValueResult progLookup(MapHandle map, byte[] key);

    Errno progUpdate(MapHandle map, byte[] key, byte[] value, long flags);

    Errno progDelete(MapHandle map, byte[] key);

    /** A paused lock-free lookup (the {@code reader} extension). */
    interface Reader {
        /** Performs one chain step and describes it as one output line. */
        String step();
    }

    /**
     * Starts a lock-free lookup that advances one chain step at a time (engine only).
     *
     * @throws ScenarioException when this backend cannot pause a lookup (the kernel cannot)
     */
    default Reader beginReader(MapHandle map, byte[] key) throws ScenarioException {
        throw new ScenarioException("'reader' is an engine-only statement: " + name() + " cannot pause a lookup");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers, workqueues, the clock, close (each timer/wq statement is a program on the current CPU that looks the
    // key up and calls the helper on the value's field; ENOENT when the key is absent)

    /** A callback's body with its maps resolved (the kernel harness assembles it into a subprogram). */
    record Callback(String name, List<CallbackOp> ops) {
    }

    /** One operation of a callback; a null map in Update/Delete stands for the callback's own map and key. */
    sealed interface CallbackOp {
        record Count(MapHandle map, byte[] key) implements CallbackOp {
        }

        record Update(MapHandle map, byte[] key, byte[] value, long flags) implements CallbackOp {
        }

        record Delete(MapHandle map, byte[] key) implements CallbackOp {
        }

        record Restart(long nsecs, long flags) implements CallbackOp {
        }

        record Cancel(MapHandle map, byte[] key) implements CallbackOp {
        }
    }

    private ScenarioException noTimers() {
        return new ScenarioException(name() + " has no timers or workqueues");
    }

    default HelperResult timerInit(MapHandle map, byte[] key, String field, long flags) throws ScenarioException {
        throw noTimers();
    }

    default HelperResult timerSetCallback(MapHandle map, byte[] key, String field, Callback callback)
            throws ScenarioException {
        throw noTimers();
    }

    default HelperResult timerStart(MapHandle map, byte[] key, String field, long nsecs, long flags)
            throws ScenarioException {
        throw noTimers();
    }

    default HelperResult timerCancel(MapHandle map, byte[] key, String field) throws ScenarioException {
        throw noTimers();
    }

    default HelperResult wqInit(MapHandle map, byte[] key, String field, long flags) throws ScenarioException {
        throw noTimers();
    }

    default HelperResult wqSetCallback(MapHandle map, byte[] key, String field, Callback callback, long flags)
            throws ScenarioException {
        throw noTimers();
    }

    default HelperResult wqStart(MapHandle map, byte[] key, String field, long flags) throws ScenarioException {
        throw noTimers();
    }

    /** Lets {@code nsecs} of (virtual or real) time pass: due timers fire, started work items run. */
    default void advance(long nsecs) throws ScenarioException {
        throw noTimers();
    }

    /**
     * Closes the map's descriptor (the last user reference): its timers and work items are released, programs
     * keep the map. Later syscall statements on it print EBADF without reaching the backend.
     */
    default Errno closeFd(MapHandle map) throws ScenarioException {
        throw noTimers();
    }

    @Override
    void close();

    // ---------------------------------------------------------------------------------------------------------
    // Extensions: kernel profiles, maps of maps, nested programs, injected lock failures

    /**
     * The scenario's {@code profile P}, before any map is created.
     *
     * @throws ScenarioException when this backend cannot model P at all
     * @throws CpusMismatchException when the whole scenario cannot run here (the live kernel is another version)
     */
    default void setProfile(KernelProfile profile) throws ScenarioException, CpusMismatchException {
        if (profile != KernelProfile.defaultProfile()) {
            throw new ScenarioException(name() + " models only kernel " + KernelProfile.defaultProfile());
        }
    }

    /** The descriptor that names {@code map} (inner_map_fd, and a map of maps' update value). */
    default int descriptor(MapHandle map) throws ScenarioException {
        throw new ScenarioException(name() + " has no descriptors for maps of maps");
    }

    /**
     * One program: bpf_map_lookup_elem(outer, key), then bpf_map_lookup_elem(inner, innerKey) in the inner map it
     * returned; the inner value (value_size bytes of the template, this CPU's slot of a per-CPU one), or ENOENT.
     */
    default ValueResult progLookupInner(MapHandle outer, byte[] key, byte[] innerKey) throws ScenarioException {
        throw new ScenarioException(name() + " cannot look up through a map of maps");
    }

    /** What a nested program does: one helper call on a map. */
    record NestedCall(String helper, MapHandle map, byte[] key, byte[] value, long flags) {
    }

    /** An armed nested program. */
    interface NestedRun {
        /** What its helper returned, or null when it never ran. */
        ValueResult result();

        /** Detach it if it has not run. */
        void disarm();
    }

    /**
     * Arms {@code call} to run once on the current CPU the next time a map operation reaches kernel function
     * {@code attachPoint} (the {@code nested} extension).
     *
     * @throws ScenarioException when this backend cannot attach programs inside map operations
     */
    default NestedRun armNested(String attachPoint, NestedCall call) throws ScenarioException {
        throw new ScenarioException("'nested' is an engine-only statement: " + name()
                + " cannot run a program inside a map operation");
    }

    /** The {@code inject} extension: the {@code nth} acquisition of {@code lock} locks of {@code map} fails. */
    default void injectLockFailure(MapHandle map, String lock, int nth, Errno errno) throws ScenarioException {
        throw new ScenarioException("'inject' is an engine-only statement: " + name() + " cannot make its locks fail");
    }
}
