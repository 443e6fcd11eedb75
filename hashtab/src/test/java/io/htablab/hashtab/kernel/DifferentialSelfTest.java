package io.htablab.hashtab.kernel;

import io.htablab.hashtab.htab.BatchResult;
import io.htablab.hashtab.htab.KeyResult;
import io.htablab.hashtab.htab.ValueResult;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.CpusMismatchException;
import io.htablab.hashtab.scenario.EngineBackend;
import io.htablab.hashtab.scenario.ScenarioException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The comparison and the minimiser, without a kernel: the engine against an engine with one planted
 * fault (a lookup of one key reports ENOENT), so the expected difference is known exactly.
 */
class DifferentialSelfTest {

    private static final byte[] FAULTY_KEY = {7, 0, 0, 0};

    /** Delegates to a real engine, except that looking up {@link #FAULTY_KEY} "misses". */
    static class FaultyEngine implements Backend {
        private final EngineBackend engine = new EngineBackend();

        @Override public String name() { return "faulty"; }
        @Override public int possibleCpus() { return engine.possibleCpus(); }
        @Override public void setPossibleCpus(long count) throws ScenarioException, CpusMismatchException {
            engine.setPossibleCpus(count);
        }
        @Override public Errno selectCpu(int cpu) { return engine.selectCpu(cpu); }
        @Override public Created create(String name, HtabAttr attr) { return engine.create(name, attr); }
        @Override public void close(MapHandle map) { engine.close(map); }
        @Override public ValueResult lookup(MapHandle map, byte[] key, long flags) {
            ValueResult r = engine.lookup(map, key, flags);
            return Arrays.equals(key, FAULTY_KEY) && r.errno().isOk() ? new ValueResult(Errno.ENOENT, null, null) : r;
        }
        @Override public Errno update(MapHandle map, byte[] key, byte[] value, long flags) {
            return engine.update(map, key, value, flags);
        }
        @Override public Errno delete(MapHandle map, byte[] key) { return engine.delete(map, key); }
        @Override public ValueResult lookupAndDelete(MapHandle map, byte[] key, long flags) {
            return engine.lookupAndDelete(map, key, flags);
        }
        @Override public KeyResult getNextKey(MapHandle map, byte[] key) { return engine.getNextKey(map, key); }
        @Override public BatchResult lookupBatch(MapHandle map, boolean andDelete, byte[] in, long count, long elemFlags) {
            return engine.lookupBatch(map, andDelete, in, count, elemFlags);
        }
        @Override public BatchResult updateBatch(MapHandle map, List<byte[]> keys, List<byte[]> values, long elemFlags) {
            return engine.updateBatch(map, keys, values, elemFlags);
        }
        @Override public BatchResult deleteBatch(MapHandle map, List<byte[]> keys, long elemFlags) {
            return engine.deleteBatch(map, keys, elemFlags);
        }
        @Override public InfoReply info(MapHandle map) { return engine.info(map); }
        @Override public ValueResult progLookup(MapHandle map, byte[] key) { return engine.progLookup(map, key); }
        @Override public Errno progUpdate(MapHandle map, byte[] key, byte[] value, long flags) {
            return engine.progUpdate(map, key, value, flags);
        }
        @Override public Errno progDelete(MapHandle map, byte[] key) { return engine.progDelete(map, key); }
        @Override public void close() { engine.close(); }
    }

    private static final Supplier<Backend> ENGINE = EngineBackend::new;
    private static final Supplier<Backend> FAULTY = FaultyEngine::new;

    private static final String SCENARIO = String.join("\n",
            "cpus 2",
            "create h type=hash key=4 value=4 max=8 flags=zero_seed",
            "create other type=hash key=4 value=4 max=8 flags=zero_seed",
            "update h u32:1 u32:10",
            "update other u32:7 u32:70",
            "update h u32:7 u32:70",
            "info h",
            "lookup h u32:1",
            "update h u32:2 u32:20",
            "lookup other u32:1",
            "lookup h u32:7     # the planted fault",
            "lookup h u32:2",
            "");

