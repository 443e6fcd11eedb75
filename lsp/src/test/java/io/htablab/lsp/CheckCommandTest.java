package io.htablab.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CheckCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int status, List<JsonNode> lines, String stderr) {
    }

    Run run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.runCommandLine(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return new Run(status, lines, err.toString(StandardCharsets.UTF_8));
    }

    Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static final String GOOD = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);\n    __uint(max_entries, 1 << 12);\n"
            + "    __type(key, __u32);\n    __type(value, __u64);\n    __uint(map_flags, BPF_F_NO_PREALLOC);\n"
            + "} stats SEC(\".maps\");\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_ARRAY);\n    __uint(max_entries, 1);\n"
            + "    __type(key, __u32);\n    __type(value, __u32);\n} cfg SEC(\".maps\");\n";

    static final String BAD = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, 64);\n"
            + "    __type(key, __u32);\n    __type(value, __u64);\n    __uint(map_flags, BPF_F_NO_PREALLOC);\n"
            + "} lru SEC(\".maps\");\n";

    @Test
    void cleanFilePrintsOneLinePerMapAndExitsZero() throws Exception {
        Path good = write("good.bpf.c", GOOD);
        Run r = run("check", "--cpus", "2", good.toString());
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(2);
        JsonNode stats = r.lines().get(0);
        assertThat(stats.get("file").asText()).isEqualTo(good.toString());
        assertThat(stats.get("map").asText()).isEqualTo("stats");
        assertThat(stats.get("line").asInt()).isEqualTo(9);
        assertThat(stats.get("type").asText()).isEqualTo("percpu_hash");
        assertThat(stats.get("key_size").asLong()).isEqualTo(4);
        assertThat(stats.get("value_size").asLong()).isEqualTo(8);
        assertThat(stats.get("max_entries").asLong()).isEqualTo(4096);
        assertThat(stats.get("flags").asLong()).isEqualTo(1);
        assertThat(stats.get("diagnostics").isArray()).isTrue();
        assertThat(stats.get("diagnostics")).isEmpty();
        JsonNode cfg = r.lines().get(1);
        assertThat(cfg.get("type").asText()).isEqualTo("array");
        assertThat(cfg.get("line").asInt()).isEqualTo(15);
    }

    @Test
    void errorDiagnosticsExitOne() throws Exception {
        Run r = run("check", "--cpus", "2", write("good.bpf.c", GOOD).toString(), write("bad.bpf.c", BAD).toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.lines()).hasSize(3);
        JsonNode lru = r.lines().get(2);
        assertThat(lru.get("type").asText()).isEqualTo("lru_hash");
        assertThat(lru.get("flags").asLong()).isEqualTo(1);
        JsonNode d = lru.get("diagnostics");
        assertThat(d).anySatisfy(x -> {
            assertThat(x.get("severity").asText()).isEqualTo("error");
            assertThat(x.get("code").asText()).isEqualTo("htab.create.ENOTSUPP");
            assertThat(x.get("line").asInt()).isEqualTo(8);
            assertThat(x.get("message").asText()).contains("LRU maps must be preallocated");
        });
        // a map the kernel refuses gets no further advice
        assertThat(d).noneSatisfy(x -> assertThat(x.get("code").asText()).isEqualTo("lru.early-eviction"));
    }

    @Test
    void warningsAloneExitZero() throws Exception {
        Path p = write("warn.bpf.c", BAD.replace("    __uint(map_flags, BPF_F_NO_PREALLOC);\n", ""));
        Run r = run("check", "--cpus", "2", p.toString());
        assertThat(r.status()).isZero();
        assertThat(r.lines().get(0).get("diagnostics")).singleElement()
                .satisfies(x -> assertThat(x.get("severity").asText()).isEqualTo("warning"));
    }

    @Test
    void cpusOptionChangesTheFigures() throws Exception {
        // 64 entries: with 1 CPU target_free = 32, 4 x 32 = 128 > 64 still warns; 16 entries never big enough.
        Path p = write("lru.bpf.c", BAD.replace("    __uint(map_flags, BPF_F_NO_PREALLOC);\n", "")
                .replace("max_entries, 64", "max_entries, 8192"));
        assertThat(run("check", "--cpus", "2", p.toString()).lines().get(0).get("diagnostics")).isEmpty();
        assertThat(run("check", "--cpus", "64", p.toString()).lines().get(0).get("diagnostics"))
                .anySatisfy(x -> assertThat(x.get("code").asText()).isEqualTo("lru.early-eviction"));
    }

    @Test
    void unreadableFileExitsTwoButOthersArePrinted() throws Exception {
        Run r = run("check", "--cpus", "2", dir.resolve("missing.c").toString(), write("bad.bpf.c", BAD).toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.lines()).hasSize(1);
        assertThat(r.lines().get(0).get("map").asText()).isEqualTo("lru");
        assertThat(r.stderr()).contains("missing.c").contains("cannot read");
    }

    @Test
    void includePathsAreUsed() throws Exception {
        Path inc = Files.createDirectories(dir.resolve("inc"));
        Files.writeString(inc.resolve("sizes.h"), "#define MAX_FLOWS 0\n");
        Path p = write("inc.bpf.c", "#include \"sizes.h\"\n" + GOOD.replace("1 << 12", "MAX_FLOWS"));
        Run r = run("check", "--cpus", "2", "-I", inc.toString(), p.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.lines().get(0).get("max_entries").asLong()).isZero();
    }

    @Test
    void helpIsPrinted() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.runCommandLine(new String[] {"check", "--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--cpus", "-I", "FILE");
    }
}
