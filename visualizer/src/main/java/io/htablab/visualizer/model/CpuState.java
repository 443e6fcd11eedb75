package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.event.MapEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * What one CPU is doing, folded from the events: the map operations running on it (a nested program's on top
 * of the one it interrupted), the bucket locks it holds in the order it took them (of any map), and the last
 * acquisition that failed. Immutable; every change returns a new state.
 *
 * @param frames  running operations, outermost first
 * @param holds   bucket locks held, first taken first
 * @param failure the last failed bucket-lock acquisition of a running operation, or null
 */
public record CpuState(List<Frame> frames, List<LockHold> holds, LockFailure failure) {

    public static final CpuState IDLE = new CpuState(List.of(), List.of(), null);

    /** Nesting deeper than this means the stream lost an OpFinished; the oldest frame is dropped. */
    static final int MAX_DEPTH = 16;

    /** An operation running on the CPU. */
    public record Frame(int mapId, MapEvent.Op op, byte[] key) {
    }

    /** Bucket {@code bucket} of map {@code mapId} is locked by this CPU. */
    public record LockHold(int mapId, int bucket) {
    }

    /**
     * CPU {@code cpu} failed to take bucket {@code bucket} of map {@code mapId} with {@code errno} (EDEADLK: the lock
     * is held by this CPU already, or an ABBA cycle; ETIMEDOUT: waited too long); {@code holderCpu} is the CPU that
     * held it at that moment, or -1; {@code reason} is the engine's explanation, or null.
     */
    public record LockFailure(int mapId, int bucket, int cpu, Errno errno, int holderCpu, String reason) {
    }

    public CpuState {
        frames = List.copyOf(frames);
        holds = List.copyOf(holds);
    }

    public boolean idle() {
        return frames.isEmpty() && holds.isEmpty() && failure == null;
    }

    /** The innermost running operation, or null. */
    public Frame top() {
        return frames.isEmpty() ? null : frames.get(frames.size() - 1);
    }

    public boolean holds(int mapId, int bucket) {
        return holds.contains(new LockHold(mapId, bucket));
    }

    CpuState started(Frame f) {
        List<Frame> fs = new ArrayList<>(frames);
        fs.add(f);
        if (fs.size() > MAX_DEPTH) {
            fs.remove(0);
        }
        return new CpuState(fs, holds, failure);
    }

    /** The innermost frame of {@code op} on {@code mapId} ends; a failure of that operation is forgotten with it. */
    CpuState finished(int mapId, MapEvent.Op op) {
        List<Frame> fs = new ArrayList<>(frames);
        for (int i = fs.size() - 1; i >= 0; i--) {
            if (fs.get(i).mapId() == mapId && fs.get(i).op() == op) {
                fs.remove(i);
                break;
            }
        }
        LockFailure f = failure != null && failure.mapId() == mapId ? null : failure;
        return new CpuState(fs, holds, f);
    }

    CpuState locked(int mapId, int bucket) {
        List<LockHold> hs = new ArrayList<>(holds);
        hs.add(new LockHold(mapId, bucket));
        return new CpuState(frames, hs, failure);
    }

    CpuState unlocked(int mapId, int bucket) {
        List<LockHold> hs = new ArrayList<>(holds);
        int i = hs.lastIndexOf(new LockHold(mapId, bucket));
        if (i >= 0) {
            hs.remove(i);
        }
        return new CpuState(frames, hs, failure);
    }

    CpuState failed(LockFailure f) {
        return new CpuState(frames, holds, f);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Frame f : frames) {
            sb.append(f.op()).append("@m").append(f.mapId()).append('(').append(Hex.of(f.key())).append(") ");
        }
        for (LockHold h : holds) {
            sb.append("lock m").append(h.mapId()).append(":b").append(h.bucket()).append(' ');
        }
        if (failure != null) {
            sb.append("failed m").append(failure.mapId()).append(":b").append(failure.bucket()).append(' ')
                    .append(failure.errno()).append(" holder ").append(failure.holderCpu());
        }
        return sb.toString().strip();
    }
}
