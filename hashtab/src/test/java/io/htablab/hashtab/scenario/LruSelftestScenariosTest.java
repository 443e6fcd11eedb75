package io.htablab.hashtab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel selftest test_lru_map.c "sanity" tests (spec section 12) as scenarios (resources lru-selftests/,
 * written by gen_selftests.py there), with the live kernel's output recorded beside each (.out).
 *
 * <p>Two independent checks: the engine prints exactly the recorded kernel output; and the selftest's own
 * asserts, written as {@code #!} claims on the statements they concern, hold in that recorded output - so a
 * wrong recording (or a wrong translation) cannot pass just because the engine reproduces it.
 */
class LruSelftestScenariosTest {

    private static final Pattern CLAIM = Pattern.compile("#!\\s*(.+?)\\s*$");

    static Path dir() throws URISyntaxException {
        return Path.of(LruSelftestScenariosTest.class.getResource("/lru-selftests").toURI());
    }

    static Stream<Path> scenarios() throws Exception {
        return Files.list(dir()).filter(p -> p.toString().endsWith(".hts")).sorted();
    }

    /** Which sanity tests the selftest runs for each flavour (its early returns), for both map types. */
    @Test
    void everyRunOfTheSelftestHasATranslation() throws Exception {
        List<String> expected = new ArrayList<>();
        for (String type : List.of("lru_hash", "lru_percpu_hash")) {
            for (int n : new int[] {0, 1, 2, 3, 4, 5, 7, 8}) {
                expected.add("sanity" + n + "-" + type + "-common.hts");
            }
            for (int n : new int[] {0, 4, 6, 7, 8}) {
                expected.add("sanity" + n + "-" + type + "-no_common.hts");
            }
        }
        assertThat(scenarios().map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrderElementsOf(expected);
        for (String name : expected) {
            assertThat(dir().resolve(name.replace(".hts", ".out"))).as("recorded kernel output").exists();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void engineOutputEqualsTheRecordedKernelOutput(Path hts) throws Exception {
        List<String> engine = ScenarioFiles.runOnEngine(hts);
        List<String> kernel = Files.readAllLines(ScenarioFiles.outputOf(hts), StandardCharsets.UTF_8);
        for (int i = 0; i < Math.min(engine.size(), kernel.size()); i++) {
            assertThat(engine.get(i)).as("%s: output line %d", hts.getFileName(), i + 1).isEqualTo(kernel.get(i));
        }
        assertThat(engine).as("%s: number of output lines", hts.getFileName()).hasSameSizeAs(kernel);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theSelftestsClaimsHoldInTheRecordedKernelOutput(Path hts) throws Exception {
        List<ScriptLine> script = ScenarioParser.parse(Files.readString(hts, StandardCharsets.UTF_8));
        List<List<String>> kernel = ScenarioFiles.perStatement(script,
                Files.readAllLines(ScenarioFiles.outputOf(hts), StandardCharsets.UTF_8));
        int claims = 0;
        boolean finalDump = false;
        for (int i = 0; i < script.size(); i++) {
            ScriptLine line = script.get(i);
            assertThat(line.isValid()).as("%s:%d parses: %s", hts.getFileName(), line.lineNumber(), line.error())
                    .isTrue();
            Matcher m = CLAIM.matcher(line.text());
            if (!m.find()) {
                continue;
            }
            claims++;
            String where = hts.getFileName() + ":" + line.lineNumber() + " (" + line.text().strip() + ")";
            checkClaim(m.group(1), kernel.get(i), where);
            finalDump = line.statement() instanceof Statement.Dump;
        }
        assertThat(claims).as("%s carries the selftest's asserts", hts.getFileName()).isGreaterThan(3);
        assertThat(finalDump).as("%s ends with the selftest's map_equal as a dump claim", hts.getFileName()).isTrue();
    }

    /** One {@code #!} claim against the output of its statement (see gen_selftests.py for the forms). */
    static void checkClaim(String claim, List<String> out, String where) {
        String first = out.get(0);
        if (claim.equals("ok") || claim.startsWith("error ")) {
            assertThat(first).as(where).isEqualTo(claim);
        } else if (claim.equals("fails")) {
            assertThat(first).as(where + ": the selftest asserts a non-zero return").startsWith("error ");
        } else if (claim.startsWith("value ")) {
            assertThat(first).as(where).startsWith("value ");
            assertThat(firstSlotU64(first.substring(6))).as(where + ": value[0]")
                    .isEqualTo(Long.parseLong(claim.substring(6)));
        } else if (claim.startsWith("dump ")) {
            Map<Long, Long> expected = new TreeMap<>();
            String spec = claim.substring(5);
            if (!spec.equals("empty")) {
                for (String range : spec.split(",")) {
                    String[] kv = range.split(":");
                    String[] ab = kv[0].split("-");
                    for (long k = Long.parseLong(ab[0]); k <= Long.parseLong(ab[1]); k++) {
                        expected.put(k, Long.parseLong(kv[1]));
                    }
                }
            }
            Map<Long, Long> got = new TreeMap<>();
            for (String l : out.subList(0, out.size() - 1)) {
                String[] t = l.split(" ");
                assertThat(got.put(firstSlotU64(t[1]), firstSlotU64(t[2]))).as(where + ": key listed twice").isNull();
            }
            assertThat(out.get(out.size() - 1)).as(where).isEqualTo("end " + expected.size());
            assertThat(got).as(where + ": the map equals the selftest's expected map").isEqualTo(expected);
        } else {
            throw new AssertionError(where + ": unknown claim '" + claim + "'");
        }
    }

    /** The little-endian u64 in the first 8 bytes of a hex value (per-CPU values: CPU 0's slot). */
    static long firstSlotU64(String hex) {
        long v = 0;
        for (int b = 7; b >= 0; b--) {
            v = v << 8 | Integer.parseInt(hex.substring(2 * b, 2 * b + 2), 16);
        }
        return v;
    }

    /** The claim checker itself rejects outputs that contradict a claim (so the claims cannot pass vacuously). */
    @Test
    void claimCheckerRejectsContradictingOutput() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> checkClaim("ok", List.of("error EEXIST"), "t"))
                .isInstanceOf(AssertionError.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> checkClaim("fails", List.of("ok"), "t"))
                .isInstanceOf(AssertionError.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> checkClaim("value 1234", List.of("value d304000000000000"), "t"))
                .isInstanceOf(AssertionError.class);
        // sanity0's claim with key 2 surviving instead of 3
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> checkClaim("dump 3-3:1234",
                List.of("entry 0200000000000000 d204000000000000", "end 1"), "t"))
                .isInstanceOf(AssertionError.class);
        checkClaim("dump 1-1:1234,3-3:1234", List.of("entry 0300000000000000 d204000000000000",
                "entry 0100000000000000 d204000000000000", "end 2"), "t");
        checkClaim("value 1234", List.of("value d204000000000000|d204000000000000"), "t");
    }
}
