package io.htablab.hashtab.scenario;

import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
        // The engine in every respect except that, like the kernel, it cannot pause a lookup: beginReader is
        // left to the interface's default, and name() says "kernel".
        EngineBackend engine = new EngineBackend();
        Backend kernelLike = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("name")) {
                        return "kernel";
                    }
                    if (method.getName().equals("beginReader")) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    try {
                        return method.invoke(engine, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        new Interpreter(kernelLike).run(ScenarioParser.parse(
                "create h type=hash key=4 value=4 max=8\nreader r h u32:1\nstep r\n"), "x.hts", out::add, err::add);
        assertThat(out).containsExactly("ok", "error EINVAL", "error EINVAL");
        assertThat(err.get(0)).contains("x.hts:2").contains("engine-only");
        assertThat(err.get(1)).contains("x.hts:3").contains("no reader named 'r'");
    }
}
