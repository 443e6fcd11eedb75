package io.htablab.hashtab.scenario;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine prints exactly what the kernel printed for every scenario with a recorded output. */
class EngineExamplesTest {

    static List<Path> scenarios() throws Exception {
        return ScenarioFiles.withRecordedOutput();
    }

    @Test
    void theRecordedScenariosAreFound() throws Exception {
        assertThat(scenarios()).as("oracle examples and samples with .out files").hasSizeGreaterThanOrEqualTo(9);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void engineOutputEqualsTheKernels(Path hts) throws Exception {
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        try (Interpreter interpreter = new Interpreter(new EngineBackend())) {
            interpreter.run(ScenarioParser.parse(Files.readString(hts, StandardCharsets.UTF_8)),
                    hts.getFileName().toString(), out::add, err::add);
        }
        List<String> expected = Files.readAllLines(ScenarioFiles.outputOf(hts), StandardCharsets.UTF_8);
        assertThat(String.join("\n", out)).as("engine output of %s (stderr: %s)", hts, err)
                .isEqualTo(String.join("\n", expected));
    }
}
