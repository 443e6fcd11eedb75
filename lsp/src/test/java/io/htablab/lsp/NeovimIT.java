package io.htablab.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real editor: headless Neovim (0.7's vim.lsp.start_client + buf_attach_client) attached to the shaded server
 * jar opens a sample file, receives the diagnostics and asks for a hover. Runs after {@code package}
 * (failsafe); skipped when nvim is not installed.
 */
class NeovimIT {

    static final String SAMPLE = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_LRU_HASH);\n    __uint(max_entries, 4096);\n"
            + "    __type(key, __u32);\n    __type(value, __u64);\n    __uint(map_flags, BPF_F_NO_PREALLOC);\n"
            + "} sessions SEC(\".maps\");\n";

    static final String LUA = """
            local out = os.getenv("HTAB_OUT")
            local function finish(result)
              local f = io.open(out, "w")
              f:write(vim.fn.json_encode(result))
              f:close()
              vim.cmd("qa!")
            end
            vim.cmd("edit " .. os.getenv("HTAB_FILE"))
            local buf = vim.api.nvim_get_current_buf()
            local id = vim.lsp.start_client({
              name = "htab",
              cmd = { os.getenv("HTAB_JAVA"), "-jar", os.getenv("HTAB_JAR") },
              root_dir = vim.fn.fnamemodify(os.getenv("HTAB_FILE"), ":h"),
              init_options = { possibleCpus = 2 },
            })
            if not id then finish({ error = "start_client failed" }) return end
            vim.lsp.buf_attach_client(buf, id)
            local client = vim.lsp.get_client_by_id(id)
            if not vim.wait(30000, function() return client.initialized end, 50) then
              finish({ error = "not initialized" }) return
            end
            if not vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
              finish({ error = "no diagnostics" }) return
            end
            local diagnostics = {}
            for _, d in ipairs(vim.diagnostic.get(buf)) do
              table.insert(diagnostics, { lnum = d.lnum, severity = d.severity, message = d.message })
            end
            local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 9, character = 4 } }
            local replies = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 20000)
            local hover = ""
            for _, reply in pairs(replies or {}) do
              if reply.result and reply.result.contents then hover = reply.result.contents.value end
            end
            vim.lsp.stop_client(id)
            finish({ diagnostics = diagnostics, hover = hover })
            """;

    @TempDir
    Path dir;

    static Path findOnPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void neovimReceivesDiagnosticsAndHover() throws Exception {
        Path nvim = findOnPath("nvim");
        Assumptions.assumeTrue(nvim != null, "nvim is not installed (Debian: apt-get install -y neovim); skipping the"
                + " real-editor test");
        Path jar = Path.of(System.getProperty("htab.lsp.jar", "target/hashtab-lsp.jar"));
        assertThat(jar).as("the shaded server jar (run mvn package first)").isRegularFile();

        Path file = dir.resolve("sessions.bpf.c");
        Files.writeString(file, SAMPLE);
        Path script = dir.resolve("test.lua");
        Files.writeString(script, LUA);
        Path out = dir.resolve("result.json");
        ProcessBuilder pb = new ProcessBuilder(nvim.toString(), "--headless", "-u", "NONE", "-i", "NONE",
                "-c", "luafile " + script)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nvim.log").toFile());
        pb.environment().put("HTAB_OUT", out.toString());
        pb.environment().put("HTAB_FILE", file.toString());
        pb.environment().put("HTAB_JAR", jar.toAbsolutePath().toString());
        pb.environment().put("HTAB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("XDG_STATE_HOME", dir.toString());
        pb.environment().put("XDG_CACHE_HOME", dir.toString());
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nvim did not finish; log:\n" + Files.readString(dir.resolve("nvim.log")));
        }
        assertThat(out).as("nvim result (log: %s)", Files.readString(dir.resolve("nvim.log"))).isRegularFile();
        JsonNode result = new ObjectMapper().readTree(out.toFile());
        assertThat(result.has("error")).as("nvim reported %s", result).isFalse();
        assertThat(result.get("diagnostics")).anySatisfy(d -> {
            assertThat(d.get("lnum").asInt()).isEqualTo(8);
            assertThat(d.get("severity").asInt()).isEqualTo(1); // vim.diagnostic.severity.ERROR
            assertThat(d.get("message").asText()).contains("LRU maps must be preallocated", "ENOTSUPP");
        });
        assertThat(result.get("hover").asText()).contains("map `sessions`", "BPF_MAP_TYPE_LRU_HASH", "ENOTSUPP");
    }
}
