package io.htablab.lsp;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LiveMapsAndVisualizerTest {

    static final String TEXT = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, 1024);\n"
            + "    __type(key, __u32);\n    __type(value, __u64);\n    __uint(map_flags, BPF_F_NO_COMMON_LRU | BPF_F_ZERO_SEED);\n"
            + "} connection_tracking SEC(\".maps\");\n";

    @Test
    void hoverShowsALoadedMapOnceFound() throws Exception {
        List<Long> counted = new ArrayList<>();
        LiveMaps.Source fake = new LiveMaps.Source() {
            @Override
            public List<LiveMaps.LiveMap> list() {
                // the kernel keeps 15 characters of the name
                return List.of(new LiveMaps.LiveMap(42, "connection_trac", "lru_hash", 4, 8, 1024, 99_000, -1),
                        new LiveMaps.LiveMap(7, "other", "hash", 4, 4, 1, 100, -1));
            }

            @Override
            public long countEntries(long id) {
                counted.add(id);
                return 17;
            }
        };
        LiveMaps live = new LiveMaps(fake, 60_000);
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2), live);
        service.prefetchLiveMaps(Dsl.URI, TEXT);
        live.awaitIdle(5000);
        String hover = service.hover(Dsl.URI, TEXT, 8, 4).orElseThrow();
        assertThat(hover).contains("**Loaded on this machine**: id 42, 17 entries of 1024, memlock 99,000 B");
        assertThat(counted).containsExactly(42L);
    }

    @Test
    void failingSourceShowsNothing() throws Exception {
        LiveMaps live = new LiveMaps(new LiveMaps.Source() {
            @Override
            public List<LiveMaps.LiveMap> list() throws Exception {
                throw new java.io.IOException("bpf(): not permitted");
            }

            @Override
            public long countEntries(long id) {
                return 0;
            }
        }, 60_000);
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2), live);
        service.prefetchLiveMaps(Dsl.URI, TEXT);
        live.awaitIdle(5000);
        assertThat(service.hover(Dsl.URI, TEXT, 8, 4).orElseThrow()).doesNotContain("Loaded on this machine");
    }

    @Test
    void visualizerScenarioCreatesTheMap() throws Exception {
        Path jar = Files.createTempFile("fake-visualizer", ".jar");
        List<List<String>> started = new ArrayList<>();
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2)
                .withVisualizerJar(jar.toString()));
        VisualizerLauncher.Outcome outcome = service.openInVisualizer(Dsl.URI, TEXT, "connection_tracking", started::add);
        assertThat(outcome.started()).isTrue();
        assertThat(Files.readString(outcome.scenario())).contains("cpus 2\n",
                "create connection_tracking type=lru_hash key=4 value=8 max=1024 flags=no_common_lru,zero_seed\n");
        assertThat(started).singleElement().satisfies(cmd ->
                assertThat(cmd.subList(1, cmd.size())).containsExactly("-jar", jar.toString(), "--scenario",
                        outcome.scenario().toString()));
        Files.deleteIfExists(outcome.scenario());
    }

    @Test
    void withoutAJarTheScenarioPathIsReported() throws Exception {
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2)
                .withVisualizerJar("/nonexistent/htab-lab.jar"));
        VisualizerLauncher.Outcome outcome = service.openInVisualizer(Dsl.URI, TEXT, "connection_tracking",
                cmd -> { throw new AssertionError("must not start"); });
        assertThat(outcome.started()).isFalse();
        assertThat(outcome.message()).contains(outcome.scenario().toString(), "not found");
        Files.deleteIfExists(outcome.scenario());
    }

    @Test
    void settingsMergeFromJson() {
        LspSettings s = LspSettings.defaults().merge(JsonParser.parseString(
                "{\"htab\": {\"possibleCpus\": 8, \"includePaths\": [\"/a\", \"/b\"], \"percpuMemoryWarningBytes\": 4096,"
                        + " \"inlayHints\": false, \"visualizerJar\": \"/x.jar\"}}"));
        assertThat(s.possibleCpus()).isEqualTo(8);
        assertThat(s.includePaths()).containsExactly(Path.of("/a"), Path.of("/b"));
        assertThat(s.percpuMemoryWarningBytes()).isEqualTo(4096);
        assertThat(s.inlayHints()).isFalse();
        assertThat(s.visualizerJar()).isEqualTo("/x.jar");
        // wrong types are ignored, not fatal
        LspSettings same = s.merge(JsonParser.parseString("{\"possibleCpus\": \"many\", \"inlayHints\": 3}"));
        assertThat(same).isEqualTo(s);
    }

    @Test
    void possibleCpuListsAreCounted() {
        assertThat(LspSettings.parseCpuList("0-1\n")).isEqualTo(2);
        assertThat(LspSettings.parseCpuList("0-3,5")).isEqualTo(5);
        assertThat(LspSettings.parseCpuList("0")).isEqualTo(1);
    }
}
