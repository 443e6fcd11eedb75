package io.htablab.hashtab.scenario;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapType;

import java.util.List;

/**
 * What a scenario needs from "a kernel": the bpf() commands and the three program helpers, in the
 * kernel's terms (raw user buffers, errno results). The engine and the live kernel both implement
 * it, so one {@link Interpreter} prints both outputs and they can be compared line by line.
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
    }

    record Created(Errno errno, MapHandle map) {
    }

    record ValueReply(Errno errno, byte[] value) {
    }

    record KeyReply(Errno errno, byte[] key) {
    }

    /**
     * The outcome of a batch command.
     *
     * @param errno  the command's result
     * @param count  the attr's {@code count} as the kernel left it
     * @param out    the out_batch cursor when the kernel wrote it, else null
     * @param keys   the returned keys (lookup batches), possibly empty
     * @param values the returned user-space values, parallel to {@code keys}
     */
    record BatchReply(Errno errno, long count, byte[] out, List<byte[]> keys, List<byte[]> values) {
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

    /** Releases a map (a re-created name, or the end of the run). */
    void close(MapHandle map);

    ValueReply lookup(MapHandle map, byte[] key, long flags);

    Errno update(MapHandle map, byte[] key, byte[] value, long flags);

    Errno delete(MapHandle map, byte[] key);

    ValueReply lookupAndDelete(MapHandle map, byte[] key, long flags);

    /** {@code key == null} asks for the first key. */
    KeyReply getNextKey(MapHandle map, byte[] key);

    /** {@code in == null} means no in_batch pointer; {@code count} is the attr's u32 count. */
    BatchReply lookupBatch(MapHandle map, boolean andDelete, byte[] in, long count, long elemFlags);

    BatchReply updateBatch(MapHandle map, List<byte[]> keys, List<byte[]> values, long elemFlags);

    BatchReply deleteBatch(MapHandle map, List<byte[]> keys, long elemFlags);

    InfoReply info(MapHandle map);

    /** bpf_map_lookup_elem() from a program on the current CPU; the value is {@code valueSize} bytes. */
    ValueReply progLookup(MapHandle map, byte[] key);

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

    @Override
    void close();
}
