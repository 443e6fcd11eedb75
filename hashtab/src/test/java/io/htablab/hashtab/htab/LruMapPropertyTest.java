package io.htablab.hashtab.htab;

import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.lru.BpfLru;
import io.htablab.hashtab.htab.lru.BpfLruListType;
import io.htablab.hashtab.htab.lru.LruEventReplayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random operation sequences on whole LRU maps (LRU_HASH and LRU_PERCPU_HASH, common LRU and NO_COMMON_LRU,
 * P = 1..4, max_entries 1..600), through the public map API from syscalls and programs. After every operation:
 * <ul>
 *   <li>the LRU's own invariant check with the table's linked set, and the same invariants re-checked here
 *       through accessors (linked elements ACTIVE/INACTIVE/LOCAL_PENDING, FREE/LOCAL_FREE in no bucket, each node
 *       on exactly one list, counters equal list lengths, count equals linked elements);</li>
 *   <li>a reference model of key to per-CPU values, which learns about evictions only from the engine's events
 *       ({@link LruEvent.EvictAttempted}), agrees with the map's lookups and its return codes;</li>
 *   <li>a statement refused with EINVAL before any node is taken leaves the table and the LRU unchanged;</li>
 *   <li>the state folded from the event stream alone since creation (hash-table fold of
 *       {@link HtabPropertyTest.EventFold} plus the LRU lists of {@link LruEventReplayer}) equals the real one.</li>
 * </ul>
 */
class LruMapPropertyTest {

    private static final HexFormat HEX = HexFormat.of();

