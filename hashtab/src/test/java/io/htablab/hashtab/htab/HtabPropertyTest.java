package io.htablab.hashtab.htab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.FreelistEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.MapEvent;
import io.htablab.hashtab.htab.hash.Jhash;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random operation sequences on HASH and PERCPU_HASH (prealloc and not, P = 1..4, small and larger maps) checked
 * after every operation against structural invariants, a reference model of keys and per-CPU values, an
 * unchanged-on-error snapshot, and a model folded from the event stream alone.
 */
class HtabPropertyTest {

    private static final HexFormat HEX = HexFormat.of();

    static Stream<Long> seeds() {
        return LongStream.range(0, 48).mapToObj(i -> 0x5eed0000L + i * 7919L);
    }

    /** Reference model: key -> one value_size value per CPU (padding is not modelled). */
    private static final class Model {
        final Map<String, byte[][]> entries = new HashMap<>();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSequences(long seed) {
        try {
            run(seed);
        } catch (AssertionError e) {
            throw new AssertionError("property failed for seed " + seed + " (rerun with this seed): "
                    + e.getMessage(), e);
        }
    }

    private void run(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MapType type = rnd.nextBoolean() ? MapType.HASH : MapType.PERCPU_HASH;
        boolean noPrealloc = rnd.nextInt(3) == 0;
        int p = 1 + rnd.nextInt(4);
        int max = rnd.nextInt(4) == 0 ? 64 + rnd.nextInt(200) : 1 + rnd.nextInt(12);
        int keySize = new int[] {4, 5, 8, 3}[rnd.nextInt(4)];
        int valueSize = new int[] {4, 6, 8, 12}[rnd.nextInt(4)];
        int flags = MapFlag.ZERO_SEED.bit() * rnd.nextInt(2) | (noPrealloc ? MapFlag.NO_PREALLOC.bit() : 0);
        EventFold fold = new EventFold();
        CreateResult cr = BpfMap.create(new HtabAttr(type, keySize, valueSize, max, flags),
                MapOptions.defaults().withPossibleCpus(p).withCreatingCpu(rnd.nextInt(p)).withEvents(fold));
        assertThat(cr.errno()).isEqualTo(Errno.OK);
        BpfMap map = cr.map();
        HtabState s = map.state();
        Model model = new Model();
        int keySpace = max * 2 + 2;
        boolean percpu = type.isPercpu();
        int r8 = (valueSize + 7) & ~7;

        for (int step = 0; step < 250; step++) {
            int cpu = rnd.nextInt(p);
            byte[] key = key(rnd.nextInt(keySpace), keySize);
            String k = HEX.formatHex(key);
            Snapshot before = Snapshot.of(s);
            int op = rnd.nextInt(14);
            Errno result;
            boolean mayPartiallyApply = false;
            String what;
            switch (op) {
                case 0, 1, 2 -> {
                    long fl = pickFlags(rnd);
                    byte[][] slots = randomSlots(rnd, percpu ? p : 1, valueSize);
                    byte[] v = percpu ? pack(slots, r8) : slots[0];
                    if (rnd.nextInt(30) == 0) {
                        v = new byte[v.length + 1];
                    }
                    what = "update " + k + " flags " + fl;
                    result = map.update(cpu, key, v, fl);
                    Errno expect = expectUpdate(model, k, fl, max, v.length != map.userValueSize());
                    assertThat(result).as(what).isEqualTo(expect);
                    if (result == Errno.OK) {
                        model.entries.put(k, percpu ? slots : new byte[][] {slots[0]});
                    }
                }
                case 3, 4 -> {
                    long fl = pickFlags(rnd);
                    byte[] v = randomSlots(rnd, 1, valueSize)[0];
                    what = "prog_update " + k + " flags " + fl + " cpu " + cpu;
                    result = map.progUpdate(cpu, key, v, fl);
                    Errno expect = expectUpdate(model, k, fl, max, false);
                    if (!percpu && (fl & ElemFlag.BPF_F_LOCK) != 0 && Long.compareUnsigned(fl & ~4L, 2) <= 0) {
                        expect = Errno.EINVAL; // no spin lock in the value
                    }
                    assertThat(result).as(what).isEqualTo(expect);
                    if (result == Errno.OK) {
                        byte[][] old = model.entries.get(k);
                        byte[][] nv;
                        if (!percpu) {
                            nv = new byte[][] {v};
                        } else {
                            nv = old != null ? old.clone() : zeros(p, valueSize);
                            nv[cpu] = v;
                        }
                        model.entries.put(k, nv);
                    }
                }
                case 5 -> {
                    what = "delete " + k;
                    result = rnd.nextBoolean() ? map.delete(cpu, key) : map.progDelete(cpu, key);
                    assertThat(result).as(what).isEqualTo(model.entries.containsKey(k) ? Errno.OK : Errno.ENOENT);
                    model.entries.remove(k);
                }
                case 6, 7 -> {
                    what = "lookup " + k;
                    ValueResult r = map.lookup(cpu, key, 0);
                    result = r.errno();
                    checkValue(model, k, r, percpu, p, valueSize, r8, what);
                }
                case 8 -> {
                    what = "prog_lookup " + k;
                    ValueResult r = map.progLookup(cpu, key);
                    result = r.errno();
                    byte[][] exp = model.entries.get(k);
                    if (exp == null) {
                        assertThat(result).as(what).isEqualTo(Errno.ENOENT);
                    } else {
                        assertThat(r.value()).as(what).isEqualTo(percpu ? exp[cpu] : exp[0]);
                    }
                }
                case 9 -> {
                    what = "lookup_and_delete " + k;
                    ValueResult r = map.lookupAndDelete(cpu, key, 0);
                    result = r.errno();
                    checkValue(model, k, r, percpu, p, valueSize, r8, what);
                    model.entries.remove(k);
                }
                case 10 -> {
                    what = "next_key";
                    KeyResult r = map.getNextKey(cpu, rnd.nextBoolean() ? null : key);
                    result = r.errno();
                    if (model.entries.isEmpty()) {
                        assertThat(result).as(what).isEqualTo(Errno.ENOENT);
                    } else if (result == Errno.OK) {
                        assertThat(model.entries).as(what).containsKey(HEX.formatHex(r.key()));
                    }
                }
                case 11 -> {
                    boolean del = rnd.nextInt(3) == 0;
                    long count = rnd.nextInt(4) == 0 ? max * 2L : rnd.nextInt(5);
                    byte[] in = rnd.nextBoolean() ? null : BatchResult.cursor(rnd.nextInt(s.nBuckets() + 2));
                    what = (del ? "lookup_and_delete_batch" : "lookup_batch") + " count " + count;
                    BatchResult r = del ? map.lookupAndDeleteBatch(cpu, in, count, 0, 0)
                            : map.lookupBatch(cpu, in, count, 0, 0);
                    result = r.errno();
                    mayPartiallyApply = del;
                    checkBatch(model, r, count, in, s, percpu, p, valueSize, r8, what);
                    if (del) {
                        r.keys().forEach(kk -> model.entries.remove(HEX.formatHex(kk)));
                    }
                }
                case 12 -> {
                    int n = rnd.nextInt(4);
                    List<byte[]> ks = new ArrayList<>();
                    List<byte[]> vs = new ArrayList<>();
                    List<byte[][]> sl = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        ks.add(key(rnd.nextInt(keySpace), keySize));
                        byte[][] slots = randomSlots(rnd, percpu ? p : 1, valueSize);
                        sl.add(slots);
                        vs.add(percpu ? pack(slots, r8) : slots[0]);
                    }
                    what = "update_batch n=" + n;
                    BatchResult r = map.updateBatch(cpu, ks, vs, 0);
                    result = r.errno();
                    mayPartiallyApply = true;
                    int done = 0;
                    Errno exp = Errno.OK;
                    for (int i = 0; i < n; i++) {
                        String kk = HEX.formatHex(ks.get(i));
                        if (!model.entries.containsKey(kk) && model.entries.size() >= max) {
                            exp = Errno.E2BIG;
                            break;
                        }
                        model.entries.put(kk, sl.get(i));
                        done++;
                    }
                    assertThat(r.errno()).as(what).isEqualTo(exp);
                    assertThat(r.count()).as(what).isEqualTo(done);
                }
                default -> {
                    int n = rnd.nextInt(4);
                    List<byte[]> ks = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        ks.add(key(rnd.nextInt(keySpace), keySize));
                    }
                    what = "delete_batch n=" + n;
                    BatchResult r = map.deleteBatch(cpu, ks, 0);
                    result = r.errno();
                    mayPartiallyApply = true;
                    int done = 0;
                    Errno exp = Errno.OK;
                    for (byte[] kb : ks) {
                        if (model.entries.remove(HEX.formatHex(kb)) == null) {
                            exp = Errno.ENOENT;
                            break;
                        }
                        done++;
                    }
                    assertThat(r.errno()).as(what).isEqualTo(exp);
                    assertThat(r.count()).as(what).isEqualTo(done);
                }
            }
            if (result != Errno.OK && !mayPartiallyApply) {
                assertThat(Snapshot.of(s)).as("rejected %s left the map unchanged", what).isEqualTo(before);
            }
            checkInvariants(s, model, what);
            fold.compareWith(s, what);
        }
    }

    private static long pickFlags(SplittableRandom rnd) {
        int x = rnd.nextInt(12);
        if (x < 6) {
            return ElemFlag.BPF_ANY;
        }
        if (x < 8) {
            return ElemFlag.BPF_NOEXIST;
        }
        if (x < 10) {
            return ElemFlag.BPF_EXIST;
        }
        return x == 10 ? 3 : ElemFlag.BPF_F_LOCK;
    }

    private static Errno expectUpdate(Model m, String k, long fl, int max, boolean badLength) {
        if (badLength) {
            return Errno.EINVAL;
        }
        if ((fl & ElemFlag.BPF_F_LOCK) != 0) {
            return Errno.EINVAL; // HASH: no spin lock; per-CPU: flag > BPF_EXIST
        }
        if (Long.compareUnsigned(fl, ElemFlag.BPF_EXIST) > 0) {
            return Errno.EINVAL;
        }
        boolean exists = m.entries.containsKey(k);
        if (exists && fl == ElemFlag.BPF_NOEXIST) {
            return Errno.EEXIST;
        }
        if (!exists && fl == ElemFlag.BPF_EXIST) {
            return Errno.ENOENT;
        }
        if (!exists && m.entries.size() >= max) {
            return Errno.E2BIG;
        }
        return Errno.OK;
    }

    private static void checkValue(Model m, String k, ValueResult r, boolean percpu, int p, int vs, int r8,
                                   String what) {
        byte[][] exp = m.entries.get(k);
        if (exp == null) {
            assertThat(r.errno()).as(what).isEqualTo(Errno.ENOENT);
            return;
        }
        assertThat(r.errno()).as(what).isEqualTo(Errno.OK);
        assertValue(r.value(), exp, percpu, p, vs, r8, what);
    }

    private static void assertValue(byte[] got, byte[][] exp, boolean percpu, int p, int vs, int r8, String what) {
        if (!percpu) {
            assertThat(got).as(what).isEqualTo(exp[0]);
            return;
        }
        assertThat(got).as(what).hasSize(p * r8);
        for (int c = 0; c < p; c++) {
            assertThat(Arrays.copyOfRange(got, c * r8, c * r8 + vs)).as(what + " cpu " + c).isEqualTo(exp[c]);
        }
    }

    private static void checkBatch(Model m, BatchResult r, long count, byte[] in, HtabState s, boolean percpu,
                                   int p, int vs, int r8, String what) {
        long start = in == null ? 0 : r8le(in);
        if (count == 0) {
            assertThat(r.errno()).as(what).isEqualTo(Errno.OK);
            assertThat(r.outBatch()).isNull();
            return;
        }
        if (start >= s.nBuckets()) {
            assertThat(r.errno()).as(what).isEqualTo(Errno.ENOENT);
            assertThat(r.count()).isZero();
            assertThat(r.outBatch()).isNull();
            return;
        }
        assertThat(r.keys()).hasSize((int) r.count());
        assertThat(r.count()).isLessThanOrEqualTo(count);
        for (int i = 0; i < r.keys().size(); i++) {
            byte[][] exp = m.entries.get(HEX.formatHex(r.keys().get(i)));
            assertThat(exp).as(what + " returned a key of the model").isNotNull();
            assertValue(r.values().get(i), exp, percpu, p, vs, r8, what);
        }
        long entriesFromStart = m.entries.keySet().stream()
                .filter(k -> Integer.toUnsignedLong(Jhash.htabMapHash(HEX.parseHex(k), s.hashrnd())
                        & (s.nBuckets() - 1)) >= start).count();
        if (r.errno() == Errno.ENOENT) {
            assertThat(r.outBucket()).isEqualTo(s.nBuckets());
            assertThat(r.count()).as(what + " returned every key from the cursor on").isEqualTo(entriesFromStart);
        } else if (r.errno() == Errno.ENOSPC) {
            assertThat(r.count()).isZero();
        } else {
            assertThat(r.errno()).as(what).isEqualTo(Errno.OK);
            assertThat(r.outBucket()).isBetween(start + 1, (long) s.nBuckets() - 1);
        }
    }

    private static long r8le(byte[] b) {
        return (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24;
    }

    private static void checkInvariants(HtabState s, Model model, String what) {
        int linked = 0;
        Map<Integer, String> where = new HashMap<>();
        Map<String, Integer> keysSeen = new HashMap<>();
        for (int b = 0; b < s.nBuckets(); b++) {
            assertThat(s.chainEndMarker(b)).as("%s: chain %d ends in its own nulls marker", what, b).isEqualTo(b);
            for (int e : s.chain(b)) {
                linked++;
                assertThat(where.put(e, "chain " + b)).as("%s: elem %d linked twice", what, e).isNull();
                byte[] key = s.elemKey(e);
                assertThat(s.elemHash(e)).isEqualTo(Jhash.htabMapHash(key, s.hashrnd()));
                assertThat(s.elemBucket(e)).isEqualTo(b);
                assertThat(keysSeen.put(HEX.formatHex(key), e)).as("%s: duplicate key", what).isNull();
            }
        }
        assertThat(s.count()).as("%s: count == linked", what).isEqualTo(linked);
        assertThat(keysSeen.keySet()).as("%s: keys match the model", what)
                .containsExactlyInAnyOrderElementsOf(model.entries.keySet());
        if (s.isPrealloc()) {
            for (int c = 0; c < s.possibleCpus(); c++) {
                for (int e : s.freelist(c)) {
                    assertThat(where.put(e, "freelist " + c)).as("%s: elem %d in two places", what, e).isNull();
                }
                if (s.extra(c) >= 0) {
                    assertThat(where.put(s.extra(c), "extra " + c)).as("%s: extra in two places", what).isNull();
                }
            }
            assertThat(where).as("%s: every preallocated element is in exactly one place", what)
                    .hasSize((int) s.numEntries());
        } else {
            for (int e : where.keySet()) {
                assertThat(s.elemAllocated(e)).isTrue();
            }
        }
    }

    /** Everything a rejected operation must not change. */
    record Snapshot(int count, List<String> chains, List<String> freelists) {
        static Snapshot of(HtabState s) {
            List<String> chains = new ArrayList<>();
            for (int b = 0; b < s.nBuckets(); b++) {
                StringBuilder sb = new StringBuilder();
                for (int e : s.chain(b)) {
                    sb.append(e).append(':').append(HEX.formatHex(s.elemKey(e))).append('=')
                            .append(HEX.formatHex(s.elemValue(e))).append(' ');
                }
                chains.add(sb.toString());
            }
            List<String> fl = new ArrayList<>();
            for (int c = 0; c < s.possibleCpus(); c++) {
                fl.add(Arrays.toString(s.freelist(c)) + " extra " + s.extra(c));
            }
            return new Snapshot(s.count(), chains, fl);
        }
    }

    private static byte[] key(int k, int keySize) {
        byte[] b = new byte[keySize];
        for (int i = 0; i < Math.min(4, keySize); i++) {
            b[i] = (byte) (k >>> (8 * i));
        }
        if (keySize > 4) {
            b[keySize - 1] = (byte) 0x5a;
        }
        return b;
    }

    private static byte[][] randomSlots(SplittableRandom rnd, int n, int vs) {
        byte[][] out = new byte[n][vs];
        for (byte[] v : out) {
            for (int i = 0; i < vs; i++) {
                v[i] = (byte) rnd.nextInt(256);
            }
        }
        return out;
    }

    private static byte[][] zeros(int p, int vs) {
        return new byte[p][vs];
    }

    private static byte[] pack(byte[][] slots, int r8) {
        byte[] out = new byte[slots.length * r8];
        for (int c = 0; c < slots.length; c++) {
            System.arraycopy(slots[c], 0, out, c * r8, slots[c].length);
            for (int i = slots[c].length; i < r8; i++) {
                out[c * r8 + i] = (byte) (0xA0 + c); // distinct padding; syscall writes keep it
            }
        }
        return out;
    }

    /** Rebuilds the map's state from its event stream alone. */
    static final class EventFold implements io.htablab.hashtab.htab.event.EventSink {
        int nBuckets;
        int valueStride;
        int count;
        List<Deque<Integer>> chains;
        List<Deque<Integer>> freelists;
        int[] extras;
        final Map<Integer, byte[]> keys = new HashMap<>();
        final Map<Integer, byte[]> values = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();

        @Override
        public void accept(HtabEvent ev) {
            if (ev instanceof MapEvent.MapCreated c) {
                nBuckets = c.nBuckets();
                valueStride = c.valueStride();
                chains = new ArrayList<>();
                for (int b = 0; b < nBuckets; b++) {
                    chains.add(new ArrayDeque<>());
                }
                freelists = new ArrayList<>();
                for (int i = 0; i < c.possibleCpus(); i++) {
                    freelists.add(new ArrayDeque<>());
                }
                extras = new int[c.possibleCpus()];
                Arrays.fill(extras, -1);
            } else if (ev instanceof BucketEvent.ElemLinked l) {
                chains.get(l.bucket()).addFirst(l.elem());
                keys.put(l.elem(), l.key());
            } else if (ev instanceof BucketEvent.ElemUnlinked u) {
                if (!chains.get(u.bucket()).remove(u.elem())) {
                    problems.add("unlink of an element not in chain " + u.bucket());
                }
            } else if (ev instanceof FreelistEvent.Push push) {
                freelists.get(push.listCpu()).addFirst(push.elem());
            } else if (ev instanceof FreelistEvent.Pop pop) {
                Integer head = freelists.get(pop.listCpu()).pollFirst();
                if (head == null || head != pop.elem()) {
                    problems.add("pop of " + pop.elem() + " but head was " + head);
                }
            } else if (ev instanceof FreelistEvent.ExtraInit x) {
                extras[x.cpu()] = x.elem();
            } else if (ev instanceof FreelistEvent.ExtraSwap x) {
                if (extras[x.cpu()] != x.newElem()) {
                    problems.add("extra swap expected " + extras[x.cpu()] + " got " + x.newElem());
                }
                extras[x.cpu()] = x.oldElem();
            } else if (ev instanceof MapEvent.CounterChanged cc) {
                count = cc.count();
            } else if (ev instanceof MapEvent.ValueCopied vc) {
                byte[] v = values.computeIfAbsent(vc.elem(), e -> new byte[valueStride]);
                System.arraycopy(vc.bytes(), 0, v, vc.offset(), vc.bytes().length);
            }
        }

        void compareWith(HtabState s, String what) {
            assertThat(problems).as("event stream consistency after %s", what).isEmpty();
            assertThat(count).as("folded count after %s", what).isEqualTo(s.count());
            for (int b = 0; b < nBuckets; b++) {
                int[] chain = s.chain(b);
                assertThat(chains.get(b)).as("folded chain %d after %s", b, what)
                        .containsExactly(Arrays.stream(chain).boxed().toArray(Integer[]::new));
                for (int e : chain) {
                    assertThat(keys.get(e)).as("folded key of %d", e).isEqualTo(s.elemKey(e));
                    byte[] v = values.get(e);
                    if (v == null) {
                        fail("no value events for linked element " + e + " after " + what);
                    }
                    assertThat(v).as("folded value of %d after %s", e, what).isEqualTo(s.elemValue(e));
                }
            }
            for (int c = 0; c < freelists.size(); c++) {
                assertThat(freelists.get(c)).as("folded freelist %d after %s", c, what)
                        .containsExactly(Arrays.stream(s.freelist(c)).boxed().toArray(Integer[]::new));
                assertThat(extras[c]).as("folded extra %d", c).isEqualTo(s.extra(c));
            }
        }
    }
}
