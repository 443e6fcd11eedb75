package io.htablab.hashtab.scenario;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The nulls-race sample, an engine-only scenario. Expected lines are derived by hand from the spec:
 * max=8, P=2 gives elements e0..e9; CPU 0's freelist gets e0..e4, CPU 1's e5..e9; creating on CPU 0
 * parks e4 (CPU 0) and e3 (CPU 1) as extras, so keys 9, 11, 12 take e2, e1, e0 (all bucket 5). CPU 1
 * frees e1 onto its own list and reuses it at once for key 3 (bucket 7).
 */
class NullsRaceSampleTest {

    @Test
    void theReaderIsCarriedIntoBucket7AndRestarts() throws Exception {
        Path sample = ScenarioFiles.samplesDir().resolve("09-nulls-race.hts");
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        try (Interpreter interpreter = new Interpreter(new EngineBackend())) {
            interpreter.run(ScenarioParser.parse(Files.readString(sample, StandardCharsets.UTF_8)), "09", out::add, err::add);
        }
        assertThat(err).isEmpty();
        assertThat(out).containsSubsequence(
                "visit elem=0 bucket=5 hash=other",
                "visit elem=1 bucket=5 hash=other",
                "restart nulls=7 bucket=5",
                "visit elem=0 bucket=5 hash=other",
                "found elem=2 bucket=5",
                "done found elem=2",
                "entry 0c000000 0c000000",
                "entry 09000000 09000000",
                "entry 03000000 03000000",
                "end 3");
    }

    @Test
    void aBackendThatCannotPauseLookupsRefusesTheExtension() throws Exception {
        Backend kernelLike = new Backend() {
            final EngineBackend inner = new EngineBackend();

            public String name() {
                return "kernel";
            }

            public int possibleCpus() {
                return inner.possibleCpus();
            }

            public void setPossibleCpus(long count) throws ScenarioException {
                inner.setPossibleCpus(count);
            }

            public io.htablab.hashtab.htab.Errno selectCpu(int cpu) {
                return inner.selectCpu(cpu);
            }

            public Created create(String name, io.htablab.hashtab.htab.HtabAttr attr) {
                return inner.create(name, attr);
            }

            public void close(MapHandle map) {
            }

            public ValueReply lookup(MapHandle map, byte[] key, long flags) {
                return inner.lookup(map, key, flags);
            }

            public io.htablab.hashtab.htab.Errno update(MapHandle map, byte[] key, byte[] value, long flags) {
                return inner.update(map, key, value, flags);
            }

            public io.htablab.hashtab.htab.Errno delete(MapHandle map, byte[] key) {
                return inner.delete(map, key);
            }

            public ValueReply lookupAndDelete(MapHandle map, byte[] key, long flags) {
                return inner.lookupAndDelete(map, key, flags);
            }

            public KeyReply getNextKey(MapHandle map, byte[] key) {
                return inner.getNextKey(map, key);
            }

            public BatchReply lookupBatch(MapHandle map, boolean andDelete, byte[] in, long count, long elemFlags) {
                return inner.lookupBatch(map, andDelete, in, count, elemFlags);
            }

            public BatchReply updateBatch(MapHandle map, List<byte[]> keys, List<byte[]> values, long elemFlags) {
                return inner.updateBatch(map, keys, values, elemFlags);
            }

            public BatchReply deleteBatch(MapHandle map, List<byte[]> keys, long elemFlags) {
                return inner.deleteBatch(map, keys, elemFlags);
            }

            public InfoReply info(MapHandle map) {
                return inner.info(map);
            }

            public ValueReply progLookup(MapHandle map, byte[] key) {
                return inner.progLookup(map, key);
            }

            public io.htablab.hashtab.htab.Errno progUpdate(MapHandle map, byte[] key, byte[] value, long flags) {
                return inner.progUpdate(map, key, value, flags);
            }

            public io.htablab.hashtab.htab.Errno progDelete(MapHandle map, byte[] key) {
                return inner.progDelete(map, key);
            }

            public void close() {
            }
        };
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        new Interpreter(kernelLike).run(ScenarioParser.parse(
                "create h type=hash key=4 value=4 max=8\nreader r h u32:1\nstep r\n"), "x.hts", out::add, err::add);
        assertThat(out).containsExactly("ok", "error EINVAL", "error EINVAL");
        assertThat(err.get(0)).contains("x.hts:2").contains("engine-only");
        assertThat(err.get(1)).contains("x.hts:3").contains("no reader named 'r'");
    }
}