    static Stream<Long> seeds() {
        return LongStream.range(0, 64).mapToObj(i -> 0x1e00L + i * 104729L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSequencesKeepInvariantsModelAndEventFold(long seed) {
        try {
            new Run(seed).run();
        } catch (AssertionError e) {
            throw new AssertionError("LRU map property failed for seed " + seed + " (rerun with this seed): "
                    + e.getMessage(), e);
        }
    }

    /** Records what an operation's events say happened to keys: evictions, in order, between pop starts. */
    private static final class EvictionLog implements EventSink {
        final Map<Integer, String> keyOfElem = new HashMap<>();
        /** Entries "pop" (a node acquisition began) and "evict KEYHEX", for the current operation. */
        final List<String> log = new ArrayList<>();

        @Override
        public void accept(HtabEvent ev) {
            if (ev instanceof BucketEvent.ElemLinked l) {
                keyOfElem.put(l.elem(), HEX.formatHex(l.key()));
            } else if (ev instanceof LruEvent.PopStarted) {
                log.add("pop");
            } else if (ev instanceof LruEvent.EvictAttempted a && a.evicted()) {
                log.add("evict " + keyOfElem.get(a.node()));
            }
        }

        List<String> evictedKeys() {
            return log.stream().filter(s -> s.startsWith("evict ")).map(s -> s.substring(6)).toList();
        }
    }

    private static final class Run {
        final long seed;
        final SplittableRandom rnd;
        final MapType type;
        final boolean noCommon;
        final int p;
        final int max;
        final int keySize;
        final int valueSize;
        final int r8;
        final BpfMap map;
        final HtabState s;
        final BpfLru lru;
        final HtabPropertyTest.EventFold fold = new HtabPropertyTest.EventFold();
        final LruEventReplayer lruReplay = new LruEventReplayer(false);
        final EvictionLog evictions = new EvictionLog();
        /** key hex -> one value_size value per CPU (one entry for LRU_HASH). */
        final Map<String, byte[][]> model = new HashMap<>();
        final int keySpace;
        int cpu;

        Run(long seed) {
            this.seed = seed;
            rnd = new SplittableRandom(seed);
            type = rnd.nextBoolean() ? MapType.LRU_HASH : MapType.LRU_PERCPU_HASH;
            noCommon = rnd.nextInt(3) == 0;
            p = 1 + rnd.nextInt(4);
            int pick = rnd.nextInt(8);
            max = pick < 5 ? 1 + rnd.nextInt(16) : pick < 7 ? 17 + rnd.nextInt(200) : 300 + rnd.nextInt(301);
            keySize = new int[] {8, 4, 5}[rnd.nextInt(3)];
            valueSize = new int[] {8, 4, 12}[rnd.nextInt(3)];
            r8 = (valueSize + 7) & ~7;
            int flags = (rnd.nextBoolean() ? MapFlag.ZERO_SEED.bit() : 0)
                    | (noCommon ? MapFlag.NO_COMMON_LRU.bit() : 0);
            EventSink all = new EventSink() {
                @Override
                public void accept(HtabEvent ev) {
                    fold.accept(ev);
                    lruReplay.accept(ev);
                    evictions.accept(ev);
                }
            };
            CreateResult cr = BpfMap.create(new HtabAttr(type, keySize, valueSize, max, flags),
                    MapOptions.defaults().withPossibleCpus(p).withCreatingCpu(rnd.nextInt(p)).withEvents(all));
            assertThat(cr.errno()).as(config()).isEqualTo(Errno.OK);
            map = cr.map();
            s = map.state();
            // The engine's LRU is reachable through Htab (the HtabState implementation), read-only use here.
            lru = ((Htab) s).lru();
            assertThat(lru).isNotNull();
            keySpace = Math.max(4, (int) s.maxEntries() * 2 + 2);
        }

        String config() {
            return type.scenarioName() + (noCommon ? " no_common_lru" : " common") + " P=" + p + " max=" + max
                    + " key=" + keySize + " value=" + valueSize;
        }

        boolean percpu() {
            return type == MapType.LRU_PERCPU_HASH;
        }

        void run() {
            int steps = max > 200 ? 400 : 300;
            for (int step = 0; step < steps; step++) {
                evictions.log.clear();
                String what = step(step);
                String where = config() + ", step " + step + " (" + what + ")";
                checkInvariants(where);
                fold.compareWith(s, where);
                assertThat(lruReplay.problems).as(where).isEmpty();
                assertThat(lruReplay.mismatches(lru)).as("LRU rebuilt from events after " + where).isEmpty();
            }
        }

        String step(int step) {
            byte[] key = key(rnd.nextInt(keySpace));
            String k = HEX.formatHex(key);
            int op = rnd.nextInt(100);
            if (op < 5) {
                cpu = rnd.nextInt(p);
                return "cpu " + cpu;
            }
            if (op < 10) {
                return refused(key);
            }
            if (op < 35) {
                long fl = new long[] {ElemFlag.BPF_ANY, ElemFlag.BPF_ANY, ElemFlag.BPF_NOEXIST, ElemFlag.BPF_EXIST}
                        [rnd.nextInt(4)];
                byte[][] slots = randomSlots(percpu() ? p : 1);
                Errno r = map.update(cpu, key, percpu() ? pack(slots) : slots[0], fl);
                applyEvictions();
                checkNoEvictionWhen(percpu() && fl == ElemFlag.BPF_EXIST, "LRU_PERCPU_HASH EXIST never allocates");
                assertThat(r).as("update %s flags %d", k, fl).isEqualTo(expectUpdate(k, fl));
                if (r == Errno.OK) {
                    model.put(k, slots);
                }
                return "update " + k + " flags " + fl + " -> " + r;
            }
            if (op < 50) {
                long fl = new long[] {ElemFlag.BPF_ANY, ElemFlag.BPF_NOEXIST, ElemFlag.BPF_EXIST}[rnd.nextInt(3)];
                byte[] v = randomSlots(1)[0];
                Errno r = map.progUpdate(cpu, key, v, fl);
                applyEvictions();
                assertThat(r).as("prog_update %s flags %d", k, fl).isEqualTo(expectUpdate(k, fl));
                if (r == Errno.OK) {
                    byte[][] nv;
                    if (percpu()) {
                        byte[][] old = model.get(k);
                        nv = old != null ? old.clone() : new byte[p][valueSize];
                        nv[cpu] = v;
                    } else {
                        nv = new byte[][] {v};
                    }
                    model.put(k, nv);
                }
                return "prog_update " + k + " flags " + fl + " -> " + r;
            }
            if (op < 65) {
                ValueResult r = map.progLookup(cpu, key);
                checkNoEvictionWhen(true, "a lookup never evicts");
                byte[][] exp = model.get(k);
                if (exp == null) {
                    assertThat(r.errno()).as("prog_lookup %s", k).isEqualTo(Errno.ENOENT);
                } else {
                    assertThat(r.value()).as("prog_lookup %s", k).isEqualTo(exp[percpu() ? cpu : 0]);
                }
                return "prog_lookup " + k + " -> " + r.errno();
            }
            if (op < 72) {
                ValueResult r = map.lookup(cpu, key, 0);
                checkNoEvictionWhen(true, "a lookup never evicts");
                checkSyscallValue(k, r, "lookup " + k);
                return "lookup " + k + " -> " + r.errno();
            }
            if (op < 80) {
                boolean prog = rnd.nextBoolean();
                Errno r = prog ? map.progDelete(cpu, key) : map.delete(cpu, key);
                checkNoEvictionWhen(true, "a delete never evicts");
                assertThat(r).as("delete %s", k).isEqualTo(model.remove(k) != null ? Errno.OK : Errno.ENOENT);
                return (prog ? "prog_delete " : "delete ") + k + " -> " + r;
            }
            if (op < 85) {
                ValueResult r = map.lookupAndDelete(cpu, key, 0);
                checkNoEvictionWhen(true, "lookup_and_delete never evicts");
                checkSyscallValue(k, r, "lookup_and_delete " + k);
                model.remove(k);
                return "lookup_and_delete " + k + " -> " + r.errno();
            }
            if (op < 90) {
                boolean del = rnd.nextInt(3) == 0;
                long count = rnd.nextInt(3) == 0 ? s.maxEntries() * 2 : 1 + rnd.nextInt(6);
                byte[] in = rnd.nextBoolean() ? null : BatchResult.cursor(rnd.nextInt(s.nBuckets()));
                BatchResult r = del ? map.lookupAndDeleteBatch(cpu, in, count, 0, 0)
                        : map.lookupBatch(cpu, in, count, 0, 0);
                checkNoEvictionWhen(true, "a lookup batch never evicts");
                for (int i = 0; i < r.keys().size(); i++) {
                    String kk = HEX.formatHex(r.keys().get(i));
                    byte[][] exp = model.get(kk);
                    assertThat(exp).as("batch returned %s, which the model does not hold", kk).isNotNull();
                    assertSyscallValue(r.values().get(i), exp, "batch value of " + kk);
                    if (del) {
                        model.remove(kk);
                    }
                }
                return (del ? "lookup_and_delete_batch" : "lookup_batch") + " count " + count + " -> " + r.errno()
                        + " " + r.count();
            }
            if (op < 95) {
                // Large batches let maps of hundreds of entries fill up and evict within one run.
                int n = 1 + rnd.nextInt(Math.max(4, max / 6));
                List<byte[]> ks = new ArrayList<>();
                List<byte[][]> sl = new ArrayList<>();
                List<byte[]> vs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ks.add(key(rnd.nextInt(keySpace)));
                    byte[][] slots = randomSlots(percpu() ? p : 1);
                    sl.add(slots);
                    vs.add(percpu() ? pack(slots) : slots[0]);
                }
                BatchResult r = map.updateBatch(cpu, ks, vs, 0);
                assertThat(r.errno()).as("update_batch").isEqualTo(Errno.OK);
                assertThat(r.count()).isEqualTo(n);
                // Element i's node acquisition (its "pop") may evict keys the batch itself inserted before it.
                int applied = -1;
                for (String entry : evictions.log) {
                    if (entry.equals("pop")) {
                        if (applied >= 0) {
                            model.put(HEX.formatHex(ks.get(applied)), sl.get(applied));
                        }
                        applied++;
                    } else {
                        model.remove(entry.substring(6));
                    }
                }
                assertThat(applied).as("one node acquisition per element").isEqualTo(n - 1);
                model.put(HEX.formatHex(ks.get(applied)), sl.get(applied));
                return "update_batch n=" + n;
            }
            int n = 1 + rnd.nextInt(3);
            List<byte[]> ks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ks.add(rnd.nextBoolean() && !model.isEmpty() ? anyModelKey() : key(rnd.nextInt(keySpace)));
            }
            BatchResult r = map.deleteBatch(cpu, ks, 0);
            checkNoEvictionWhen(true, "a delete batch never evicts");
            int done = 0;
            Errno exp = Errno.OK;
            for (byte[] kb : ks) {
                if (model.remove(HEX.formatHex(kb)) == null) {
                    exp = Errno.ENOENT;
                    break;
                }
                done++;
            }
            assertThat(r.errno()).as("delete_batch").isEqualTo(exp);
            assertThat(r.count()).as("delete_batch count").isEqualTo(done);
            return "delete_batch n=" + n + " -> " + r.errno();
        }

        /** Statements the kernel refuses with EINVAL before it takes a node: nothing may change. */
        String refused(byte[] key) {
            State before = State.of(s, lru);
            String what;
            Errno r;
            switch (rnd.nextInt(7)) {
                case 0 -> {
                    long fl = new long[] {3, ElemFlag.BPF_F_LOCK, ElemFlag.BPF_F_LOCK | ElemFlag.BPF_EXIST, -1L}
                            [rnd.nextInt(4)];
                    what = "update flags " + fl;
                    r = map.update(cpu, key, new byte[map.userValueSize()], fl);
                }
                case 1 -> {
                    what = "prog_update flags 3";
                    r = map.progUpdate(cpu, key, new byte[valueSize], 3);
                }
                case 2 -> {
                    what = "update with a key one byte short";
                    r = map.update(cpu, Arrays.copyOf(key, keySize - 1), new byte[map.userValueSize()], 0);
                }
                case 3 -> {
                    what = "update with a value one byte long";
                    r = map.update(cpu, key, new byte[map.userValueSize() + 1], 0);
                }
                case 4 -> {
                    what = "update on CPU " + p + " (not possible)";
                    r = map.update(p, key, new byte[map.userValueSize()], 0);
                }
                case 5 -> {
                    what = "update_batch flags noexist";
                    r = map.updateBatch(cpu, List.of(key), List.of(new byte[map.userValueSize()]),
                            ElemFlag.BPF_NOEXIST).errno();
                }
                default -> {
                    what = "prog_update with a value one byte short";
                    r = map.progUpdate(cpu, key, new byte[valueSize - 1], 0);
                }
            }
            assertThat(r).as(what).isEqualTo(Errno.EINVAL);
            assertThat(evictions.log).as("%s took no node", what).isEmpty();
            assertThat(State.of(s, lru)).as("refused %s left the map and its LRU unchanged", what)
                    .isEqualTo(before);
            return what + " -> EINVAL";
        }

        Errno expectUpdate(String k, long fl) {
            boolean exists = model.containsKey(k);
            if (exists && fl == ElemFlag.BPF_NOEXIST) {
                return Errno.EEXIST;
            }
            if (!exists && fl == ElemFlag.BPF_EXIST) {
                return Errno.ENOENT;
            }
            return Errno.OK;
        }

        /** The model learns evictions from the events: keys evicted by this operation's node acquisition. */
        void applyEvictions() {
            for (String evicted : evictions.evictedKeys()) {
                assertThat(evicted).as("evicted element had a key").isNotNull();
                assertThat(model.remove(evicted)).as("evicted key %s was in the model", evicted).isNotNull();
            }
        }

        void checkNoEvictionWhen(boolean condition, String why) {
            if (condition) {
                assertThat(evictions.evictedKeys()).as(why).isEmpty();
            }
        }

        void checkSyscallValue(String k, ValueResult r, String what) {
            byte[][] exp = model.get(k);
            if (exp == null) {
                assertThat(r.errno()).as(what).isEqualTo(Errno.ENOENT);
            } else {
                assertThat(r.errno()).as(what).isEqualTo(Errno.OK);
                assertSyscallValue(r.value(), exp, what);
            }
        }

        void assertSyscallValue(byte[] got, byte[][] exp, String what) {
            if (!percpu()) {
                assertThat(got).as(what).isEqualTo(exp[0]);
                return;
            }
            for (int c = 0; c < p; c++) {
                assertThat(Arrays.copyOfRange(got, c * r8, c * r8 + valueSize)).as(what + " cpu " + c)
                        .isEqualTo(exp[c]);
            }
        }

        void checkInvariants(String where) {
            Set<Integer> linked = new HashSet<>();
            Map<String, Integer> keys = new HashMap<>();
            for (int b = 0; b < s.nBuckets(); b++) {
                assertThat(s.chainEndMarker(b)).as("%s: chain %d ends in its own nulls marker", where, b)
                        .isEqualTo(b);
                for (int e : s.chain(b)) {
                    assertThat(linked.add(e)).as("%s: element %d linked twice", where, e).isTrue();
                    assertThat(keys.put(HEX.formatHex(s.elemKey(e)), e)).as("%s: duplicate key", where).isNull();
                    BpfLruListType t = lru.nodeType(e);
                    assertThat(t).as("%s: linked element %d's node type", where, e)
                            .isIn(BpfLruListType.ACTIVE, BpfLruListType.INACTIVE, BpfLruListType.LOCAL_PENDING);
                    assertThat(lru.nodeHash(e)).as("%s: node %d stores its element's hash", where, e)
                            .isEqualTo(s.elemHash(e));
                }
            }
            assertThat(lru.checkInvariants(linked::contains)).as("BpfLru.checkInvariants after %s", where).isEmpty();
            assertThat(s.count()).as("%s: count equals linked elements", where).isEqualTo(linked.size());
            assertThat(linked.size()).as("%s: never more than max_entries", where)
                    .isLessThanOrEqualTo((int) s.maxEntries());
            // Each node on exactly one list; FREE/LOCAL_FREE nodes in no bucket; counters equal list lengths.
            int[] seen = new int[lru.nrElems()];
            int lists = lru.isPercpu() ? p : 1;
            for (int l = 0; l < lists; l++) {
                for (BpfLruListType t : List.of(BpfLruListType.ACTIVE, BpfLruListType.INACTIVE, BpfLruListType.FREE)) {
                    int[] nodes = lru.listNodes(t, l);
                    count(nodes, t, seen, linked, where);
                    if (t == BpfLruListType.ACTIVE) {
                        assertThat(lru.activeCount(l)).as("%s: ACTIVE counter of list %d", where, l)
                                .isEqualTo(nodes.length);
                    } else if (t == BpfLruListType.INACTIVE) {
                        assertThat(lru.inactiveCount(l)).as("%s: INACTIVE counter of list %d", where, l)
                                .isEqualTo(nodes.length);
                    }
                }
            }
            if (!lru.isPercpu()) {
                for (int c = 0; c < p; c++) {
                    count(lru.listNodes(BpfLruListType.LOCAL_FREE, c), BpfLruListType.LOCAL_FREE, seen, linked, where);
                    count(lru.listNodes(BpfLruListType.LOCAL_PENDING, c), BpfLruListType.LOCAL_PENDING, seen, linked,
                            where);
                }
            }
            for (int n = 0; n < seen.length; n++) {
                assertThat(seen[n]).as("%s: node %d is on exactly one list", where, n).isEqualTo(1);
            }
            // The model (fed only with evictions from events) agrees with the table and with lookups.
            assertThat(keys.keySet()).as("%s: keys in the table are the model's", where)
                    .containsExactlyInAnyOrderElementsOf(model.keySet());
            List<String> sample = new ArrayList<>(model.keySet());
            if (sample.size() > 24) {
                java.util.Collections.shuffle(sample, new java.util.Random(rnd.nextLong()));
                sample = sample.subList(0, 24);
            }
            for (String k : sample) {
                checkSyscallValue(k, map.lookup(rnd.nextInt(p), HEX.parseHex(k), 0), where + ": lookup " + k);
            }
            byte[] absent = key(keySpace + rnd.nextInt(1000));
            assertThat(map.lookup(cpu, absent, 0).errno()).as("%s: a key never inserted", where)
                    .isEqualTo(Errno.ENOENT);
        }

        void count(int[] nodes, BpfLruListType t, int[] seen, Set<Integer> linked, String where) {
            for (int n : nodes) {
                seen[n]++;
                assertThat(lru.nodeType(n)).as("%s: node %d on %s", where, n, t).isEqualTo(t);
                if (t == BpfLruListType.FREE || t == BpfLruListType.LOCAL_FREE) {
                    assertThat(linked).as("%s: %s node %d is in no bucket", where, t, n).doesNotContain(n);
                }
            }
        }

        byte[] anyModelKey() {
            List<String> ks = new ArrayList<>(model.keySet());
            ks.sort(null);
            return HEX.parseHex(ks.get(rnd.nextInt(ks.size())));
        }

        byte[] key(int k) {
            byte[] b = new byte[keySize];
            for (int i = 0; i < Math.min(4, keySize); i++) {
                b[i] = (byte) (k >>> (8 * i));
            }
            if (keySize > 4) {
                b[keySize - 1] = (byte) 0x3c;
            }
            return b;
        }

        byte[][] randomSlots(int n) {
            byte[][] out = new byte[n][valueSize];
            for (byte[] v : out) {
                for (int i = 0; i < valueSize; i++) {
                    v[i] = (byte) rnd.nextInt(256);
                }
            }
            return out;
        }

        byte[] pack(byte[][] slots) {
            byte[] out = new byte[slots.length * r8];
            for (int c = 0; c < slots.length; c++) {
                System.arraycopy(slots[c], 0, out, c * r8, valueSize);
            }
            return out;
        }
    }

