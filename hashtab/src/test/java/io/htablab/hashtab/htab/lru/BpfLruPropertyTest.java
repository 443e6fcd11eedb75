package io.htablab.hashtab.htab.lru;

import io.htablab.hashtab.htab.event.LruEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_ANY;
import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_EXIST;
import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_NOEXIST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random operation sequences on random LRU configurations. After every operation: the LRU's
 * own invariant check, an independent check through the public accessors, and the list state
 * rebuilt from the event stream must all agree with the real state.
 */
class BpfLruPropertyTest {

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 150);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomOperationsKeepEveryInvariant(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int cpus = 1 + rnd.nextInt(4);
        boolean noCommon = rnd.nextInt(3) == 0;
        boolean percpuHash = rnd.nextBoolean();
        int nrElems = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 300 : 24);
        if (noCommon) {
            nrElems = (nrElems + cpus - 1) / cpus * cpus;
        }
        boolean lockFailures = rnd.nextInt(4) == 0;
        String config = "seed " + seed + ": P=" + cpus + " nrElems=" + nrElems + " noCommon=" + noCommon
                + " percpuHash=" + percpuHash + " lockFailures=" + lockFailures;
        LruEventReplayer replay = new LruEventReplayer();
        LruTestTable t = new LruTestTable(nrElems, cpus, percpuHash, noCommon, replay);
        long keySpace = 2L * nrElems + 2;
        int ops = 400;
        for (int i = 0; i < ops; i++) {
            long key = 1 + rnd.nextLong(keySpace);
            int r = rnd.nextInt(100);
            String op;
            if (r < 8) {
                t.onCpu(rnd.nextInt(cpus));
                op = "cpu " + t.cpu;
            } else if (r < 45) {
                int flags = rnd.nextInt(6) == 0 ? rnd.nextInt(4) : BPF_ANY;
                op = "update " + key + " flags " + flags + " -> " + t.update(key, flags);
            } else if (r < 52) {
                op = "update " + key + " noexist -> " + t.update(key, BPF_NOEXIST);
            } else if (r < 57) {
                op = "update " + key + " exist -> " + t.update(key, BPF_EXIST);
            } else if (r < 67) {
                op = "delete " + key + " -> " + t.delete(key);
            } else if (r < 70 && lockFailures) {
                op = "delete with push lock failure " + key + " -> " + deleteWithLockFailure(t, key);
            } else {
                op = "prog_lookup " + key + " -> " + t.progLookup(key);
            }
            String where = config + ", op " + i + " (" + op + ")";
            assertThat(t.lru.checkInvariants(t::isLinked)).as(where).isEmpty();
            assertThat(independentViolations(t)).as(where).isEmpty();
            assertThat(replay.problems).as(where).isEmpty();
            assertThat(replayMismatches(t, replay)).as(where).isEmpty();
        }
        assertThat(t.size()).as(config).isLessThanOrEqualTo(nrElems);
    }

    /** A delete whose LRU push cannot take its lock: the node is only marked pending_free. */
    private static int deleteWithLockFailure(LruTestTable t, long key) {
        Integer node = t.nodeOf(key);
        if (node == null) {
            return LruTestTable.ENOENT;
        }
        t.unlinkOnly(key);
        t.lru.bpfLruPushFreeLockFailure(t.cpu, node);
        return 0;
    }

    /** The invariants of the brief, checked only through public accessors. */
    static List<String> independentViolations(LruTestTable t) {
        BpfLru lru = t.lru;
        int n = lru.nrElems();
        List<String> v = new ArrayList<>();
        int[] seen = new int[n];
        int lruLists = lru.isPercpu() ? lru.possibleCpus() : 1;
        for (int l = 0; l < lruLists; l++) {
            for (BpfLruListType type : new BpfLruListType[] {BpfLruListType.ACTIVE, BpfLruListType.INACTIVE,
                    BpfLruListType.FREE}) {
                int[] nodes = lru.listNodes(type, l);
                for (int node : nodes) {
                    seen[node]++;
                    if (lru.nodeType(node) != type) {
                        v.add("node " + node + " on " + type + " has type " + lru.nodeType(node));
                    }
                    if (lru.isPercpu() && lru.nodeCpu(node) != l) {
                        v.add("node " + node + " on cpu " + l + "'s list has cpu " + lru.nodeCpu(node));
                    }
                }
                if (type == BpfLruListType.ACTIVE && nodes.length != lru.activeCount(l)) {
                    v.add("ACTIVE count " + lru.activeCount(l) + " != " + nodes.length);
                }
                if (type == BpfLruListType.INACTIVE && nodes.length != lru.inactiveCount(l)) {
                    v.add("INACTIVE count " + lru.inactiveCount(l) + " != " + nodes.length);
                }
                if (type == BpfLruListType.INACTIVE) {
                    int rot = lru.rotationCursor(l);
                    if (rot != LruEvent.SENTINEL && Arrays.stream(nodes).noneMatch(x -> x == rot)) {
                        v.add("rotation cursor " + rot + " not on list " + l + "'s INACTIVE list");
                    }
                }
            }
        }
        if (!lru.isPercpu()) {
            for (int c = 0; c < lru.possibleCpus(); c++) {
                for (int node : lru.listNodes(BpfLruListType.LOCAL_FREE, c)) {
                    seen[node]++;
                    if (lru.nodeType(node) != BpfLruListType.LOCAL_FREE) {
                        v.add("node " + node + " on LOCAL_FREE has type " + lru.nodeType(node));
                    }
                }
                for (int node : lru.listNodes(BpfLruListType.LOCAL_PENDING, c)) {
                    seen[node]++;
                    if (lru.nodeType(node) != BpfLruListType.LOCAL_PENDING || lru.nodeCpu(node) != c) {
                        v.add("node " + node + " on cpu " + c + "'s PENDING has type " + lru.nodeType(node)
                                + " cpu " + lru.nodeCpu(node));
                    }
                }
            }
        }
        for (int node = 0; node < n; node++) {
            if (seen[node] != 1) {
                v.add("node " + node + " is on " + seen[node] + " lists");
            }
            BpfLruListType type = lru.nodeType(node);
            boolean free = type == BpfLruListType.FREE || type == BpfLruListType.LOCAL_FREE;
            if (t.isLinked(node) && (free || lru.nodePendingFree(node))) {
                v.add("node " + node + " of key " + t.keyOf(node) + " is " + type);
            }
            if (!t.isLinked(node) && !free && !lru.nodePendingFree(node)) {
                v.add("node " + node + " is " + type + " without a key");
            }
            if (t.isLinked(node) && lru.nodeHash(node) != LruTestTable.hashOf(t.keyOf(node))) {
                v.add("node " + node + " stores a stale hash");
            }
        }
        return v;
    }

    /** Every list rebuilt from events equals the real list; ref bits agree. */
    static List<String> replayMismatches(LruTestTable t, LruEventReplayer replay) {
        return replay.mismatches(t.lru);
    }
}
