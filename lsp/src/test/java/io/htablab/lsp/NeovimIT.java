package io.htablab.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real editor: headless Neovim (0.7's vim.lsp.start_client + buf_attach_client) attached to the shaded server
 * jar opens a sample file, receives the diagnostics and asks for a hover; on a program whose key is filled member
 * by member it receives the call-site diagnostic, asks for code actions and applies the memset quick fix. Runs after {@code package}
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

    /** A padded key filled member by member: a call-site diagnostic whose quick fix Neovim applies. */
    static final String CALL_SITE = "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n\n"
            + "struct flow { __u8 proto; __u32 addr; __u16 port; };\n"
            + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 64);\n"
            + "    __type(key, struct flow);\n    __type(value, __u64);\n} flows SEC(\".maps\");\n\n"
            + "SEC(\"xdp\")\nint prog(struct xdp_md *ctx)\n{\n    struct flow k;\n\n    k.proto = 6;\n"
            + "    k.addr = ctx->data;\n    return bpf_map_lookup_elem(&flows, &k) != 0;\n}\n";

    static final String CALL_SITE_LUA = """
            local out = os.getenv("HTAB_OUT")
            local function finish(result)
              local f = io.open(out, "w")
              f:write(vim.fn.json_encode(result))
              f:close()
              vim.cmd("qa!")
            end
            local function code_of(d)
              if d.code then return d.code end
              if d.user_data and d.user_data.lsp then return d.user_data.lsp.code end
              return nil
            end
            local function find(buf, code)
              for _, d in ipairs(vim.diagnostic.get(buf)) do
                if code_of(d) == code then return d end
              end
              return nil
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
            if not vim.wait(30000, function() return find(buf, "call.key.uninit-padding") ~= nil end, 50) then
              finish({ error = "no call-site diagnostic" }) return
            end
            local d = find(buf, "call.key.uninit-padding")
            local lsp_diagnostic = d.user_data and d.user_data.lsp or {}
            local params = {
              textDocument = { uri = vim.uri_from_bufnr(buf) },
              range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
              context = { diagnostics = { lsp_diagnostic } },
            }
            local replies = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 20000)
            local titles = {}
            local chosen = nil
            for _, reply in pairs(replies or {}) do
              for _, action in ipairs(reply.result or {}) do
                table.insert(titles, action.title)
                if action.title:find("__builtin_memset", 1, true) and action.edit then chosen = action end
              end
            end
            if not chosen then finish({ error = "no memset quick fix", titles = titles }) return end
            vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")
            local cleared = vim.wait(30000, function() return find(buf, "call.key.uninit-padding") == nil end, 50)
            local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
            vim.lsp.stop_client(id)
            finish({ message = d.message, line = d.lnum, titles = titles, lines = lines, cleared = cleared })
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
        JsonNode result = runNeovim("sessions.bpf.c", SAMPLE, LUA);
        assertThat(result.get("diagnostics")).anySatisfy(d -> {
            assertThat(d.get("lnum").asInt()).isEqualTo(8);
            assertThat(d.get("severity").asInt()).isEqualTo(1); // vim.diagnostic.severity.ERROR
            assertThat(d.get("message").asText()).contains("LRU maps must be preallocated", "ENOTSUPP");
        });
        assertThat(result.get("hover").asText()).contains("map `sessions`", "BPF_MAP_TYPE_LRU_HASH", "ENOTSUPP");
    }

    @Test
    void neovimAppliesTheQuickFixOfACallSiteDiagnostic() throws Exception {
        JsonNode result = runNeovim("flows.bpf.c", CALL_SITE, CALL_SITE_LUA);
        assertThat(result.get("line").asInt()).isEqualTo(18);
        assertThat(result.get("message").asText()).contains("key `k` (struct flow, 12 B) is filled member by member",
                "padding bytes 1..3 and 10..11");
        assertThat(result.get("titles")).extracting(JsonNode::asText)
                .contains("Zero `k` with __builtin_memset before it is filled", "Initialise `k` with = {}");
        List<String> lines = new java.util.ArrayList<>();
        result.get("lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines.subList(14, 19)).containsExactly("    struct flow k;", "",
                "    __builtin_memset(&k, 0, sizeof(k));", "    k.proto = 6;", "    k.addr = ctx->data;");
        assertThat(result.get("cleared").asBoolean()).as("the diagnostic went away after the edit").isTrue();
    }

    /** Runs headless Neovim on {@code text} with {@code lua}; returns what the script wrote. */
    private JsonNode runNeovim(String fileName, String text, String lua) throws Exception {
        Path nvim = findOnPath("nvim");
        Assumptions.assumeTrue(nvim != null, "nvim is not installed (Debian: apt-get install -y neovim); skipping the"
                + " real-editor test");
        Path jar = Path.of(System.getProperty("htab.lsp.jar", "target/hashtab-lsp.jar"));
        assertThat(jar).as("the shaded server jar (run mvn package first)").isRegularFile();

        Path file = dir.resolve(fileName);
        Files.writeString(file, text);
        Path script = dir.resolve("test.lua");
        Files.writeString(script, lua);
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
        return result;
    }
}
