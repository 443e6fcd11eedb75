package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.MapEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * What the operation in progress (or the last one) has done so far: the hash it computed, the nodes
 * its walk visited, what it linked, unlinked, wrote, popped or pushed. Folded from events like the
 * rest of the model, so highlights are exact at every position of the timeline.
 */
public record OpContext(MapEvent.Op op, int cpu, byte[] opKey, HashInfo hash, List<Visit> visits, Nulls nulls,
                        int linked, int unlinked, int written, int freelistElem, int freelistCpu,
                        boolean freelistPush, List<Integer> evicted, Errno result, String error,
                        HtabEvent last) {

    public static final OpContext IDLE = new OpContext(null, -1, null, null, List.of(), null, -1, -1, -1, -1, -1,
            false, List.of(), null, null, null);

    public record HashInfo(byte[] key, int seed, int hash, int bucket) {
    }

    public record Visit(int bucket, int elem, boolean hashMatch, boolean keyMatch) {
    }

    public record Nulls(int bucket, int marker, boolean restart) {
    }

    public static OpContext started(MapEvent.Op op, int cpu, byte[] key) {
        return new OpContext(op, cpu, key, null, List.of(), null, -1, -1, -1, -1, -1, false, List.of(), null, null,
                null);
    }

    public boolean running() {
        return op != null && result == null;
    }

    public OpContext finished(Errno r) {
        return new OpContext(op, cpu, opKey, hash, visits, nulls, linked, unlinked, written, freelistElem,
                freelistCpu, freelistPush, evicted, r, error, last);
    }

    public OpContext withHash(byte[] key, int seed, int h, int bucket) {
        // a batch or dump hashes many keys: each new hash starts a new walk
        return new OpContext(op, cpu, opKey, new HashInfo(key, seed, h, bucket), List.of(), null, linked, unlinked,
                written, freelistElem, freelistCpu, freelistPush, evicted, result, error, last);
    }

    public OpContext withVisit(int bucket, int elem, boolean hm, boolean km) {
        List<Visit> v = new ArrayList<>(visits);
        v.add(new Visit(bucket, elem, hm, km));
        return new OpContext(op, cpu, opKey, hash, List.copyOf(v), nulls, linked, unlinked, written, freelistElem,
                freelistCpu, freelistPush, evicted, result, error, last);
    }

    public OpContext withNulls(int bucket, int marker, boolean restart) {
        return new OpContext(op, cpu, opKey, hash, visits, new Nulls(bucket, marker, restart), linked, unlinked,
                written, freelistElem, freelistCpu, freelistPush, evicted, result, error, last);
    }

    public OpContext withLinked(int e) {
        return new OpContext(op, cpu, opKey, hash, visits, nulls, e, unlinked, written, freelistElem, freelistCpu,
                freelistPush, evicted, result, error, last);
    }

    public OpContext withUnlinked(int e) {
        return new OpContext(op, cpu, opKey, hash, visits, nulls, linked, e, written, freelistElem, freelistCpu,
                freelistPush, evicted, result, error, last);
    }

    public OpContext withWritten(int e) {
        return new OpContext(op, cpu, opKey, hash, visits, nulls, linked, unlinked, e, freelistElem, freelistCpu,
                freelistPush, evicted, result, error, last);
    }

    public OpContext withFreelist(int e, int listCpu, boolean push) {
        return new OpContext(op, cpu, opKey, hash, visits, nulls, linked, unlinked, written, e, listCpu, push,
                evicted, result, error, last);
    }

    public OpContext withEvicted(int node) {
        List<Integer> ev = new ArrayList<>(evicted);
        ev.add(node);
        return new OpContext(op, cpu, opKey, hash, visits, nulls, linked, unlinked, written, freelistElem,
                freelistCpu, freelistPush, List.copyOf(ev), result, error, last);
    }

    public OpContext withError(Errno errno, String reason) {
        return new OpContext(op, cpu, opKey, hash, visits, nulls, linked, unlinked, written, freelistElem,
                freelistCpu, freelistPush, evicted, result, errno + ": " + reason, last);
    }

    public OpContext withLast(HtabEvent e) {
        return new OpContext(op, cpu, opKey, hash, visits, nulls, linked, unlinked, written, freelistElem,
                freelistCpu, freelistPush, evicted, result, error, e);
    }

    /** The element the walk stands on now (last visited), or -1. */
    public int walkPosition() {
        return visits.isEmpty() ? -1 : visits.get(visits.size() - 1).elem();
    }

    @Override
    public String toString() {
        return "op=" + op + " cpu=" + cpu + " key=" + Hex.of(opKey) + " hash="
                + (hash == null ? "-" : hash.hash() + "/" + hash.bucket()) + " visits=" + visits + " nulls=" + nulls
                + " linked=" + linked + " unlinked=" + unlinked + " written=" + written + " fl=" + freelistElem + "@"
                + freelistCpu + (freelistPush ? "+" : "-") + " evicted=" + evicted + " result=" + result + " error="
                + error + " last=" + (last == null ? "-" : last.getClass().getSimpleName());
    }
}
