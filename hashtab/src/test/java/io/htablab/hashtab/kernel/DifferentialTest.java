package io.htablab.hashtab.kernel;

import io.htablab.hashtab.scenario.ScenarioFiles;

import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.EngineBackend;
import io.htablab.hashtab.scenario.gen.ScenarioGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine against the live kernel: every oracle example, every sample, and
 * {@code htablab.diff.scenarios} (default 200) random scenarios per map type (seed
 * {@code htablab.diff.seed} + i). LRU types run only once the engine can create them.
 */
class DifferentialTest {

    private static final int SCENARIOS = Integer.getInteger("htablab.diff.scenarios", 200);
    private static final long FIRST_SEED = Long.getLong("htablab.diff.seed", 1L);
    private static final int STATEMENTS = Integer.getInteger("htablab.diff.statements", ScenarioGenerator.DEFAULT_STATEMENTS);
    private static final int MINIMISE_RUNS = Integer.getInteger("htablab.diff.minimise", Differential.DEFAULT_MINIMISE_RUNS);

    private static final Supplier<Backend> ENGINE = EngineBackend::new;
    private static final Supplier<Backend> KERNEL = Differential.kernel(m -> { });
    private static final Map<MapType, Boolean> ENGINE_SUPPORT = new EnumMap<>(MapType.class);
    /** Minimising is costly: only the first difference in a run is minimised. */
    private static final AtomicBoolean MINIMISED_ONE = new AtomicBoolean();
    private static final Map<MapType, AtomicLong> RANDOM_NANOS = new EnumMap<>(MapType.class);
    private static final Map<MapType, AtomicLong> RANDOM_RUNS = new EnumMap<>(MapType.class);

    static Stream<Named<Path>> files() {
        List<Path> all = new ArrayList<>(ScenarioFiles.examples());
        all.addAll(ScenarioFiles.samples());
        if (all.isEmpty()) {
            return Stream.of(Named.of("no examples or samples found", null));
        }
        return all.stream().map(p -> Named.of(p.getParent().getFileName() + "/" + p.getFileName(), p));
    }

    static Stream<Arguments> randomScenarios() {
        List<Arguments> cases = new ArrayList<>();
        for (MapType t : MapType.hashTypes()) {
            for (int i = 0; i < SCENARIOS; i++) {
                cases.add(Arguments.of(t, FIRST_SEED + i));
            }
        }
        return cases.stream();
    }

    private static void needsKernel() {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, differential tests skipped: " + refused);
    }

    private static synchronized boolean engineSupports(MapType t) {
        return ENGINE_SUPPORT.computeIfAbsent(t, type -> Differential.engineSupports(ENGINE, type));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void engineAgreesWithTheKernelOnExamplesAndSamples(Path hts) {
        assumeTrue(hts != null, "no shared/oracle/examples and no samples found");
        needsKernel();
        String text = ScenarioFiles.read(hts);
        if (text.contains("type=lru_")) {
            assumeTrue(engineSupports(MapType.LRU_HASH) && engineSupports(MapType.LRU_PERCPU_HASH),
                    "the engine cannot create LRU maps yet; " + hts.getFileName() + " skipped");
        }
        check(text, hts.getFileName().toString(), "");
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("randomScenarios")
    void engineAgreesWithTheKernelOnRandomScenarios(MapType type, long seed) {
        needsKernel();
        if (type.isLru()) {
            assumeTrue(engineSupports(type), "the engine cannot create " + type.scenarioName() + " maps yet; skipped");
        }
        String text = ScenarioGenerator.generate(seed, type, KernelBackend.possibleCpuIds().size(), STATEMENTS);
        long start = System.nanoTime();
        check(text, "random-" + type.scenarioName() + "-seed" + seed,
                " (reproduce: hashtab verify --random 1 --seed " + seed + " --type " + type.scenarioName()
                        + " --statements " + STATEMENTS + ")");
        synchronized (DifferentialTest.class) {
            RANDOM_NANOS.computeIfAbsent(type, t -> new AtomicLong()).addAndGet(System.nanoTime() - start);
            RANDOM_RUNS.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
        }
    }

    private static void check(String text, String name, String reproduce) {
        Differential.Outcome o = Differential.compare(text, name, ENGINE, KERNEL);
        assumeTrue(o.verdict() != Differential.Verdict.CANNOT_RUN, () -> name + " cannot run on this kernel: " + o.why());
        if (o.verdict() == Differential.Verdict.AGREE) {
            return;
        }
        StringBuilder msg = new StringBuilder(Differential.describe(o, name)).append(reproduce).append('\n');
        if (MINIMISED_ONE.compareAndSet(false, true)) {
            Differential.Minimised m = Differential.minimise(o, name, ENGINE, KERNEL, MINIMISE_RUNS);
            msg.append("minimised to ").append(m.lines()).append(" of ").append(m.originalLines())
                    .append(" statements in ").append(m.runs()).append(" runs:\n").append(m.text());
            if (m.outcome().verdict() == Differential.Verdict.DIFFER) {
                msg.append(Differential.describe(m.outcome(), "minimised"));
            }
        }
        fail(msg.toString());
    }

    @AfterAll
    static void reportTimings() {
        RANDOM_RUNS.forEach((t, n) -> System.out.printf("DifferentialTest: %d random %s scenarios in %d ms%n",
                n.get(), t.scenarioName(), RANDOM_NANOS.get(t).get() / 1_000_000));
    }
}
