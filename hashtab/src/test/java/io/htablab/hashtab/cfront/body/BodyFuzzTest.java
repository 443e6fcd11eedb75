package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.FunctionDefinition;
import io.htablab.hashtab.cfront.SourceRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mangled real-style programs and random token soup inside function bodies: the body analysis must terminate, must
 * not need its safety net (nothing escapes {@link BodyAnalysis#read}), and must give spans inside the body.
 */
class BodyFuzzTest {

    /** Inputs whose bodies reached the analysis (the front end drops a function it cannot brace-match). */
    private static final java.util.concurrent.atomic.AtomicInteger ANALYSED = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger INPUTS = new java.util.concurrent.atomic.AtomicInteger();

    @org.junit.jupiter.api.AfterAll
    static void mostInputsReachedTheAnalysis() {
        // guards against a fuzz that only feeds the front end's error path
        assertThat(ANALYSED.get()).as("inputs with an analysed body, of %d", INPUTS.get())
                .isGreaterThan(INPUTS.get() / 2);
    }

    static LongStream seeds() {
        return LongStream.range(1, 201);
    }

    private static final String[] SNIPPETS = {"{", "}", ";", "(", ")", "[", "]", ",", "=", "= {", "{}", "&", "*",
        "->", ".", "struct", "struct flow_key", "sizeof(", "sizeof", "(void *)", "(struct flow_key *)", "if (",
        "for (;;)", "while (", "do", "else", "return", "case 1:", "default:", "goto out;", "out:", "__builtin_memset(",
        "bpf_map_lookup_elem(&flows, &key)", "&key", "key.proto", "0x", "'", "\"", "?", ":", "++", "--", "<<=", "...",
        "({", "})", "typeof(", "__auto_type", "asm volatile(", "__attribute__((", "static", "const", "enum", "union",
        "int (*fp)(int)", "char buf[", "1 ?: 2", "#define Z(x) x\n", "\\\n", "\n#if 0\n", "\n#endif\n"};

    static List<Path> programs() throws Exception {
        Path dir = Path.of(BodyFuzzTest.class.getResource("/cfront/bodies").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".c")).sorted().toList();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mangledBodiesNeverBreakTheAnalysis(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Path> programs = programs();
        Path file = programs.get(rnd.nextInt(programs.size()));
        StringBuilder text = new StringBuilder(Files.readString(file));
        int bodyStart = text.indexOf("SEC(\"");
        int edits = 1 + rnd.nextInt(12);
        for (int i = 0; i < edits && text.length() > bodyStart + 1; i++) {
            int at = bodyStart + rnd.nextInt(text.length() - bodyStart);
            switch (rnd.nextInt(5)) {
                case 0 -> text.delete(at, Math.min(text.length(), at + 1 + rnd.nextInt(30)));
                case 1, 2 -> text.insert(at, " " + SNIPPETS[rnd.nextInt(SNIPPETS.length)] + " ");
                case 3 -> text.setCharAt(at, (char) (32 + rnd.nextInt(95)));
                default -> {
                    // duplicate a slice somewhere else: keeps the text C-like
                    int from = bodyStart + rnd.nextInt(text.length() - bodyStart);
                    int len = Math.min(text.length() - from, 1 + rnd.nextInt(80));
                    text.insert(at, text.substring(from, from + len));
                }
            }
        }
        check(seed, file.toUri().toString(), text.toString());
    }

    @ParameterizedTest(name = "soup {0}")
    @MethodSource("seeds")
    void tokenSoupInABody(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 7919);
        StringBuilder body = new StringBuilder("struct flow_key { __u8 proto; __u32 a; };\nint f(struct flow_key *p, int n) {\n");
        int n = 1 + rnd.nextInt(120);
        int braces = 0;
        for (int i = 0; i < n; i++) {
            String s = SNIPPETS[rnd.nextInt(SNIPPETS.length)];
            // keep braces balanced so the front end hands the body over (an unbalanced body is a syntax error there)
            if (s.contains("{") && !s.contains("}")) {
                braces++;
            } else if (s.equals("}") || s.equals("})")) {
                if (braces == 0) {
                    continue;
                }
                braces--;
            }
            body.append(s).append(rnd.nextBoolean() ? " " : "\n");
        }
        body.append("}".repeat(braces)).append("\n}\n");
        check(seed, "file:///tmp/fuzz/soup.c", body.toString());
    }

    private static void check(long seed, String uri, String text) throws RuntimeException {
        CFrontResult[] parsed = new CFrontResult[1];
        Throwable[] thrown = new Throwable[1];
        FunctionBody[][] bodies = new FunctionBody[1][];
        Thread t = new Thread(() -> {
            try {
                parsed[0] = CFront.parse(uri, text);
                bodies[0] = parsed[0].functions().stream().map(f -> BodyAnalysis.read(f, parsed[0].types()))
                        .toArray(FunctionBody[]::new);
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "body-fuzz");
        t.start();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(t.isAlive()).as("seed %d: analysis did not terminate on:\n%s", seed, text).isFalse();
        assertThat(thrown[0]).as("seed %d: analysis threw on:\n%s", seed, text).isNull();
        INPUTS.incrementAndGet();
        if (bodies[0].length > 0) {
            ANALYSED.incrementAndGet();
        }
        for (FunctionBody b : bodies[0]) {
            FunctionDefinition f = b.function();
            int size = f.body().size();
            for (CallSite c : b.calls()) {
                assertThat(c.index()).as("seed %d: %s", seed, c).isBetween(0, size - 1);
                assertThat(c.call().span().end()).as("seed %d: %s", seed, c).isLessThanOrEqualTo(size);
                SourceRange r = c.range();
                assertThat(r).isNotNull();
            }
            for (Local l : b.locals()) {
                assertThat(l.scopeEnd()).as("seed %d: %s", seed, l).isLessThanOrEqualTo(size);
                for (CallSite c : b.calls()) {
                    b.writesBefore(l, c.index());
                }
            }
            for (CallSite c : b.calls()) {
                b.resultUses(c);
                for (var a : c.call().args()) {
                    Exprs.typeOf(a);
                    Exprs.constantValue(a);
                    Exprs.addressedLocal(a);
                }
            }
        }
    }
}
