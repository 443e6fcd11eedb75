package io.htablab.hashtab.htab.lru;

import io.htablab.hashtab.htab.event.LruEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static io.htablab.hashtab.htab.lru.BpfLruListType.LOCAL_FREE;
import static io.htablab.hashtab.htab.lru.BpfLruListType.LOCAL_PENDING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Paths that single-threaded key sets cannot reach (spec 9.6 steal / PICK_PENDING, 10.2
 * pending_free): driven directly with an eviction callback that refuses chosen nodes, as a failed
 * bucket lock would.
 */
class BpfLruInternalsTest {

    /** Eviction callback: only nodes in {@code evictable} can be evicted; records every attempt. */
    private static final class Callback implements LruDeleteCallback {
        final Set<Integer> evictable = new HashSet<>();
        final List<Integer> attempts = new ArrayList<>();

        @Override
        public boolean htabLruMapDeleteNode(int node, int hash) {
            attempts.add(node);
            return evictable.remove(node);
        }
    }

    /**
     * Common LRU, 8 nodes, P = 2 (target_free 2). CPU1 holds nodes 7 and 6 on its PENDING list
     * ([6, 7], 7 at the tail); CPU0 then uses up the rest, so the global list has only unevictable
     * nodes left when CPU0 pops again.
     */
    private static BpfLru setUp(Callback cb, LruEventReplayer sink) {
        BpfLru lru = new BpfLru(8, 2, false, cb, sink);
        lru.bpfLruPopulate();
        assertThat(lru.bpfLruPopFree(1, 101)).isEqualTo(7); // harvest gathers 7, 6: first gathered first
        assertThat(lru.bpfLruPopFree(1, 102)).isEqualTo(6);
        assertThat(lru.listNodes(LOCAL_PENDING, 1)).containsExactly(6, 7);
        for (int i = 0; i < 6; i++) {
            assertThat(lru.bpfLruPopFree(0, i)).isEqualTo(5 - i);
        }
        assertThat(lru.listNodes(BpfLruListType.FREE, 0)).isEmpty();
        return lru;
    }

    @Test
    void stealPicksTheOldestUnreferencedPendingNodeFirst() {
        Callback cb = new Callback();
        LruEventReplayer sink = new LruEventReplayer();
        BpfLru lru = setUp(cb, sink);
        lru.bpfLruNodeSetRef(7);
        cb.evictable.addAll(List.of(6, 7));
        sink.all.clear();

        int node = lru.bpfLruPopFree(0, 200);

        assertThat(node).isEqualTo(6);
        assertThat(lru.nodeHash(6)).isEqualTo(200);
        assertThat(lru.nodeCpu(6)).isEqualTo(0);
        assertThat(lru.listNodes(LOCAL_PENDING, 0)).containsExactly(6);
        assertThat(lru.listNodes(LOCAL_PENDING, 1)).containsExactly(7);
        assertThat(sink.all).contains(new LruEvent.NodeStolen(0, 6, 1, 0, LOCAL_PENDING));
        // Round: CPU0 (own lists empty after the harvest), then CPU1 where the node was found.
        assertThat(lru.nextSteal(0)).isEqualTo(0);
        assertThat(lru.checkInvariants()).isEmpty();
    }

    @Test
    void stealIgnoresRefBitsWhenEveryPendingNodeIsReferenced() {
        Callback cb = new Callback();
        BpfLru lru = setUp(cb, new LruEventReplayer());
        lru.bpfLruNodeSetRef(6);
        lru.bpfLruNodeSetRef(7);
        cb.evictable.addAll(List.of(6, 7));

        assertThat(lru.bpfLruPopFree(0, 200)).as("second pass takes the tail").isEqualTo(7);
        assertThat(lru.listNodes(LOCAL_PENDING, 1)).containsExactly(6);
    }

    @Test
    void fruitlessRoundReturnsNoNodeAndKeepsNextSteal() {
        Callback cb = new Callback();
        BpfLru lru = setUp(cb, new LruEventReplayer());
        assertThat(lru.bpfLruPopFree(0, 200)).isEqualTo(-1);
        assertThat(lru.nextSteal(0)).isEqualTo(0);
        assertThat(lru.checkInvariants()).isEmpty();
    }

    @Test
    void nextStealMovesPastTheVictimWithThreeCpus() {
        Callback cb = new Callback();
        LruEventReplayer sink = new LruEventReplayer();
        // 12 nodes, P = 3: target_free 2.
        BpfLru lru = new BpfLru(12, 3, false, cb, sink);
        lru.bpfLruPopulate();
        assertThat(lru.bpfLruPopFree(2, 1)).isEqualTo(11);
        for (int i = 0; i < 11; i++) {
            lru.bpfLruPopFree(0, i); // CPU1's lists stay empty
        }
        cb.evictable.add(11);
        assertThat(lru.bpfLruPopFree(1, 50)).isEqualTo(11);
        // Started at CPU1 itself, then CPU2 (victim): next time start after it, at CPU0.
        assertThat(lru.nextSteal(1)).isEqualTo(0);
        assertThat(sink.all).contains(new LruEvent.NextStealMoved(0, 1, 1, 0));
    }

