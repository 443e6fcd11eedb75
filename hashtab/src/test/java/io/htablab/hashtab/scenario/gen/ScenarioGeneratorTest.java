package io.htablab.hashtab.scenario.gen;

import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.ScenarioParser;
import io.htablab.hashtab.scenario.ScriptLine;
import io.htablab.hashtab.scenario.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class ScenarioGeneratorTest {

    private static final int CPUS = 2;

    static LongStream seeds() {
        // a fixed spread of seeds: the generator's own determinism makes each case reproducible
        SplittableRandom r = new SplittableRandom(20240611L);
        return LongStream.generate(r::nextLong).limit(10);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void sameSeedSameScenario(long seed) {
        for (MapType t : MapType.hashTypes()) {
            assertThat(ScenarioGenerator.generate(seed, t, CPUS)).as("seed %d type %s", seed, t)
                    .isEqualTo(ScenarioGenerator.generate(seed, t, CPUS));
        }
        assertThat(ScenarioGenerator.generate(seed, MapType.HASH, CPUS))
                .isNotEqualTo(ScenarioGenerator.generate(seed + 1, MapType.HASH, CPUS));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void onlyDeliberateLinesFailToParse(long seed) {
        for (MapType t : MapType.hashTypes()) {
            List<ScriptLine> lines = ScenarioParser.parse(ScenarioGenerator.generate(seed, t, CPUS, 200));
            for (ScriptLine l : lines) {
                if (!l.isValid()) {
                    assertThat(l.text()).as("seed %d type %s line %d: %s", seed, t, l.lineNumber(), l.error())
                            .contains(ScenarioGenerator.DELIBERATE);
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void startsWithCpusAndCreatesWithZeroSeed(long seed) {
        for (MapType t : MapType.hashTypes()) {
            List<ScriptLine> lines = ScenarioParser.parse(ScenarioGenerator.generate(seed, t, CPUS, 150));
            assertThat(lines.get(0).statement()).as("seed %d", seed).isEqualTo(new Statement.Cpus(CPUS));
            assertThat(lines).hasSize(150);
            for (ScriptLine l : lines) {
                if (l.statement() instanceof Statement.Create c && !l.text().contains(ScenarioGenerator.DELIBERATE)) {
                    assertThat(c.attr().type()).isEqualTo(t);
                    assertThat(l.text()).as("seed %d line %d", seed, l.lineNumber()).contains("zero_seed");
                    assertThat(c.attr().maxEntries()).isBetween(2L, 4000L);
                    if (c.hasBtf()) {
                        // BTF-typed values: sizes come from the C types when key=/value= are left out
                        assertThat(c.btfKey()).isIn("__u32", "__u64");
                        assertThat(c.btfValue()).startsWith("struct g");
                        assertThat(t == MapType.HASH || t == MapType.LRU_HASH).isTrue();
                        assertThat(c.keyGiven()).isEqualTo(c.valueGiven());
                        if (c.keyGiven()) {
                            assertThat(c.attr().keySize()).isIn(4L, 8L);
                            assertThat(c.attr().valueSize()).isBetween(1L, 128L);
                        }
                    } else {
                        assertThat(c.attr().keySize()).isBetween(1L, 64L);
                        assertThat(c.attr().valueSize()).isBetween(1L, 64L);
                    }
                    if (t.isLru()) {
                        assertThat(l.text()).doesNotContain("no_prealloc");
                    } else {
                        assertThat(l.text()).doesNotContain("no_common_lru");
                    }
                }
                if (l.statement() instanceof Statement.Cpu c) {
                    assertThat(c.cpu() < CPUS || l.text().contains(ScenarioGenerator.DELIBERATE)).isTrue();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MapType.class)
    void coversEveryStatementAndFeatureOverAFewSeeds(MapType type) {
        Set<String> seen = new HashSet<>();
        for (long seed = 1; seed <= 12; seed++) {
            String text = ScenarioGenerator.generate(seed, type, CPUS);
            for (ScriptLine l : ScenarioParser.parse(text)) {
                String t = l.text();
                if (!l.isValid()) {
                    seen.add("parse error");
                    continue;
                }
                seen.add(l.statement().keyword());
                if (l.statement() instanceof Statement.Create c) {
                    seen.add(t.contains(ScenarioGenerator.DELIBERATE) ? "create error" : "create ok");
                    seen.add(c.attr().keySize() % 4 == 0 ? "key multiple of 4" : "key not multiple of 4");
                    if (c.attr().maxEntries() > 256) {
                        seen.add("large map");
                    }
                    for (String f : new String[] {"no_prealloc", "no_common_lru", "rdonly,", "wronly,",
                            "rdonly_prog", "wronly_prog", "numa_node"}) {
                        if (t.contains(f)) {
                            seen.add(f);
                        }
                    }
                    if (t.contains("rdonly") || t.contains("wronly")) {
                        seen.add("access flag");
                    }
                }
                if (l.statement() instanceof Statement.Update u) {
                    seen.add("update flags " + u.flags());
                    if (u.value().parts().size() > 1) {
                        seen.add("per-cpu value with |");
                    }
                }
                if (l.statement() instanceof Statement.LookupBatch b) {
                    seen.add(b.cursor() == null ? "batch without cursor" : "batch with cursor");
                }
                if (l.statement() instanceof Statement.UpdateBatch b && b.items().size() >= 50) {
                    seen.add("bulk insert");
                }
            }
        }
        assertThat(seen).contains("cpus", "cpu", "create", "update", "lookup", "delete", "lookup_and_delete",
                "next_key", "prog_lookup", "prog_update", "prog_delete", "lookup_batch", "lookup_and_delete_batch",
                "update_batch", "delete_batch", "dump", "info", "parse error", "create ok", "create error",
                "key multiple of 4", "key not multiple of 4", "large map", "access flag",
                "update flags 0", "update flags 1", "update flags 2", "batch without cursor", "batch with cursor",
                "bulk insert");
        if (type.isLru()) {
            assertThat(seen).contains("no_common_lru");
        } else {
            assertThat(seen).contains("no_prealloc");
        }
        if (type.isPercpu()) {
            assertThat(seen).contains("per-cpu value with |");
        }
    }

    @Test
    void refusesNonsenseArguments() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScenarioGenerator.generate(1, MapType.HASH, 0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScenarioGenerator.generate(1, MapType.HASH, 2, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
