package io.htablab.visualizer.app;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.Htab;
import io.htablab.hashtab.htab.HtabState;
import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.lru.BpfLru;
import io.htablab.hashtab.htab.lru.BpfLruListType;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.Timeline;
import io.htablab.visualizer.model.WorldModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The view model folded from the engine's events must equal the engine's own state (no toolkit needed). */
class SessionTest {

    static List<String> samples() {
        return Samples.list();
    }

    @Test
    void samplesAreOnTheClasspath() {
        assertThat(Samples.list()).contains("01-hashing-and-seed.hts", "02-collisions-and-chains.hts")
                .hasSizeGreaterThanOrEqualTo(8);
        assertThat(Samples.title("02-collisions-and-chains.hts")).isEqualTo("Collisions and chains");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everySampleFoldsToTheEngineState(String sample) throws IOException {
        try (Session s = new Session(2)) {
            List<Session.Result> results = s.runScript(Samples.read(sample));
            assertThat(results).as(sample).isNotEmpty();
            assertThat(results).as(sample).allSatisfy(r -> assertThat(r.error()).as(r.source()).isNull());
            assertMatchesEngine(s, sample);
            // and every intermediate position refolds to the same state as the snapshot seek
            Timeline t = s.timeline();
            for (int p = 0; p <= t.size(); p += Math.max(1, t.size() / 37)) {
                t.seek(p);
                assertThat(t.state().fingerprint()).as("%s at %d", sample, p).isEqualTo(t.refold(p).fingerprint());
            }
        }
    }

    /** A nested program's events belong to the map it touches, not to the map the statement names. */
    @Test
    void nestedProgramEventsGoToTheMapTheyTouch() {
        try (Session s = new Session(2)) {
            s.run("create h type=hash key=4 value=8 max=16 flags=zero_seed");
            s.run("create g type=hash key=4 value=8 max=16 flags=zero_seed");
            s.run("update h u32:4 u64:1");
            Session.Result r = s.run("nested update h u32:4 u64:2 : prog_update g u32:7 u64:3");
            assertThat(r.output()).containsExactly("ok nested ok");
            WorldModel w = s.timeline().foldTo(s.timeline().size());
            assertThat(w.map("g").count()).isEqualTo(1);
            assertThat(w.map("h").count()).isEqualTo(1);
            assertMatchesEngine(s, "nested into g");
        }
    }

    /** The engine's failed acquisition folds into the CPU lane: a nested program re-taking its own CPU's lock. */
    @Test
    void aNestedProgramsDeadlockShowsOnItsCpu() {
        try (Session s = new Session(2)) {
            s.run("create h type=hash key=4 value=8 max=16 flags=zero_seed");
            s.run("cpu 1");
            s.run("update h u32:4 u64:1");
            Session.Result r = s.run("nested update h u32:4 u64:2 : prog_update h u32:4 u64:3");
            assertThat(r.output()).containsExactly("ok nested error EDEADLK");
            Timeline t = s.timeline();
            int failedAt = -1;
            for (int i = 0; i < t.size(); i++) {
                if (t.entry(i).event() instanceof io.htablab.hashtab.htab.event.BucketEvent.BucketLockFailed) {
                    failedAt = i;
                }
            }
            assertThat(failedAt).as("a BucketLockFailed event").isNotNegative();
            t.seek(failedAt + 1);
            io.htablab.visualizer.model.CpuState.LockFailure f = t.state().cpuState(1).failure();
            assertThat(f).isNotNull();
            assertThat(f.errno()).isEqualTo(io.htablab.hashtab.htab.Errno.EDEADLK);
            assertThat(f.holderCpu()).as("CPU 1 holds the lock it asks for again").isEqualTo(1);
            assertThat(t.state().cpuState(0).failure()).isNull();
            t.seek(t.size());
            assertThat(t.state().cpuState(1).failure()).as("cleared when the operation ends").isNull();
            assertMatchesEngine(s, "after the nested deadlock");
        }
    }

    @Test
    void collisionSampleChainsAreNewestFirst() throws IOException {
        try (Session s = new Session(2)) {
            s.runScript(Samples.read("02-collisions-and-chains.hts"));
            Timeline t = s.timeline();
            t.seek(t.size());
            MapModel h = t.state().map("h");
            // the sample's comments: bucket 5 holds 9, 11 after the delete of 12 (9 moved to the head)
            assertThat(h.chain(5)).hasSize(2);
            assertThat(h.elemKey(h.chain(5)[0])).containsExactly(9, 0, 0, 0);
            assertThat(h.elemKey(h.chain(5)[1])).containsExactly(11, 0, 0, 0);
            assertThat(h.chainEndMarker(5)).isEqualTo(5);
            assertThat(h.count()).isEqualTo(2);
        }
    }

    @Test
    void consoleErrorsComeBackInline() {
        try (Session s = new Session(2)) {
            Session.Result r = s.run("update nosuchmap u32:1 u32:1");
            assertThat(r.output()).containsExactly("error EINVAL");
            Session.Result bad = s.run("frobnicate h");
            assertThat(bad.failed()).isTrue();
            assertThat(bad.error()).isNotBlank();
            assertThat(s.complete("upd")).containsExactly("update", "update_batch");
            s.run("create hh type=hash key=4 value=4 max=4");
            assertThat(s.complete("lookup h")).containsExactly("hh");
        }
    }

    @Test
    void aStatementWithTooManyEventsRebasesTheTimelineAndStaysExact() {
        try (Session s = new Session(2)) {
            s.run("create big type=hash key=4 value=4 max=65536 flags=zero_seed");
            s.bulkFill("big", 65536);
            Session.Result r = s.run("dump big"); // ~65k next_key + lookup walks: far beyond the limit
            assertThat(r.output()).hasSize(65537);
            assertThat(s.lastRunRebased()).isTrue();
            assertThat(s.timeline().size()).isZero();
            s.run("delete big u32:5");
            assertThat(s.lastRunRebased()).isFalse();
            assertThat(s.timeline().size()).isPositive();
            assertMatchesEngine(s, "after a rebased dump");
        }
    }

    @Test
    void traceExportWritesOneJsonObjectPerEventOfEveryFamily() throws Exception {
        try (Session s = new Session(2)) {
            s.runScript(Samples.read("06-lru-common.hts"));
            java.nio.file.Path f = java.nio.file.Files.createTempFile("trace", ".jsonl");
            Exporter.jsonLines(s.timeline(), f);
            List<String> lines = java.nio.file.Files.readAllLines(f);
            assertThat(lines).hasSize(s.timeline().size());
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            java.util.Set<String> families = new java.util.HashSet<>();
            for (String l : lines) {
                var node = json.readTree(l);
                assertThat(node.get("event").asText()).isNotEmpty();
                families.add(node.get("family").asText());
            }
            assertThat(families).contains("MapEvent", "BucketEvent", "LruEvent");
            // every line names its map by id and by scenario name
            assertThat(lines).allMatch(l -> l.contains("\"map\":\"l\"") && l.contains("\"mapId\":1"));
            assertThat(lines).anyMatch(l -> l.contains("\"event\":\"NodeMoved\"") && l.contains("\"to\":{"));
        }
    }

    static LongStream seeds() {
        return LongStream.range(1, 13);
    }

    /** Random operations on all four map types: model == engine after every statement. */
    @ParameterizedTest
    @MethodSource("seeds")
    void randomSessionsFoldToTheEngineState(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String[] types = {"hash", "percpu_hash", "lru_hash", "lru_percpu_hash"};
        try (Session s = new Session(1 + rnd.nextInt(3))) {
            String type = types[rnd.nextInt(types.length)];
            String flags = "zero_seed" + (rnd.nextInt(4) == 0 && !type.startsWith("lru") ? ",no_prealloc" : "")
                    + (type.startsWith("lru") && rnd.nextBoolean() ? ",no_common_lru" : "");
            s.run("create m type=" + type + " key=4 value=8 max=" + (2 + rnd.nextInt(10)) + " flags=" + flags);
            for (int i = 0; i < 60; i++) {
                String k = "u32:" + rnd.nextInt(16);
                String st = switch (rnd.nextInt(8)) {
                    case 0, 1, 2 -> "update m " + k + " u64:" + rnd.nextInt(100);
                    case 3 -> "delete m " + k;
                    case 4 -> "prog_lookup m " + k;
                    case 5 -> "cpu " + rnd.nextInt(s.backend().possibleCpus());
                    case 6 -> "prog_update m " + k + " u64:7";
                    default -> "lookup_and_delete m " + k;
                };
                s.run(st);
                assertMatchesEngine(s, "seed " + seed + " after " + st);
            }
        }
    }

    /**
     * Random statements over three maps of different types (one of them re-created under its name half-way): after
     * every statement the folded model equals the engine for every map, and seeking anywhere equals a refold.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void randomSessionsOverSeveralMapsFoldEachMapToItsEngineState(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Session s = new Session(1 + rnd.nextInt(3))) {
            s.run("create a type=hash key=4 value=8 max=" + (2 + rnd.nextInt(8)) + " flags=zero_seed");
            s.run("create b type=lru_hash key=4 value=8 max=" + (4 + rnd.nextInt(8)) + " flags=zero_seed"
                    + (rnd.nextBoolean() ? ",no_common_lru" : ""));
            s.run("create c type=percpu_hash key=4 value=8 max=6 flags=zero_seed" + (rnd.nextBoolean()
                    ? ",no_prealloc" : ""));
            String[] names = {"a", "b", "c"};
            for (int i = 0; i < 90; i++) {
                String m = names[rnd.nextInt(3)];
                String k = "u32:" + rnd.nextInt(12);
                String st = i == 45 ? "create a type=hash key=4 value=8 max=4 flags=zero_seed" : switch (rnd.nextInt(7)) {
                    case 0, 1, 2 -> "update " + m + " " + k + " u64:" + rnd.nextInt(100);
                    case 3 -> "delete " + m + " " + k;
                    case 4 -> "prog_lookup " + m + " " + k;
                    case 5 -> "cpu " + rnd.nextInt(s.backend().possibleCpus());
                    default -> "lookup_and_delete " + m + " " + k;
                };
                s.run(st);
                assertMatchesEngine(s, "seed " + seed + " after " + st);
            }
            Timeline t = s.timeline();
            assertThat(t.present().mapNames()).containsExactly("b", "c", "a");
            for (int p = 0; p <= t.size(); p += Math.max(1, t.size() / 29)) {
                t.seek(p);
                assertThat(t.state().fingerprint()).as("seed %d at %d", seed, p).isEqualTo(t.refold(p).fingerprint());
            }
            // each event went to the map that reported it: a's first incarnation got no event after its re-creation
            int recreated = -1;
            for (int i = 0; i < t.size(); i++) {
                if (t.entry(i).event() instanceof io.htablab.hashtab.htab.event.MapEvent.MapCreated c
                        && c.name().equals("a") && recreated < 0 && i > 0 && c.mapId() != 1) {
                    recreated = i;
                }
            }
            assertThat(recreated).isPositive();
            for (int i = recreated; i < t.size(); i++) {
                assertThat(t.entry(i).mapId()).isNotEqualTo(1);
            }
        }
    }

    @Test
    void anEvictionsBucketLockBelongsToTheCpuOfTheOperation() {
        try (Session s = new Session(2)) {
            s.run("create l type=lru_hash key=4 value=4 max=2 flags=zero_seed,no_common_lru");
            s.run("cpu 1");
            for (int k = 0; k < 6; k++) {
                s.run("update l u32:" + k + " u32:" + k);
            }
            Timeline t = s.timeline();
            boolean sawEviction = false;
            io.htablab.hashtab.htab.event.BucketEvent.BucketLocked lastLock = null;
            for (int i = 0; i < t.size(); i++) {
                if (t.entry(i).event() instanceof io.htablab.hashtab.htab.event.BucketEvent.BucketLocked l) {
                    t.seek(i + 1);
                    WorldModel w = t.state();
                    assertThat(w.cpuState(1).holds()).as("at %d", i)
                            .contains(new io.htablab.visualizer.model.CpuState.LockHold(l.mapId(), l.bucket()));
                    assertThat(w.cpuState(0).holds()).isEmpty();
                    assertThat(w.map("l").locks()).containsEntry(l.bucket(), 1);
                    lastLock = l;
                } else if (t.entry(i).event() instanceof io.htablab.hashtab.htab.event.LruEvent.EvictAttempted ev
                        && ev.evicted() && lastLock != null) {
                    // the last lock before an eviction is the victim's bucket: the kernel evicts on the CPU of
                    // the operation (the LRU pops before the update locks its own bucket)
                    assertThat(lastLock.cpu()).isEqualTo(1);
                    sawEviction = true;
                }
            }
            assertThat(sawEviction).as("an LRU eviction locked a bucket").isTrue();
            t.seek(t.size());
            assertThat(t.state().cpuState(1).idle()).isTrue();
        }
    }

    static final String FLOW_C = "struct flow { __u32 pid; __u16 port; char comm[6]; __u8 proto:3, dir:5; "
            + "struct { __u8 lo, hi; } range; }; struct val { struct bpf_spin_lock lock; __u64 packets; __s16 delta[2]; };";

    /** A map created with BTF types, as a scenario declares it. */
    static Session typedSession() {
        Session s = new Session(2);
        assertThat(s.run("ctype " + FLOW_C).output()).containsExactly("ok");
        assertThat(s.run("create flows type=hash max=8 flags=zero_seed btf_key=struct:flow btf_value=struct:val")
                .output()).containsExactly("ok");
        return s;
    }

    @Test
    void keysAndValuesWrittenFieldByFieldReachTheEngineAsTheirBytes() {
        try (Session s = typedSession()) {
            assertThat(s.typesOf("flows")).isNotNull();
            Session.Result r = s.run("update flows {.pid=7, .port=80, .comm=\"bash\", .proto=5, .dir=31, .range={.lo=1, .hi=2}} "
                    + "{.packets=9, .delta={-1, 2}}");
            assertThat(r.error()).isNull();
            assertThat(r.output()).containsExactly("ok");
            // by the layout: pid @0, port @4, comm @6..11 ("bash" NUL-padded), proto and dir in byte 12 (proto = bits
            // 0..2, dir = 3..7: 5 | 31 << 3 = 0xfd), range @13..14, 1 byte of tail padding; the value: lock @0, 4 bytes
            // padding, packets @8, delta @16 (-1 = ffff, 2 = 0200), 4 bytes of tail padding
            String key = "070000005000626173680000fd010200";
            String value = "00000000000000000900000000000000ffff020000000000";
            assertThat(s.run("lookup flows " + key).output()).containsExactly("value " + value);
            assertThat(s.run("lookup flows {.pid=7, .port=80, .comm=\"bash\", .proto=5, .dir=31, .range={.lo=1, .hi=2}}").output())
                    .containsExactly("value " + value);
            BpfMap engine = s.backend().engineMap(s.handle("flows"));
            HtabState st = engine.state();
            int e = -1;
            for (int b = 0; b < st.nBuckets(); b++) {
                if (st.chain(b).length > 0) {
                    e = st.chain(b)[0];
                }
            }
            assertThat(io.htablab.visualizer.model.Hex.of(st.elemKey(e))).isEqualTo(key);
            // the model decodes what the engine stored
            MapModel m = s.timeline().present().map("flows");
            assertThat(m.keyText(m.elemKey(e))).isEqualTo("{.pid=7, .port=80, .comm=\"bash\", .proto=5, .dir=31, .range={.lo=1, .hi=2}}");
            assertThat(m.types().valueText(m.elemValueSlot(e, 0)))
                    .isEqualTo("{.lock=‹bpf_spin_lock›, .packets=9, .delta={-1, 2}}");
            // the session records what was typed: its ctype and BTF create make it replay anywhere
            assertThat(s.recorded()).contains("ctype " + FLOW_C, "update flows {.pid=7, .port=80, .comm=\"bash\", "
                    + ".proto=5, .dir=31, .range={.lo=1, .hi=2}} {.packets=9, .delta={-1, 2}}");
            assertThat(s.typesOf("flows").source()).isEqualTo("btf_key/btf_value");
        }
    }

    @Test
    void badFieldsAreRefusedWithTheMemberAndChangeNothing() {
        try (Session s = typedSession()) {
            Session.Result r = s.run("update flows {.pid=7, .prot=80} {.packets=1}");
            assertThat(r.output()).containsExactly("error EINVAL");
            assertThat(r.error()).contains("prot");
            assertThat(s.run("update flows {.pid=1} {.lock={1}}").error()).contains("lock");
            assertThat(s.run("update flows {.proto=8} {.packets=1}").error()).contains("proto");
            assertThat(s.run("create raw type=hash key=4 value=4 max=4").output()).containsExactly("ok");
            assertThat(s.run("update raw {.a=1} u32:1").error()).contains("no BTF key type");
            assertThat(s.timeline().present().map("flows").count()).isZero();
            assertThat(s.timeline().present().map("raw").types()).isNull();
        }
    }

    @Test
    void theConsoleCompletesMemberNamesInsideBraces() {
        try (Session s = typedSession()) {
            assertThat(s.complete("update flows {.p")).containsExactly("{.pid=", "{.port=", "{.proto=");
            assertThat(s.complete("update flows {.pid=1, .co")).containsExactly(".comm=");
            assertThat(s.complete("update flows {.range={")).containsExactly("{.range={.lo=", "{.range={.hi=");
            assertThat(s.complete("update flows {.pid=1} {.pa")).containsExactly("{.packets=");
            assertThat(s.complete("lookup flows {")).containsExactly("{.pid=", "{.port=", "{.comm=", "{.proto=", "{.dir=",
                    "{.range=");
            assertThat(s.complete("update_batch flows {.pid=1}={.de")).containsExactly("{.pid=1}={.delta=");
            assertThat(s.complete("upd")).containsExactly("update", "update_batch"); // keywords as before
        }
    }

    static void assertMatchesEngine(Session s, String what) {
        WorldModel w = s.timeline().foldTo(s.timeline().size());
        assertThat(w.mapNames()).as(what).containsExactlyInAnyOrderElementsOf(s.mapNames());
        for (String name : s.mapNames()) {
            BpfMap engine = s.backend().engineMap(internalHandle(s, name));
            HtabState st = engine.state();
            MapModel m = w.map(name);
            assertThat(m).as(what + " map " + name).isNotNull();
            assertThat(m.anomalies()).as(what).isEmpty();
            assertThat(m.count()).as(what + " count").isEqualTo(st.count());
            assertThat(m.nBuckets()).isEqualTo(st.nBuckets());
            for (int b = 0; b < st.nBuckets(); b++) {
                assertThat(m.chain(b)).as(what + " bucket " + b).containsExactly(st.chain(b));
                assertThat(m.chainEndMarker(b)).isEqualTo(st.chainEndMarker(b));
                for (int e : st.chain(b)) {
                    assertThat(m.elemKey(e)).as(what + " key of e" + e).containsExactly(st.elemKey(e));
                    assertThat(m.elemHash(e)).isEqualTo(st.elemHash(e));
                    byte[] v = st.elemValue(e);
                    byte[] mv = m.elemValue(e);
                    assertThat(mv).as(what + " value of e" + e).isNotNull();
                    assertThat(java.util.Arrays.copyOf(mv, v.length)).as(what + " value of e" + e).containsExactly(v);
                }
            }
            for (int c = 0; c < st.possibleCpus(); c++) {
                assertThat(m.freelist(c)).as(what + " freelist " + c).containsExactly(st.freelist(c));
                assertThat(m.extra(c)).as(what + " extra " + c).isEqualTo(st.extra(c));
            }
            assertThat(m.memlock()).as(what + " memlock").isEqualTo(st.memlock());
            if (m.isLru()) {
                assertThat(st instanceof Htab hh && hh.lru() != null).as(what + " engine LRU reachable").isTrue();
            }
            if (st instanceof Htab h && h.lru() != null) {
                BpfLru lru = h.lru();
                assertThat(m.lru()).isNotNull();
                int lists = lru.isPercpu() ? lru.possibleCpus() : 1;
                for (int c = 0; c < lists; c++) {
                    int lruCpu = lru.isPercpu() ? c : LruEvent.GLOBAL;
                    for (BpfLruListType t : new BpfLruListType[] {BpfLruListType.ACTIVE, BpfLruListType.INACTIVE,
                            BpfLruListType.FREE}) {
                        assertThat(m.lru().list(t, lruCpu)).as(what + " " + t + " " + c)
                                .containsExactly(lru.listNodes(t, lru.isPercpu() ? c : 0));
                    }
                    assertThat(m.lru().rotationCursor(lruCpu)).as(what + " rot")
                            .isEqualTo(lru.rotationCursor(lru.isPercpu() ? c : 0));
                }
                if (!lru.isPercpu()) {
                    for (int c = 0; c < lru.possibleCpus(); c++) {
                        assertThat(m.lru().list(BpfLruListType.LOCAL_FREE, c)).as(what + " local free " + c)
                                .containsExactly(lru.listNodes(BpfLruListType.LOCAL_FREE, c));
                        assertThat(m.lru().list(BpfLruListType.LOCAL_PENDING, c)).as(what + " pending " + c)
                                .containsExactly(lru.listNodes(BpfLruListType.LOCAL_PENDING, c));
                        assertThat(m.lru().nextSteal(c)).isEqualTo(lru.nextSteal(c));
                    }
                }
                for (int n = 0; n < lru.nrElems(); n++) {
                    assertThat(m.lru().ref(n)).as(what + " ref n" + n).isEqualTo(lru.nodeRef(n));
                }
            }
        }
    }

    private static io.htablab.hashtab.scenario.Backend.MapHandle internalHandle(Session s, String name) {
        return s.handle(name);
    }
}
