package io.htablab.visualizer.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class TimelineTest {

    @Test
    void foldsChainsFreelistsAndExtrasLikeSpecExample() {
        // spec 8.1/8.2: HASH max 4, P=2 -> CPU0 [e2,e1,e0], CPU1 [e5,e4,e3]; extras e2, e1
        SyntheticStream s = new SyntheticStream(2, 4);
        Timeline t = s.timeline();
        t.seek(t.size());
        MapModel m = t.state().map("h");
        assertThat(m.freelist(0)).containsExactly(0);
        assertThat(m.freelist(1)).containsExactly(5, 4, 3);
        assertThat(m.extra(0)).isEqualTo(2);
        assertThat(m.extra(1)).isEqualTo(1);
        assertThat(m.elemLocation(2)).isEqualTo(ElemLocation.EXTRA);

        s.insert(0, 1, 10);   // takes e0 (CPU0's last)
        s.insert(0, 5, 50);   // bucket 1 too: CPU0 empty, takes e5 from CPU1
        s.delete(1, 1);       // e0 pushed on CPU1's list
        t = s.timeline();
        t.seek(t.size());
        m = t.state().map("h");
        assertThat(m.chain(1)).containsExactly(5);
        assertThat(m.chainEndMarker(1)).isEqualTo(1);
        assertThat(m.freelist(1)).containsExactly(0, 4, 3);
        assertThat(m.freelist(0)).isEmpty();
        assertThat(m.count()).isEqualTo(1);
        assertThat(m.elemValueSlot(5, 0)).containsExactly(50, 0, 0, 0);
        // unlinked e0 still points on into bucket 1's chain (its next link is kept)
        assertThat(m.elemNextLink(0)).isEqualTo(~1);
        assertThat(m.anomalies()).isEmpty();
    }

    @Test
    void stepBackRestoresEarlierStateAndOpContext() {
        SyntheticStream s = new SyntheticStream(2, 8);
        s.insert(0, 3, 1);
        int afterFirst = s.out.size();
        s.insert(0, 11, 2); // same bucket 3 (8 buckets... 11 & 7 = 3)
        Timeline t = s.timeline();
        t.seek(t.size());
        assertThat(t.state().map("h").chain(3)).hasSize(2);
        assertThat(t.state().map("h").op().visits()).hasSize(1);
        t.stepOpBack();
        assertThat(t.position()).isEqualTo(afterFirst);
        assertThat(t.state().map("h").chain(3)).hasSize(1);
        assertThat(t.state().fingerprint()).isEqualTo(t.refold(afterFirst).fingerprint());
        t.stepBack();
        assertThat(t.state().map("h").op().result()).isNull(); // OpFinished undone
        t.stepOpForward();
        assertThat(t.position()).isEqualTo(afterFirst);
        t.stepOpForward();
        assertThat(t.position()).isEqualTo(t.size());
    }

    static LongStream seeds() {
        return LongStream.range(1, 21);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void seekingAnywhereEqualsRefoldFromStart(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        SyntheticStream s = SyntheticStream.random(rnd, 60);
        Timeline t = s.timeline();
        assertThat(t.snapshotCount()).as("seed %d", seed).isGreaterThan(1);
        for (int i = 0; i < 200; i++) {
            int p = rnd.nextInt(t.size() + 1);
            if (rnd.nextBoolean()) {
                t.seek(p);
            } else {
                // walk there step by step, forwards or backwards
                while (t.position() < p) {
                    t.stepForward();
                }
                while (t.position() > p) {
                    t.stepBack();
                }
            }
            assertThat(t.state().fingerprint()).as("seed %d position %d", seed, p)
                    .isEqualTo(t.refold(p).fingerprint());
        }
        t.seek(t.size());
        MapModel m = t.state().map("h");
        assertThat(m.anomalies()).as("seed %d", seed).isEmpty();
        // the model's chains are the synthetic map's chains
        for (int b = 0; b < m.nBuckets(); b++) {
            assertThat(java.util.Arrays.stream(m.chain(b)).boxed().toList()).as("seed %d bucket %d", seed, b)
                    .containsExactlyElementsOf(s.chains.getOrDefault(b, java.util.List.of()));
        }
        assertThat(m.count()).isEqualTo(s.count);
    }

    @Test
    void opEndsAndThePresent() {
        SyntheticStream s = new SyntheticStream(2, 8);
        s.insert(0, 3, 1);
        s.delete(1, 3);
        Timeline t = s.timeline();
        assertThat(t.ops()).hasSize(3);
        for (OpRecord op : t.ops()) {
            assertThat(t.isOpEnd(op.endEvent())).isTrue();
            if (op.eventCount() > 1) {
                assertThat(t.isOpEnd(op.endEvent() - 1)).isFalse();
            }
        }
        t.seek(3);
        // the present is the fold of everything, whatever the cursor
        assertThat(t.present().fingerprint()).isEqualTo(t.refold(t.size()).fingerprint());
        assertThat(t.state().fingerprint()).isEqualTo(t.refold(3).fingerprint());
        assertThat(t.currentOp().index()).isZero();
    }

    @Test
    void listenersHearAppendsAndSeeks() {
        Timeline t = new SyntheticStream(1, 2).timeline();
        int[] calls = {0};
        t.addListener(() -> calls[0]++);
        t.seek(1);
        t.seek(1);
        t.seek(0);
        assertThat(calls[0]).isEqualTo(2);
    }
}
