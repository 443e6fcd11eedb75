package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.MapEvent;
import io.htablab.hashtab.cfront.CFront;
import io.htablab.visualizer.model.fields.MapTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Several maps in one stream, CPU lanes and lock holders, types: folded without the engine or the toolkit. */
class WorldModelTest {

    static LongStream seeds() {
        return LongStream.range(1, 16);
    }

    /** Two maps written in random interleaving: each event lands in its own map, seek equals refold everywhere. */
    @ParameterizedTest
    @MethodSource("seeds")
    void interleavedMapsFoldIntoTheirOwnState(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        SyntheticStream a = new SyntheticStream(2, 8);
        SyntheticStream b = new SyntheticStream(1 + rnd.nextInt(3), 4, 2, "m", a);
        for (int i = 0; i < 80; i++) {
            SyntheticStream s = rnd.nextBoolean() ? a : b;
            int k = rnd.nextInt(20);
            if (rnd.nextInt(3) == 0) {
                s.delete(rnd.nextInt(s.p), k);
            } else if (rnd.nextInt(4) == 0) {
                // a nested operation on the other map while this one holds its bucket lock
                SyntheticStream other = s == a ? b : a;
                int k2 = rnd.nextInt(20);
                int v = i;
                s.insert(0, k, v, () -> other.insert(0, k2, v));
            } else {
                s.insert(rnd.nextInt(s.p), k, rnd.nextInt(1000));
            }
        }
        Timeline t = a.timeline();
        for (int i = 0; i < 150; i++) {
            int p = rnd.nextInt(t.size() + 1);
            t.seek(p);
            assertThat(t.state().fingerprint()).as("seed %d at %d", seed, p).isEqualTo(t.refold(p).fingerprint());
        }
        t.seek(t.size());
        WorldModel w = t.state();
        assertThat(w.mapNames()).containsExactly("h", "m");
        for (SyntheticStream s : List.of(a, b)) {
            MapModel m = w.map(s.name);
            assertThat(m.id()).isEqualTo(s.mapId);
            assertThat(m.anomalies()).as("seed %d map %s", seed, s.name).isEmpty();
            assertThat(m.count()).isEqualTo(s.count);
            for (int bk = 0; bk < m.nBuckets(); bk++) {
                assertThat(Arrays.stream(m.chain(bk)).boxed().toList()).as("seed %d %s bucket %d", seed, s.name, bk)
                        .containsExactlyElementsOf(s.chains.getOrDefault(bk, List.of()));
            }
        }
        // at the end nothing runs and no lock is held
        for (int c = 0; c < w.cpuCount(); c++) {
            assertThat(w.cpuState(c).idle()).as("cpu %d: %s", c, w.cpuState(c)).isTrue();
        }
        assertThat(w.map("h").locks()).isEmpty();
        assertThat(w.map("m").locks()).isEmpty();
    }

    @Test
    void aNestedOperationHoldsTwoLocksOfTwoMapsOnOneCpu() {
        SyntheticStream h = new SyntheticStream(2, 8);
        SyntheticStream m = new SyntheticStream(2, 8, 2, "m", h);
        h.insert(1, 3, 30, () -> m.insert(1, 6, 60));
        Timeline t = h.timeline();
        int inner = positionAfter(t, BucketEvent.BucketLocked.class, 2, 1);
        t.seek(inner);
        WorldModel w = t.state();
        CpuState cpu1 = w.cpuState(1);
        assertThat(cpu1.frames()).extracting(CpuState.Frame::mapId).containsExactly(1, 2);
        assertThat(cpu1.frames()).extracting(CpuState.Frame::op).containsExactly(MapEvent.Op.UPDATE, MapEvent.Op.UPDATE);
        assertThat(cpu1.holds()).containsExactly(new CpuState.LockHold(1, 3), new CpuState.LockHold(2, 6));
        assertThat(w.cpuState(0).idle()).isTrue();
        assertThat(w.map("h").locks()).containsEntry(3, 1);
        assertThat(w.map("m").locks()).containsEntry(6, 1);
        assertThat(w.activeMapId()).isEqualTo(2);
        // the inner op finished: the outer still holds its lock and runs
        t.seek(positionAfter(t, MapEvent.OpFinished.class, 2, 1));
        assertThat(t.state().cpuState(1).holds()).containsExactly(new CpuState.LockHold(1, 3));
        assertThat(t.state().cpuState(1).frames()).extracting(CpuState.Frame::mapId).containsExactly(1);
        assertThat(t.state().map("h").op().running()).isTrue();
        t.seek(t.size());
        assertThat(t.state().cpuState(1).idle()).isTrue();
    }

    @Test
    void aNestedOperationOnTheSameMapGivesTheOuterOperationBackWhenItEnds() {
        SyntheticStream h = new SyntheticStream(2, 8);
        h.insert(0, 3, 30, () -> h.insert(0, 5, 50));
        Timeline t = h.timeline();
        t.seek(positionAfter(t, MapEvent.OpFinished.class, 1, 1));
        MapModel m = t.state().map("h");
        assertThat(m.op().running()).isTrue();
        assertThat(m.op().opKey()).containsExactly(3, 0, 0, 0);
        assertThat(m.op().hash().bucket()).isEqualTo(3);
        assertThat(t.state().cpuState(0).holds()).containsExactly(new CpuState.LockHold(1, 3));
        t.seek(t.size());
        assertThat(t.state().map("h").op().running()).isFalse();
        assertThat(t.state().map("h").op().opKey()).containsExactly(3, 0, 0, 0);
    }