    @Test
    void pendingFreeNodeIsStolenWithoutEviction() {
        Callback cb = new Callback();
        BpfLru lru = setUp(cb, new LruEventReplayer());
        lru.bpfLruPushFreeLockFailure(0, 7); // its element was unlinked, but CPU1's local lock failed
        assertThat(lru.nodePendingFree(7)).isTrue();
        assertThat(lru.nodeType(7)).isEqualTo(LOCAL_PENDING);
        cb.attempts.clear();

        assertThat(lru.bpfLruPopFree(0, 300)).isEqualTo(7);
        assertThat(cb.attempts).doesNotContain(7);
        assertThat(lru.nodePendingFree(7)).isFalse();
    }

    @Test
    void pendingFreeNodeIsFlushedToFree() {
        Callback cb = new Callback();
        BpfLru lru = new BpfLru(8, 2, false, cb, new LruEventReplayer());
        lru.bpfLruPopulate();
        assertThat(lru.bpfLruPopFree(0, 1)).isEqualTo(7);
        lru.bpfLruPushFreeLockFailure(0, 7);
        lru.bpfLruPopFree(0, 2); // from LOCAL_FREE, no flush yet
        // Harvest: the flush sends 7 (pending_free) to the FREE head and 6 to INACTIVE; 7 is then
        // the first node gathered, so it is popped again.
        assertThat(lru.bpfLruPopFree(0, 3)).isEqualTo(7);
        assertThat(lru.nodePendingFree(7)).isFalse();
        assertThat(lru.listNodes(LOCAL_PENDING, 0)).containsExactly(7);
        assertThat(lru.listNodes(BpfLruListType.INACTIVE, 0)).containsExactly(6);
        assertThat(lru.listNodes(LOCAL_FREE, 0)).containsExactly(5);
    }

    @Test
    void pushOfAPendingNodeFromAnotherCpuGoesOnTopOfItsOwnersStack() {
        Callback cb = new Callback();
        BpfLru lru = new BpfLru(8, 2, false, cb, new LruEventReplayer());
        lru.bpfLruPopulate();
        assertThat(lru.bpfLruPopFree(1, 1)).isEqualTo(7);
        assertThat(lru.listNodes(LOCAL_FREE, 1)).containsExactly(6);
        lru.bpfLruPushFree(0, 7);
        assertThat(lru.listNodes(LOCAL_FREE, 1)).containsExactly(7, 6);
        assertThat(lru.nodeRef(7)).isFalse();
        assertThat(lru.bpfLruPopFree(1, 2)).isEqualTo(7);
    }

    @Test
    void checkInvariantsReportsCorruption() throws Exception {
        BpfLru lru = new BpfLru(4, 2, false, (n, h) -> true, new LruEventReplayer());
        lru.bpfLruPopulate();
        assertThat(lru.checkInvariants()).isEmpty();
        Field f = BpfLru.class.getDeclaredField("nrInactive");
        f.setAccessible(true);
        ((int[]) f.get(lru))[0] = 3;
        assertThat(lru.checkInvariants()).anyMatch(s -> s.contains("INACTIVE counter 3"));
        ((int[]) f.get(lru))[0] = 0;
        Field t = BpfLru.class.getDeclaredField("type");
        t.setAccessible(true);
        ((byte[]) t.get(lru))[2] = 0;
        assertThat(lru.checkInvariants()).anyMatch(s -> s.contains("node 2 has type ACTIVE"));
        assertThat(lru.checkInvariants(n -> n == 1)).anyMatch(s -> s.contains("node 1 is in the table"));
    }

    @Test
    void apiRejectsBadArgumentsWithAClearMessage() {
        BpfLru lru = new BpfLru(4, 2, true, (n, h) -> true, new LruEventReplayer());
        lru.bpfLruPopulate();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lru.bpfLruPopFree(2, 0))
                .hasMessageContaining("cpu 2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BpfLru(5, 2, true, (n, h) -> true,
                new LruEventReplayer())).hasMessageContaining("multiple");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lru.bpfLruPushFree(0, 0))
                .hasMessageContaining("already FREE");
    }

    /** A million-node map: cheap to build, pops and pushes stay fast (no per-node objects). */
    @Test
    @Timeout(60)
    void millionNodesPopAndPushQuickly() {
        int n = 1 << 20;
        boolean[] linked = new boolean[n];
        BpfLru lru = new BpfLru(n, 2, false, (node, h) -> {
            boolean was = linked[node];
            linked[node] = false;
            return was;
        }, io.htablab.hashtab.htab.event.EventSink.NONE);
        lru.bpfLruPopulate();
        SplittableRandom rnd = new SplittableRandom(42);
        int[] live = new int[n];
        boolean[] inLive = new boolean[n];
        int nrLive = 0;
        for (int i = 0; i < 3 * n; i++) {
            int c = rnd.nextInt(2);
            if (i % 5 == 4 && nrLive > 0) {
                int idx = rnd.nextInt(nrLive);
                int node = live[idx];
                live[idx] = live[--nrLive];
                inLive[node] = false;
                if (linked[node]) {
                    linked[node] = false;
                    lru.bpfLruPushFree(c, node);
                }
            } else {
                int node = lru.bpfLruPopFree(c, i);
                if (node < 0) {
                    throw new AssertionError("pop " + i + " found no node");
                }
                if (!inLive[node]) { // an evicted node may still be listed from its previous use
                    inLive[node] = true;
                    live[nrLive++] = node;
                }
                linked[node] = true;
                if (i % 3 == 0) {
                    lru.bpfLruNodeSetRef(node);
                }
            }
        }
        assertThat(lru.checkInvariants(node -> linked[node])).isEmpty();
    }

}
