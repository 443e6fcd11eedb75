package io.htablab.hashtab.htab.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JhashTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    /** Spec 3.6 test vectors: key, seed, hash, bucket in 8, bucket in 1024. */
    @ParameterizedTest
    @CsvSource({
        "01000000, 0, 72a82a9b, 3, 667",
        "0100000002000000, 0, 8b4c7979, 1, 377",
        "616263, 0, 0e397631, 1, 561",
        "000102030405060708090a0b, 0, 5e4aa593, 3, 403",
        "000102030405060708090a0b0c0d0e0f, 0, 5e84eafc, 4, 764",
        "0102030405060708090a0b0c0d, 12345678, b65df2b9, 1, 697",
        "2a, deadbeef, 99afb5ae, 6, 430",
    })
    void specVectors(String key, String seed, String hash, int b8, int b1024) {
        byte[] k = hex(key);
        int s = Integer.parseUnsignedInt(seed, 16);
        int h = Integer.parseUnsignedInt(hash, 16);
        assertThat(Jhash.htabMapHash(k, s)).isEqualTo(h);
        assertThat(Jhash.jhash(k, s)).as("jhash agrees with jhash2 on little-endian keys").isEqualTo(h);
        if (k.length % 4 == 0) {
            assertThat(Jhash.jhash2(k, 0, k.length / 4, s)).isEqualTo(h);
        }
        assertThat(Jhash.bucket(h, 8)).isEqualTo(b8);
        assertThat(Jhash.bucket(h, 1024)).isEqualTo(b1024);
        Jhash.Trace t = Jhash.trace(k, s);
        assertThat(t.hash()).isEqualTo(h);
        assertThat(t.bucket(8)).isEqualTo(b8);
    }

    @Test
    void jhash2OverIntWords() {
        assertThat(Jhash.jhash2(new int[] {1, 2}, 0)).isEqualTo(0x8b4c7979);
        assertThat(Jhash.jhash2(new int[] {1}, 0)).isEqualTo(0x72a82a9b);
    }

    @Test
    void intermediateStatesOfOneWordKey() {
        Jhash.Trace t = Jhash.trace(hex("01000000"), 0);
        List<Jhash.Step> s = t.steps();
        assertThat(s).extracting(Jhash.Step::kind).containsExactly(Jhash.StepKind.INITIAL,
                Jhash.StepKind.ADD_TAIL, Jhash.StepKind.FINAL);
        assertThat(s.get(0).state()).isEqualTo(new Jhash.State(0xdeadbef3, 0xdeadbef3, 0xdeadbef3));
        assertThat(s.get(1).state().a()).isEqualTo(0xdeadbef4);
        assertThat(s.get(2).state()).isEqualTo(new Jhash.State(0x1a67f149, 0xb7a166f8, 0x72a82a9b));
        assertThat(t.usesJhash2()).isTrue();
    }

    @Test
    void intermediateStatesOfThirteenByteKey() {
        Jhash.Trace t = Jhash.trace(hex("0102030405060708090a0b0c0d"), 0x12345678);
        List<Jhash.Step> s = t.steps();
        assertThat(s).extracting(Jhash.Step::kind).containsExactly(Jhash.StepKind.INITIAL,
                Jhash.StepKind.ADD_BLOCK, Jhash.StepKind.MIX, Jhash.StepKind.ADD_TAIL, Jhash.StepKind.FINAL);
        assertThat(s.get(0).state().a()).isEqualTo(0xf0e21574);
        assertThat(s.get(1).state()).isEqualTo(new Jhash.State(0xf4e51775, 0xf8e91b79, 0xfced1f7d));
        assertThat(s.get(2).state()).isEqualTo(new Jhash.State(0xa8973d55, 0x328661cd, 0xc9239a65));
        assertThat(Jhash.mix(s.get(1).state())).isEqualTo(s.get(2).state());
        assertThat(s.get(3).state().a()).isEqualTo(0xa8973d62);
        assertThat(s.get(3).length()).isEqualTo(1);
        assertThat(Jhash.fin(s.get(3).state()).c()).isEqualTo(0xb65df2b9);
        assertThat(t.usesJhash2()).isFalse();
    }

    @Test
    void twelveByteTailGoesThroughFinalNotMix() {
        Jhash.Trace t = Jhash.trace(hex("000102030405060708090a0b"), 0);
        assertThat(t.steps()).extracting(Jhash.Step::kind).containsExactly(Jhash.StepKind.INITIAL,
                Jhash.StepKind.ADD_TAIL, Jhash.StepKind.FINAL);
    }

    /** Spec 3.6: ZERO_SEED 4-byte keys 0..15 in 8 buckets. */
    @Test
    void zeroSeedBucketTable() {
        int[] expected = {0, 3, 2, 7, 1, 6, 6, 2, 4, 5, 1, 5, 5, 3, 2, 5};
        for (int k = 0; k < 16; k++) {
            byte[] key = {(byte) k, 0, 0, 0};
            assertThat(Jhash.bucket(Jhash.htabMapHash(key, 0), 8)).as("key %d", k).isEqualTo(expected[k]);
        }
    }

    @Test
    void offsetVariantHashesTheSliceOnly() {
        byte[] buf = hex("ff01000000ff");
        assertThat(Jhash.htabMapHash(buf, 1, 4, 0)).isEqualTo(0x72a82a9b);
    }
}
