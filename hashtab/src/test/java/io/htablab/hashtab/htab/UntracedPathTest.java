package io.htablab.hashtab.htab;

import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.HtabEvent;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With nobody listening, lookups take event-free paths (BpfMap tests the listeners once per operation, and the
 * walks compare 4- and 8-byte keys without the stored hash). Two maps with the same seed run the same random
 * operations, one with an enabled listener (the traced paths) and one with none or with a disabled listener
 * (the untraced paths): every result, every value read and the final chains must agree.
 */
class UntracedPathTest {

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (MapType type : MapType.hashTypes()) {
            for (int keySize : new int[] {4, 8, 6, 12}) {
                for (long seed = 1; seed <= 4; seed++) {
                    b.add(Arguments.of(type, keySize, seed));
                }
            }
        }
        return b.build();
    }

    private static final class Counting implements EventSink {
        long events;

        @Override
        public void accept(HtabEvent event) {
            events++;
        }
    }

    private static final class Disabled implements EventSink {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void accept(HtabEvent event) {
            throw new AssertionError("a disabled listener received " + event);
        }
    }

    private static BpfMap create(MapType type, int keySize, int valueSize, int maxEntries) {
        CreateResult r = BpfMap.create(new HtabAttr(type, keySize, valueSize, maxEntries, 0),
                MapOptions.defaults().withPossibleCpus(2).withSeed(0x5eed));
        assertThat(r.isOk()).as("create %s: %s", type, r.detail()).isTrue();
        return r.map();
    }

    @ParameterizedTest(name = "{0} key_size {1} seed {2}")
    @MethodSource("cases")
    void untracedPathsAgreeWithTracedPaths(MapType type, int keySize, long seed) {
        int valueSize = seed % 2 == 0 ? 8 : 12;
        int maxEntries = 24;
        BpfMap traced = create(type, keySize, valueSize, maxEntries);
        BpfMap quiet = create(type, keySize, valueSize, maxEntries);
        Counting counting = new Counting();
        traced.addListener(counting);
        if (seed % 2 == 1) {
            quiet.addListener(new Disabled());
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int userValue = traced.userValueSize();
        for (int step = 0; step < 3000; step++) {
            byte[] key = new byte[keySize];
            key[0] = (byte) rnd.nextInt(40); // a key space larger than the map: misses, evictions, E2BIG
            key[keySize - 1] ^= (byte) rnd.nextInt(2);
            int cpu = rnd.nextInt(2);
            String where = "seed " + seed + " step " + step;
            switch (rnd.nextInt(6)) {
                case 0, 1 -> {
                    byte[] v = new byte[userValue];
                    rnd.nextBytes(v);
                    long flags = rnd.nextInt(3);
                    assertThat(quiet.update(cpu, key, v, flags)).as(where).isEqualTo(traced.update(cpu, key, v, flags));
                }
                case 2 -> {
                    byte[] a = new byte[userValue];
                    byte[] b = new byte[userValue];
                    assertThat(quiet.lookup(cpu, key, b, 0)).as(where).isEqualTo(traced.lookup(cpu, key, a, 0));
                    assertThat(b).as(where).isEqualTo(a);
                }
                case 3 -> {
                    byte[] a = new byte[valueSize];
                    byte[] b = new byte[valueSize];
                    assertThat(quiet.progLookup(cpu, key, b)).as(where).isEqualTo(traced.progLookup(cpu, key, a));
                    assertThat(b).as(where).isEqualTo(a);
                }
                case 4 -> assertThat(quiet.delete(cpu, key)).as(where).isEqualTo(traced.delete(cpu, key));
                default -> {
                    byte[] v = new byte[valueSize];
                    rnd.nextBytes(v);
                    assertThat(quiet.progUpdate(cpu, key, v, 0)).as(where)
                            .isEqualTo(traced.progUpdate(cpu, key, v, 0));
                }
            }
        }
        assertThat(counting.events).isPositive();
        assertThat(quiet.count()).isEqualTo(traced.count());
        for (int bucket = 0; bucket < traced.nBuckets(); bucket++) {
            int[] chain = traced.state().chain(bucket);
            assertThat(quiet.state().chain(bucket)).as("seed %d bucket %d", seed, bucket).isEqualTo(chain);
            for (int e : chain) {
                assertThat(Arrays.equals(quiet.state().elemKey(e), traced.state().elemKey(e))).isTrue();
                assertThat(quiet.state().elemValue(e)).isEqualTo(traced.state().elemValue(e));
            }
        }
    }
}
