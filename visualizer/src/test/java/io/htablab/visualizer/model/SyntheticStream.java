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
 * itself, so the bucket is obvious to the reader of a test.
 */
final class SyntheticStream {
    /** The one map this stream describes. */
    static final int MAP_ID = 1;
    final List<TimelineEntry> out = new ArrayList<>();
    final int p;
    final int nBuckets;
    final List<Deque<Integer>> freelists = new ArrayList<>();
    final Map<Integer, Integer> keyToElem = new HashMap<>();
    final Map<Integer, List<Integer>> chains = new HashMap<>();
    int count;
    int op;

    SyntheticStream(int p, int max) {
        this.p = p;
        this.nBuckets = Integer.highestOneBit(Math.max(1, max - 1)) * 2;
        int num = max + p;
        emit(new MapEvent.MapCreated(MAP_ID, "m", MapType.HASH, 4, 4, max, nBuckets, 56, num, 0, p, 0x40, true, 8));
        for (int c = 0; c < p; c++) {
            freelists.add(new ArrayDeque<>());
        }
        int n = num / p;
        int m = num % p;
        int e = 0;
        for (int c = 0; c < p; c++) {
            for (int i = 0; i < n + (c < m ? 1 : 0); i++) {
                freelists.get(c).push(e);
                emit(new FreelistEvent.Push(MAP_ID, e, c, 0));
                e++;
            }
        }
        for (int c = 0; c < p; c++) {
            int x = pop(0);
            emit(new FreelistEvent.ExtraInit(MAP_ID, c, x));
        }
        op++;
    }

    static byte[] key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(k).array();
    }

    void emit(io.htablab.hashtab.htab.event.HtabEvent e) {
        out.add(new TimelineEntry("h", Actor.MAIN, e, op));
    }

    private int pop(int cpu) {
        for (int i = 0; i < p; i++) {
            int c = (cpu + i) % p;
            if (!freelists.get(c).isEmpty()) {
                int e = freelists.get(c).pop();
                emit(new FreelistEvent.Pop(MAP_ID, e, c, cpu));
                return e;
            }
        }
        return -1;
    }

    void insert(int cpu, int k, int value) {
        int b = k & (nBuckets - 1);
        emit(new MapEvent.OpStarted(MAP_ID, MapEvent.Op.UPDATE, cpu, key(k)));
        emit(new BucketEvent.HashComputed(MAP_ID, key(k), 0, k, b));
        emit(new BucketEvent.BucketLocked(MAP_ID, b, cpu));
        for (int e : chains.getOrDefault(b, List.of())) {
            emit(new BucketEvent.NodeVisited(MAP_ID, b, e, false, false));
        }
        emit(new BucketEvent.NullsReached(MAP_ID, b, b, false));
        int e = keyToElem.containsKey(k) ? -2 : pop(cpu);
        Errno r = Errno.OK;
        if (e == -2) {
            r = Errno.EEXIST;
        } else if (e < 0) {
            r = Errno.E2BIG;
        } else {
            emit(new MapEvent.ValueCopied(MAP_ID, e, -1, 0, key(value)));
            emit(new BucketEvent.ElemLinked(MAP_ID, b, e, key(k), k));
            chains.computeIfAbsent(b, x -> new ArrayList<>()).add(0, e);
            keyToElem.put(k, e);
            emit(new MapEvent.CounterChanged(MAP_ID, ++count));
        }
        emit(new BucketEvent.BucketUnlocked(MAP_ID, b, cpu));
        emit(new MapEvent.OpFinished(MAP_ID, MapEvent.Op.UPDATE, cpu, key(k), r));
        op++;
    }

    void delete(int cpu, int k) {
        int b = k & (nBuckets - 1);
        emit(new MapEvent.OpStarted(MAP_ID, MapEvent.Op.DELETE, cpu, key(k)));
        emit(new BucketEvent.HashComputed(MAP_ID, key(k), 0, k, b));
        emit(new BucketEvent.BucketLocked(MAP_ID, b, cpu));
        Integer e = keyToElem.remove(k);
        if (e != null) {
            emit(new BucketEvent.ElemUnlinked(MAP_ID, b, e, key(k), k));
            chains.get(b).remove(e);
            emit(new MapEvent.CounterChanged(MAP_ID, --count));
            freelists.get(cpu).push(e);
            emit(new FreelistEvent.Push(MAP_ID, e, cpu, cpu));
        }
        emit(new BucketEvent.BucketUnlocked(MAP_ID, b, cpu));
        emit(new MapEvent.OpFinished(MAP_ID, MapEvent.Op.DELETE, cpu, key(k), e == null ? Errno.ENOENT : Errno.OK));
        op++;
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

    Timeline timeline() {
        Timeline t = new Timeline();
        int i = 0;
        for (int o = 0; o < op; o++) {
            int first = t.size();
            while (i < out.size() && out.get(i).op() == o) {
                t.append(out.get(i++));
            }
            t.addOp("op " + o, List.of(), List.of(), "h", Actor.MAIN, first, false);
        }
        return t;
    }
}
