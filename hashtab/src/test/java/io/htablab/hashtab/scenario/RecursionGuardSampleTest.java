package io.htablab.hashtab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * samples/14-recursion-guard.hts is engine-only and runs as 6.14; the line {@code #> 6.14: A | 6.18: B} after a
 * statement says what it prints under each profile. Both runs must print exactly what the comments say (the 6.18
 * column is what NestedProgramKernelTest and the live kernel confirm for the same situations; the 6.14 column follows
 * the v6.14 sources).
 */
class RecursionGuardSampleTest {

    private static final Pattern EXPECT = Pattern.compile("^#> 6\\.14: (.*) \\| 6\\.18: (.*)$");

    @ParameterizedTest(name = "profile {0}")
    @ValueSource(strings = {"6.14", "6.18"})
    void everyAnnotatedStatementPrintsWhatItsCommentSays(String profile) {
        Path hts = ScenarioFiles.samplesDir().resolve("14-recursion-guard.hts");
        String text = ScenarioFiles.read(hts).replaceFirst("(?m)^profile 6\\.14$", "profile " + profile);
        String[] raw = text.split("\n", -1);
        List<ScriptLine> script = ScenarioParser.parse(text);
        List<List<String>> outputs = ScenarioFiles.perStatement(script, ScenarioFiles.runOnEngine(text, "14"));
        int checked = 0;
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < script.size(); i++) {
            ScriptLine line = script.get(i);
            String next = line.lineNumber() < raw.length ? raw[line.lineNumber()] : "";
            Matcher m = EXPECT.matcher(next.strip());
            if (!m.matches()) {
                continue;
            }
            String expected = profile.equals("6.14") ? m.group(1) : m.group(2);
            checked++;
            if (!outputs.get(i).equals(List.of(expected))) {
                mismatches.add("line " + line.lineNumber() + " (" + line.text().strip() + "): expected " + expected
                        + ", printed " + outputs.get(i));
            }
        }
        assertThat(checked).as("annotated statements").isGreaterThanOrEqualTo(15);
        assertThat(mismatches).isEmpty();
    }
}