    @Test
    void agreementWhenBothSidesAreTheEngine() {
        Differential.Outcome o = Differential.compare(SCENARIO, "s.hts", ENGINE, ENGINE);
        assertThat(o.verdict()).isEqualTo(Differential.Verdict.AGREE);
        assertThat(o.kernel().statementCount()).isEqualTo(12);
    }

    @Test
    void findsTheFirstDifferingStatementAndDescribesIt() {
        Differential.Outcome o = Differential.compare(SCENARIO, "s.hts", ENGINE, FAULTY);
        assertThat(o.verdict()).isEqualTo(Differential.Verdict.DIFFER);
        // "update other u32:7" is fine; the first lookup of 7 in a map that holds it is line 11
        assertThat(o.differingLine().lineNumber()).isEqualTo(11);
        assertThat(o.engineOutput()).containsExactly("value 46000000");
        assertThat(o.kernelOutput()).containsExactly("error ENOENT");
        String d = Differential.describe(o, "s.hts");
        assertThat(d).startsWith("s.hts:11: engine and kernel differ")
                .contains("    8  lookup h u32:1", "    9  update h u32:2 u32:20", "   10  lookup other u32:1")
                .doesNotContain("    7  info h")
                .contains(">    11  lookup h u32:7", "engine: value 46000000", "kernel: error ENOENT");
    }

    @Test
    void minimisesToTheStatementsTheDifferenceNeeds() {
        Differential.Outcome o = Differential.compare(SCENARIO, "s.hts", ENGINE, FAULTY);
        Differential.Minimised m = Differential.minimise(o, "s.hts", ENGINE, FAULTY, 200);
        // a map, the element, the lookup: nothing else is needed
        assertThat(m.text().lines().toList()).containsExactly(
                "create h type=hash key=4 value=4 max=8 flags=zero_seed",
                "update h u32:7 u32:70",
                "lookup h u32:7     # the planted fault");
        assertThat(m.originalLines()).isEqualTo(12);
        assertThat(m.runs()).isLessThanOrEqualTo(200);
        assertThat(m.outcome().verdict()).isEqualTo(Differential.Verdict.DIFFER);
    }

    @Test
    void minimisationStopsAtTheRunCap() {
        Differential.Outcome o = Differential.compare(SCENARIO, "s.hts", ENGINE, FAULTY);
        Differential.Minimised m = Differential.minimise(o, "s.hts", ENGINE, FAULTY, 2);
        assertThat(m.runs()).isEqualTo(2);
        assertThat(m.outcome().verdict()).isEqualTo(Differential.Verdict.DIFFER);
        assertThat(m.lines()).isLessThan(12);
    }

    @Test
    void engineOnlyStatementsMakeAScenarioUncheckable() {
        String text = "create h type=hash key=4 value=4 max=8 flags=zero_seed\nreader r h u32:1\n";
        Differential.Outcome o = Differential.compare(text, "r.hts", ENGINE, FAULTY);
        assertThat(o.verdict()).isEqualTo(Differential.Verdict.CANNOT_RUN);
        assertThat(o.why()).contains("line 2").contains("'reader'");
    }

    @Test
    void anExceptionIsADifferenceAtItsStatement() {
        Supplier<Backend> throwing = () -> new FaultyEngine() {
            @Override public Errno update(MapHandle map, byte[] key, byte[] value, long flags) {
                throw new UnsupportedOperationException("not yet");
            }
        };
        Differential.Outcome o = Differential.compare(SCENARIO, "s.hts", ENGINE, throwing);
        assertThat(o.verdict()).isEqualTo(Differential.Verdict.DIFFER);
        assertThat(o.differingLine().lineNumber()).isEqualTo(4);
        assertThat(o.kernelOutput()).singleElement().asString().contains("UnsupportedOperationException");
    }
}