    @Test
    void aFailedAcquisitionNamesTheHolderUntilItsOperationEnds() {
        SyntheticStream h = new SyntheticStream(2, 8);
        SyntheticStream m = new SyntheticStream(2, 8, 2, "m", h);
        h.insert(0, 3, 30, () -> m.insert(0, 6, 60));
        // folded by hand so that the failure can be reported where the engine will report it: a nested program on
        // CPU 0 tries to lock h's bucket 3, which CPU 0 holds (EDEADLK), while m's update runs
        WorldModel w = new WorldModel();
        int at = positionAfter(h.timeline(), BucketEvent.BucketLocked.class, 2, 1);
        List<TimelineEntry> out = new ArrayList<>(h.out);
        for (int i = 0; i < at; i++) {
            w.apply(out.get(i));
        }
        w.lockFailed(1, 3, 0, Errno.EDEADLK, "AA: CPU 0 holds it");
        CpuState.LockFailure f = w.cpuState(0).failure();
        assertThat(f).isEqualTo(new CpuState.LockFailure(1, 3, 0, Errno.EDEADLK, 0, "AA: CPU 0 holds it"));
        assertThat(w.map("h").lockFailures()).containsKey(3);
        WorldModel copy = w.copy();
        assertThat(copy.fingerprint()).isEqualTo(w.fingerprint());
        for (int i = at; i < out.size(); i++) {
            w.apply(out.get(i));
            if (out.get(i).event() instanceof MapEvent.OpFinished fin && fin.mapId() == 1) {
                assertThat(w.cpuState(0).failure()).isNull();
                assertThat(w.map("h").lockFailures()).isEmpty();
            }
        }
        assertThat(copy.cpuState(0).failure()).isNotNull(); // the copy kept its own state
    }

    @Test
    void aRecreatedNameRetiresTheOldMapButItsEventsStillFold() {
        SyntheticStream first = new SyntheticStream(1, 4);
        first.insert(0, 1, 10);
        SyntheticStream second = new SyntheticStream(1, 4, 2, "h", first);
        second.insert(0, 2, 20);
        first.insert(0, 3, 30); // the old map is still alive (held elsewhere) and acts
        Timeline t = first.timeline();
        t.seek(t.size());
        WorldModel w = t.state();
        assertThat(w.mapNames()).containsExactly("h");
        assertThat(w.map("h").id()).isEqualTo(2);
        assertThat(w.isRetired(1)).isTrue();
        assertThat(w.map(1).count()).isEqualTo(2);
        assertThat(w.map(2).count()).isEqualTo(1);
        assertThat(w.activeMapId()).isEqualTo(1);
    }

    @Test
    void typesGivenOnTheCreationEntrySurviveSnapshotsAndSeeks() {
        var c = CFront.parse("t.c", "struct k { __u32 a; __u16 b; };");
        MapTypes types = new MapTypes(c.types().struct("k"), null, "test");
        SyntheticStream s = new SyntheticStream(1, 4);
        // the first entry is the MapCreated: give it the types, as the session does
        List<TimelineEntry> out = s.out;
        TimelineEntry created = out.get(0);
        out.set(0, new TimelineEntry(created.actor(), created.event(), created.op(), types));
        for (int i = 0; i < 40; i++) {
            s.insert(0, i % 7, i);
        }
        Timeline t = s.timeline();
        t.seek(t.size());
        // the map's key is 4 bytes: an 8-byte key type does not fit and is dropped rather than misread
        assertThat(t.state().map("h").types()).isNull();
        var fitting = CFront.parse("t.c", "struct k { __u16 a; __u8 b; };");
        out.set(0, new TimelineEntry(created.actor(), created.event(), created.op(),
                new MapTypes(fitting.types().struct("k"), null, "test")));
        t = s.timeline();
        t.seek(t.size() / 2);
        t.seek(t.size());
        t.seek(3);
        MapModel m = t.state().map("h");
        assertThat(m.types()).isNotNull();
        assertThat(m.keyText(SyntheticStream.key(0x00050102))).isEqualTo("{.a=258, .b=5}");
        assertThat(t.state().fingerprint()).isEqualTo(t.refold(3).fingerprint());
    }

    /** The position right after the {@code nth} (1-based) event of {@code type} of map {@code mapId}. */
    static int positionAfter(Timeline t, Class<?> type, int mapId, int nth) {
        int seen = 0;
        for (int i = 0; i < t.size(); i++) {
            TimelineEntry e = t.entry(i);
            if (type.isInstance(e.event()) && e.mapId() == mapId && ++seen == nth) {
                return i + 1;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " #" + nth + " of map " + mapId);
    }
}
