package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.FreelistEvent;
import io.htablab.hashtab.htab.event.MapEvent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds well-formed event streams for a preallocated HASH map by hand (insert new keys / delete keys with
 * the freelist rules of spec 8), so the model can be tested without the engine. The "hash" is the key
 * itself, so the bucket is obvious to the reader of a test. Several streams can share one recording (several
 * maps), and an insert can run another map's operation while it holds its bucket lock (a nested program).
 */
public final class SyntheticStream {
    /** The map id of the first map. */
    static final int MAP_ID = 1;
    final int mapId;
    final String name;
    final List<TimelineEntry> out;
    /** The statement counter and the nesting depth, shared by every map of one recording. */
    private final int[] ops;
    final int p;
    final int nBuckets;
    final List<Deque<Integer>> freelists = new ArrayList<>();
    final Map<Integer, Integer> keyToElem = new HashMap<>();
    final Map<Integer, List<Integer>> chains = new HashMap<>();
    int count;

    public SyntheticStream(int p, int max) {
        this(p, max, MAP_ID, "h", new ArrayList<>(), new int[2]);
    }

    /** Another map in the same recording as {@code other}. */
    public SyntheticStream(int p, int max, int mapId, String name, SyntheticStream other) {
        this(p, max, mapId, name, other.out, other.ops);
    }

    private SyntheticStream(int p, int max, int mapId, String name, List<TimelineEntry> out, int[] ops) {
        this.mapId = mapId;
        this.name = name;
        this.out = out;
        this.ops = ops;
        this.p = p;
        this.nBuckets = Integer.highestOneBit(Math.max(1, max - 1)) * 2;
        int num = max + p;
        emit(new MapEvent.MapCreated(mapId, name, MapType.HASH, 4, 4, max, nBuckets, 56, num, 0, p, 0x40, true, 8));
        for (int c = 0; c < p; c++) {
            freelists.add(new ArrayDeque<>());
        }
        int n = num / p;
        int m = num % p;
        int e = 0;
        for (int c = 0; c < p; c++) {
            for (int i = 0; i < n + (c < m ? 1 : 0); i++) {
                freelists.get(c).push(e);
                emit(new FreelistEvent.Push(mapId, e, c, 0));
                e++;
            }
        }
        for (int c = 0; c < p; c++) {
            int x = pop(0);
            emit(new FreelistEvent.ExtraInit(mapId, c, x));
        }
        ops[0]++;
    }

    int op() {
        return ops[0];
    }

    static byte[] key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(k).array();
    }

    void emit(io.htablab.hashtab.htab.event.HtabEvent e) {
        out.add(new TimelineEntry(Actor.MAIN, e, ops[0]));
    }

    private int pop(int cpu) {
        for (int i = 0; i < p; i++) {
            int c = (cpu + i) % p;
            if (!freelists.get(c).isEmpty()) {
                int e = freelists.get(c).pop();
                emit(new FreelistEvent.Pop(mapId, e, c, cpu));
                return e;
            }
        }
        return -1;
    }

    public void insert(int cpu, int k, int value) {
        insert(cpu, k, value, null);
    }

    /** An insert that runs {@code whileLocked} (another map's operation, same CPU) while it holds its bucket lock. */
    public void insert(int cpu, int k, int value, Runnable whileLocked) {
        int b = k & (nBuckets - 1);
        emit(new MapEvent.OpStarted(mapId, MapEvent.Op.UPDATE, cpu, key(k)));
        emit(new BucketEvent.HashComputed(mapId, key(k), 0, k, b));
        emit(new BucketEvent.BucketLocked(mapId, b, cpu));
        if (whileLocked != null) {
            nested(whileLocked);
        }
        for (int e : chains.getOrDefault(b, List.of())) {
            emit(new BucketEvent.NodeVisited(mapId, b, e, false, false));
        }
        emit(new BucketEvent.NullsReached(mapId, b, b, false));
        int e = keyToElem.containsKey(k) ? -2 : pop(cpu);
        Errno r = Errno.OK;
        if (e == -2) {
            r = Errno.EEXIST;
        } else if (e < 0) {
            r = Errno.E2BIG;
        } else {
            emit(new MapEvent.ValueCopied(mapId, e, -1, 0, key(value)));
            emit(new BucketEvent.ElemLinked(mapId, b, e, key(k), k));
            chains.computeIfAbsent(b, x -> new ArrayList<>()).add(0, e);
            keyToElem.put(k, e);
            emit(new MapEvent.CounterChanged(mapId, ++count));
        }
        emit(new BucketEvent.BucketUnlocked(mapId, b, cpu));
        emit(new MapEvent.OpFinished(mapId, MapEvent.Op.UPDATE, cpu, key(k), r));
        endOp();
    }

    /** Runs {@code r} as part of the current statement (its operations do not end the statement). */
    void nested(Runnable r) {
        ops[1]++;
        try {
            r.run();
        } finally {
            ops[1]--;
        }
    }

    private void endOp() {
        if (ops[1] == 0) {
            ops[0]++;
        }
    }

    void delete(int cpu, int k) {
        int b = k & (nBuckets - 1);
        emit(new MapEvent.OpStarted(mapId, MapEvent.Op.DELETE, cpu, key(k)));
        emit(new BucketEvent.HashComputed(mapId, key(k), 0, k, b));
        emit(new BucketEvent.BucketLocked(mapId, b, cpu));
        Integer e = keyToElem.remove(k);
        if (e != null) {
            emit(new BucketEvent.ElemUnlinked(mapId, b, e, key(k), k));
            chains.get(b).remove(e);
            emit(new MapEvent.CounterChanged(mapId, --count));
            freelists.get(cpu).push(e);
            emit(new FreelistEvent.Push(mapId, e, cpu, cpu));
        }
        emit(new BucketEvent.BucketUnlocked(mapId, b, cpu));
        emit(new MapEvent.OpFinished(mapId, MapEvent.Op.DELETE, cpu, key(k), e == null ? Errno.ENOENT : Errno.OK));
        endOp();
    }

    /** A random mix of inserts and deletes on random CPUs. */
    static SyntheticStream random(SplittableRandom rnd, int steps) {
        SyntheticStream s = new SyntheticStream(1 + rnd.nextInt(4), 1 + rnd.nextInt(16));
        for (int i = 0; i < steps; i++) {
            int k = rnd.nextInt(24);
            if (rnd.nextInt(3) == 0) {
                s.delete(rnd.nextInt(s.p), k);
            } else {
                s.insert(rnd.nextInt(s.p), k, rnd.nextInt(1000));
            }
        }
        return s;
    }

    public Timeline timeline() {
        Timeline t = new Timeline();
        int i = 0;
        for (int o = 0; o < ops[0]; o++) {
            int first = t.size();
            while (i < out.size() && out.get(i).op() == o) {
                t.append(out.get(i++));
            }
            t.addOp("op " + o, List.of(), List.of(), "h", Actor.MAIN, first, false);
        }
        return t;
    }
}
