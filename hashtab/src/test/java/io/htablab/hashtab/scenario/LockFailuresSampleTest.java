package io.htablab.hashtab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * samples/15-lock-failures.hts is engine-only (the live kernel has no way to make one of its locks fail on demand); the
 * line {@code #> X} after a statement is the one line it prints. The engine must print exactly that, statement by
 * statement, so the sample's commentary cannot drift from the model.
 */
class LockFailuresSampleTest {

    @Test
    void everyAnnotatedStatementPrintsWhatItsCommentSays() {
        Path hts = ScenarioFiles.samplesDir().resolve("15-lock-failures.hts");
        String text = ScenarioFiles.read(hts);
        String[] raw = text.split("\n", -1);
        List<ScriptLine> script = ScenarioParser.parse(text);
        List<List<String>> outputs = ScenarioFiles.perStatement(script, ScenarioFiles.runOnEngine(text, "15"));
        int checked = 0;
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < script.size(); i++) {
            ScriptLine line = script.get(i);
            String next = line.lineNumber() < raw.length ? raw[line.lineNumber()].strip() : "";
            if (!next.startsWith("#> ")) {
                continue;
            }
            String expected = next.substring(3).strip();
            checked++;
            if (!outputs.get(i).equals(List.of(expected))) {
                mismatches.add("line " + line.lineNumber() + " (" + line.text().strip() + "): expected " + expected
                        + ", printed " + outputs.get(i));
            }
        }
        assertThat(checked).as("annotated statements").isGreaterThanOrEqualTo(20);
        assertThat(mismatches).isEmpty();
    }
}
