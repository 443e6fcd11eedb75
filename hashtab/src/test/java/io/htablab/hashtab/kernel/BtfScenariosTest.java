package io.htablab.hashtab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.htablab.hashtab.scenario.EngineBackend;
import io.htablab.hashtab.scenario.ScenarioFiles;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenarios with BTF-typed values ({@code src/test/resources/btf}): BPF_F_LOCK updates, lookups, lookup-and-delete
 * and batches, special fields zeroed in user and program reads, user writes that leave special fields alone, on maps
 * with a spin lock and an unused timer. The engine prints exactly what the kernel printed when the {@code .out} was
 * recorded ({@code hashtab.jar kernel}), and, where bpf() is allowed, exactly what the live kernel prints now.
 */
class BtfScenariosTest {

    static Stream<Named<Path>> scenarios() throws URISyntaxException {
        Path dir = Path.of(BtfScenariosTest.class.getResource("/btf").toURI());
        return ScenarioFiles.hts(dir).stream().map(p -> Named.of(p.getFileName().toString(), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void engineOutputEqualsTheRecordedKernelOutput(Path hts) throws Exception {
        List<String> engine = ScenarioFiles.runOnEngine(hts);
        String expected = ScenarioFiles.expectedOutput(hts);
        assertThat(String.join("\n", engine) + "\n").isEqualTo(expected);
        // the scenario must show values, not only refusals
        assertThat(expected).containsPattern("(?m)^(value|entry|batch count=[1-9])");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void engineEqualsTheLiveKernelLineByLine(Path hts) {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, kernel comparison skipped: " + refused);
        Differential.Outcome o = Differential.compare(ScenarioFiles.read(hts), hts.getFileName().toString(),
                EngineBackend::new, Differential.kernel(m -> { }));
        assertThat(o.verdict()).as(() -> o.verdict() == Differential.Verdict.DIFFER
                ? Differential.describe(o, hts.getFileName().toString()) : String.valueOf(o.why()))
                .isEqualTo(Differential.Verdict.AGREE);
    }
}
