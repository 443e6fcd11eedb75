package io.htablab.hashtab.kernel;

import io.htablab.hashtab.scenario.ScenarioFiles;

import io.htablab.hashtab.scenario.CpusMismatchException;
import io.htablab.hashtab.scenario.Interpreter;
import io.htablab.hashtab.scenario.ScenarioParser;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** KernelBackend through the Interpreter prints exactly what the Python oracle recorded for each example. */
class KernelExamplesTest {

    static Stream<Named<Path>> examples() {
        List<Path> files = ScenarioFiles.examples();
        if (files.isEmpty()) {
            return Stream.of(Named.of("no shared/oracle/examples found", null));
        }
        return files.stream().map(p -> Named.of(p.getFileName().toString(), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void kernelOutputEqualsTheOraclesRecordedOutput(Path hts) throws Exception {
        assumeTrue(hts != null, "the shared oracle examples were not found (set -Dhtablab.shared=DIR)");
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, kernel tests skipped: " + refused);
        List<String> out = new ArrayList<>();
        try (Interpreter interpreter = new Interpreter(new KernelBackend())) {
            interpreter.run(ScenarioParser.parse(ScenarioFiles.read(hts)), hts.getFileName().toString(), out::add, e -> { });
        } catch (CpusMismatchException e) {
            assumeTrue(false, "the example was recorded for another CPU count: " + e.getMessage());
        }
        assertThat(String.join("\n", out) + "\n").isEqualTo(ScenarioFiles.expectedOutput(hts));
    }
}