    /** Everything a refused statement must not change: the table (chains, keys, values, count) and the LRU. */
    record State(HtabPropertyTest.Snapshot table, List<String> lruLists, String refs, List<Integer> cursors,
                 List<Integer> nextSteal) {
        static State of(HtabState s, BpfLru lru) {
            List<String> lists = new ArrayList<>();
            List<Integer> cursors = new ArrayList<>();
            List<Integer> steal = new ArrayList<>();
            for (int c = 0; c < lru.possibleCpus(); c++) {
                for (BpfLruListType t : BpfLruListType.values()) {
                    if (lru.isPercpu() && !t.isLruListType()) {
                        continue;
                    }
                    lists.add(t + "@" + c + Arrays.toString(lru.listNodes(t, c)));
                }
                if (lru.isPercpu() || c == 0) {
                    cursors.add(lru.rotationCursor(c));
                    cursors.add(lru.activeCount(c));
                    cursors.add(lru.inactiveCount(c));
                }
                if (!lru.isPercpu()) {
                    steal.add(lru.nextSteal(c));
                }
            }
            StringBuilder refs = new StringBuilder();
            for (int n = 0; n < lru.nrElems(); n++) {
                refs.append(lru.nodeRef(n) ? '1' : '0');
            }
            return new State(HtabPropertyTest.Snapshot.of(s), lists, refs.toString(), cursors, steal);
        }
    }
}
