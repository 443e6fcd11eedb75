package io.htablab.hashtab.htab.event;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.MapType;

/** Map lifecycle and operation boundaries, element allocation, counters and value copies. Owned by the htab package. */
public sealed interface MapEvent extends HtabEvent {

    /** The operations a map performs, syscall side first, then the program side. */
    enum Op {
        LOOKUP, UPDATE, DELETE, LOOKUP_AND_DELETE, GET_NEXT_KEY,
        LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH, DELETE_BATCH,
        PROG_LOOKUP, PROG_UPDATE, PROG_DELETE
    }

    /**
     * The map exists: every number a view needs to lay out buckets, elements and per-CPU slots.
     *
     * @param maxEntries   effective max_entries (after NO_COMMON_LRU rounding)
     * @param elemSize     the kernel's element size (header + round8(key) + value or per-CPU pointer)
     * @param numEntries   preallocated elements (max_entries plus one extra per CPU for HASH); 0 when not preallocated
     * @param valueStride  bytes of value storage per element in the engine (round8(value) or P*round8(value))
     * @param mapFlags     stored flags (RDONLY/WRONLY removed)
     * @param name         the map's name ("" when it has none)
     */
    record MapCreated(int mapId, String name, MapType type, int keySize, int valueSize, long maxEntries,
                      int nBuckets, long elemSize, long numEntries, int hashrnd, int possibleCpus, int mapFlags,
                      boolean prealloc, int valueStride) implements MapEvent {
    }

    /** An operation begins on {@code cpu}; {@code key} is null when the operation has none (first next_key, batches). */
    record OpStarted(int mapId, Op op, int cpu, byte[] key) implements MapEvent {
    }

    /** The operation ended with {@code result}. */
    record OpFinished(int mapId, Op op, int cpu, byte[] key, Errno result) implements MapEvent {
    }

    /** The live-element count changed (inc/dec_elem_count, bpf_map_inc/dec_elem_count). */
    record CounterChanged(int mapId, int count) implements MapEvent {
    }

    /** A non-preallocated map created element {@code elem} (its index in the engine's store). */
    record ElemAllocated(int mapId, int elem) implements MapEvent {
    }

    /** A non-preallocated map released element {@code elem}. */
    record ElemFreed(int mapId, int elem) implements MapEvent {
    }

    /**
     * Bytes were written into element {@code elem}'s value storage at byte {@code offset} of its area.
     *
     * @param cpuSlot the per-CPU slot written, or -1 when the write covers the non-per-CPU value or all slots
     * @param bytes   exactly the bytes now stored at [offset, offset+bytes.length)
     */
    record ValueCopied(int mapId, int elem, int cpuSlot, int offset, byte[] bytes) implements MapEvent {
    }

    /** An operation failed: the errno and a short reason in kernel terms. */
    record Error(int mapId, Errno errno, String reason) implements MapEvent {
    }

    // Kernel profile, nested programs, map-of-maps references (htab package: KernelProfile, BpfRuntime, MapInMap).

    /** The map behaves like kernel {@code profile} ({@code 6.18}, {@code 6.14}); emitted right after MapCreated. */
    record ProfileApplied(int mapId, String profile) implements MapEvent {
    }

    /**
     * A program armed at attach point {@code attachPoint} fired on {@code cpu} inside an operation of this map (as a
     * tracing program attached to that kernel function would); {@code program} describes what it does. Its own
     * operation's events follow, under the map it touches, until {@link NestedProgramReturned}.
     */
    record NestedProgramFired(int mapId, int cpu, String attachPoint, String program) implements MapEvent {
    }

    /** The nested program on {@code cpu} returned {@code result} (its helper's result line: ok, error NAME, value HEX). */
    record NestedProgramReturned(int mapId, int cpu, String result) implements MapEvent {
    }

    /** Element {@code elem} of this map of maps now holds a reference to inner map {@code innerMapId}. */
    record InnerMapStored(int mapId, int elem, int innerMapId) implements MapEvent {
    }

    /** Element {@code elem} of this map of maps dropped its reference to inner map {@code innerMapId}. */
    record InnerMapReleased(int mapId, int elem, int innerMapId) implements MapEvent {
    }

    /**
     * The map's references changed: {@code outerRefs} elements of maps of maps hold it, {@code userRef} tells whether
     * user space still holds its descriptor, {@code progRefs} loaded programs use it. With none left the map is freed
     * ({@link MapFreed}).
     */
    record MapRefsChanged(int mapId, int outerRefs, boolean userRef, int progRefs) implements MapEvent {
    }

    /** The map was freed (its id no longer names a map). */
    record MapFreed(int mapId) implements MapEvent {
    }

    /** The {@code nth} acquisition from now of this map's {@code lock} locks will fail with {@code errno}. */
    record LockFailureInjected(int mapId, String lock, int nth, Errno errno) implements MapEvent {
    }
}
