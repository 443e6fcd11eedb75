package io.htablab.hashtab.cfront;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Random truncations and edits of corpus files: CFront must terminate, never fail internally, and give valid ranges. */
class CFrontFuzzTest {

    static LongStream seeds() {
        return LongStream.range(1, 61);
    }

    private static final String[] SNIPPETS = {"{", "}", ";", "(", ")", "#if 1\n", "#endif\n", "#define X(", "__uint(",
        "struct", "\"", "'", "/*", "\\\n", "[", "]", ",", "= {", "SEC(\".maps\")", "enum {", ":", "0x", "sizeof(",
        "__attribute__((", "#include \"nowhere.h\"\n", "#define A A\nA\n", "typeof(", "\n#", "1 << 70", "/ 0"};

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mangledCorpusNeverBreaksTheFrontEnd(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Path> corpus;
        try (Stream<Path> s = Files.list(ClangGroundTruthTest.corpusDir())) {
            corpus = s.filter(p -> p.toString().endsWith(".c")).sorted().toList();
        }
        Path file = corpus.get(rnd.nextInt(corpus.size()));
        StringBuilder text = new StringBuilder(Files.readString(file));
        int edits = 1 + rnd.nextInt(8);
        for (int i = 0; i < edits && text.length() > 0; i++) {
            int at = rnd.nextInt(text.length());
            switch (rnd.nextInt(4)) {
                case 0 -> text.setLength(at);
                case 1 -> text.delete(at, Math.min(text.length(), at + 1 + rnd.nextInt(40)));
                case 2 -> text.insert(at, SNIPPETS[rnd.nextInt(SNIPPETS.length)]);
                default -> text.setCharAt(at, (char) (32 + rnd.nextInt(95)));
            }
        }
        String mangled = text.toString();
        CFrontResult[] out = new CFrontResult[1];
        Thread t = new Thread(() -> out[0] = CFront.parse(file.toUri().toString(), mangled));
        t.start();
        t.join(10_000);
        assertThat(t.isAlive()).as("seed %d: parse of mangled %s did not terminate", seed, file.getFileName()).isFalse();
        CFrontResult r = out[0];
        assertThat(r).as("seed %d", seed).isNotNull();
        List<String> lines = new ArrayList<>(List.of(mangled.split("\n", -1)));
        for (CDiagnostic d : r.diagnostics()) {
            assertThat(d.code()).as("seed %d: %s", seed, d).isNotEqualTo("internal-error");
            if (d.uri() != null && d.uri().equals(file.toUri().toString())) {
                assertThat(d.range().endLine()).as("seed %d: %s", seed, d).isLessThan(lines.size());
                assertThat(d.range().startCol()).as("seed %d: %s", seed, d).isLessThanOrEqualTo(lines.get(d.range().startLine()).length());
            }
        }
        for (MapDefinition m : r.maps()) {
            assertThat(m.nameRange().endLine()).as("seed %d: %s", seed, m.name()).isLessThan(lines.size());
        }
    }
}
