package io.htablab.hashtab.htab;

import static io.htablab.hashtab.htab.TestMaps.create;
import static io.htablab.hashtab.htab.TestMaps.u32;
import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The nulls-marker restart of lookup_nulls_elem_raw, driven step by step (spec 4.3, 10.4). */
class ChainWalkerTest {

    private static final int ZS = MapFlag.ZERO_SEED.bit();

    @Test
    void plainWalkFindsAndMisses() {
        BpfMap m = create(MapType.HASH, 4, 4, 8, ZS);
        // ZERO_SEED, 8 buckets: keys 9, 12 and 11 all land in bucket 5
        m.update(0, u32(9), u32(90), 0);
        m.update(0, u32(12), u32(120), 0);
        ChainWalker w = m.beginLookup(0, u32(9));
        assertThat(w.bucket()).isEqualTo(5);
        assertThat(w.step()).isInstanceOf(ChainWalker.Visited.class);
        assertThat(w.step()).isInstanceOf(ChainWalker.Matched.class);
        assertThat(w.isDone()).isTrue();
        assertThat(TestMaps.le(m.state().elemKey(w.result()))).isEqualTo(9);

        ChainWalker miss = m.beginLookup(1, u32(11));
        assertThat(miss.runToEnd()).isEqualTo(-1);
        assertThat(miss.restarts()).isZero();
    }

    /**
     * The walker stands on key 12's element in bucket 5; another CPU deletes key 12 and inserts key 4 (bucket 1),
     * which reuses the same preallocated element. The walker follows it into bucket 1's chain, ends on bucket 1's
     * nulls marker, restarts at bucket 5 and then finds key 9.
     */
    @Test
    void deleteAndReinsertIntoAnotherBucketMakesTheWalkerRestart() {
        BpfMap m = create(MapType.HASH, 4, 4, 8, ZS);
        List<HtabEvent> events = new ArrayList<>();
        m.update(0, u32(9), u32(90), 0);
        m.update(0, u32(12), u32(120), 0); // bucket 5 = [12, 9]
        m.update(0, u32(10), u32(100), 0); // bucket 1 = [10]
        HtabState s = m.state();
        int elem12 = HtabWorkedExamplesTest.findElem(s, 12);

        ChainWalker w = m.beginLookup(0, u32(9));
        m.addListener(events::add);
        assertThat(w.position()).isEqualTo(elem12);
        // Step onto 12's element: it does not match, the walker reads its next link on the next step.
        ChainWalker.Step first = w.step();
        assertThat(first).isEqualTo(new ChainWalker.Visited(5, elem12, false));
        // Make the walker stand on a node whose next we will redirect: rewind by a fresh walker positioned at 12.
        ChainWalker w2 = m.beginLookup(0, u32(9));
        assertThat(w2.position()).isEqualTo(elem12);

        // CPU1 deletes 12 (its element goes to CPU1's freelist head) and inserts 4 on CPU1, reusing it.
        assertThat(m.delete(1, u32(12))).isEqualTo(Errno.OK);
        assertThat(s.freelist(1)[0]).isEqualTo(elem12);
        assertThat(m.update(1, u32(4), u32(40), 0)).isEqualTo(Errno.OK);
        assertThat(HtabWorkedExamplesTest.findElem(s, 4)).isEqualTo(elem12);
        assertThat(s.elemBucket(elem12)).isEqualTo(1);

        // w2 still points at the reused element: it visits key 4 (no match), then key 10, then bucket 1's marker.
        assertThat(w2.step()).isEqualTo(new ChainWalker.Visited(5, elem12, false));
        ChainWalker.Step st = w2.step();
        assertThat(st).isInstanceOf(ChainWalker.Visited.class);
        assertThat(TestMaps.le(s.elemKey(((ChainWalker.Visited) st).elem()))).isEqualTo(10);
        assertThat(w2.step()).isEqualTo(new ChainWalker.Restarted(5, 1));
        assertThat(w2.restarts()).isEqualTo(1);
        // after the restart bucket 5 is [9]
        ChainWalker.Step found = w2.step();
        assertThat(found).isInstanceOf(ChainWalker.Matched.class);
        assertThat(TestMaps.le(s.elemKey(w2.result()))).isEqualTo(9);
        assertThat(events).contains(new BucketEvent.NullsReached(events.get(0).mapId(), 5, 1, true));

        // The first walker had already moved past 12 to 9 before the reuse: it finds 9 without a restart.
        assertThat(w.runToEnd()).isEqualTo(HtabWorkedExamplesTest.findElem(s, 9));
        assertThat(w.restarts()).isZero();
    }

    /** Without the restart a lookup of an absent key could wrongly end in a foreign chain; here it ends at home. */
    @Test
    void missAfterRestartEndsOnOwnMarker() {
        BpfMap m = create(MapType.HASH, 4, 4, 8, ZS);
        m.update(0, u32(12), u32(120), 0); // bucket 5
        HtabState s = m.state();
        int elem12 = HtabWorkedExamplesTest.findElem(s, 12);
        ChainWalker w = m.beginLookup(0, u32(11)); // 11 -> bucket 5, absent
        m.delete(0, u32(12));
        m.update(0, u32(3), u32(30), 0); // bucket 7, reuses elem12 (CPU0 freelist head)
        assertThat(s.elemBucket(elem12)).isEqualTo(7);
        assertThat(w.step()).isEqualTo(new ChainWalker.Visited(5, elem12, false));
        assertThat(w.step()).isEqualTo(new ChainWalker.Restarted(5, 7));
        assertThat(w.step()).isEqualTo(new ChainWalker.ReachedNulls(5, 5));
        assertThat(w.isDone()).isTrue();
        assertThat(w.result()).isEqualTo(-1);
        assertThat(w.step()).isEqualTo(new ChainWalker.Finished(-1));
    }
}
