package io.htablab.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Maps defined in included headers (issue 12): {@code check} prints them for every file that includes them, at
 * the header's file and line; the outline shows them at the {@code #include}; a hover on a use explains them.
 * Also the loader-completion diagnostics and the padding of unnamed bit-fields.
 */
class HeaderMapsTest {

    @TempDir
    Path dir;

    static final String COMPAT = """
            #ifndef __COMPAT_BPF_H
            #define __COMPAT_BPF_H
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>

            struct {
            	__uint(type, BPF_MAP_TYPE_RINGBUF);
            	__uint(max_entries, 256 * 1024);
            } events SEC(".maps");

            struct {
            	__uint(type, BPF_MAP_TYPE_LRU_HASH);
            	__uint(max_entries, 64);
            	__type(key, __u32);
            	__type(value, __u64);
            } tiny_lru SEC(".maps");
            #endif
            """;

    static final String TOOL = """
            #include "compat.bpf.h"

            struct {
            	__uint(type, BPF_MAP_TYPE_HASH);
            	__uint(max_entries, 1024);
            	__type(key, __u32);
            	__type(value, __u64);
            } own SEC(".maps");

            SEC("xdp")
            int prog(void *ctx)
            {
            	__u32 k = 0;
            	bpf_ringbuf_reserve(&events, 8, 0);
            	return bpf_map_lookup_elem(&tiny_lru, &k) != 0;
            }
            """;

    private List<JsonNode> check(Path... files) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("check", "--cpus", "2"));
        for (Path f : files) {
            args.add(f.toString());
        }
        Main.runCommandLine(args.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(CheckCommandTest.JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void checkPrintsAHeadersMapsForEveryFileThatIncludesItAtTheHeadersLine() throws Exception {
        Path header = dir.resolve("compat.bpf.h");
        Files.writeString(header, COMPAT);
        Path a = dir.resolve("a.bpf.c");
        Path b = dir.resolve("b.bpf.c");
        Files.writeString(a, TOOL);
        Files.writeString(b, TOOL.replace("own", "other"));
        List<JsonNode> lines = check(a, b);
        assertThat(lines).extracting(l -> l.get("map").asText())
                .containsExactly("own", "events", "tiny_lru", "other", "events", "tiny_lru");
        JsonNode events = lines.get(1);
        assertThat(events.get("file").asText()).isEqualTo(header.toAbsolutePath().normalize().toString());
        assertThat(events.get("included_from").asText()).isEqualTo(a.toString());
        assertThat(events.get("line").asInt()).isEqualTo(9);
        assertThat(events.get("type").asText()).isEqualTo("ringbuf");
        assertThat(events.get("max_entries").asLong()).isEqualTo(256 * 1024);
        JsonNode lru = lines.get(2);
        assertThat(lru.get("line").asInt()).isEqualTo(16);
        assertThat(lru.get("diagnostics")).anySatisfy(d -> assertThat(d.get("code").asText()).isEqualTo("lru.early-eviction"));
        assertThat(lines.get(4).get("included_from").asText()).isEqualTo(b.toString());
        assertThat(lines.get(0).has("included_from")).isFalse();
    }

    @Test
    void outlineShowsHeaderMapsAtTheIncludeAndHoverOnAUseSaysWhereTheyAreDefined() throws Exception {
        Files.writeString(dir.resolve("compat.bpf.h"), COMPAT);
        String uri = dir.resolve("tool.bpf.c").toUri().toString();
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2));
        List<SymbolData> symbols = service.symbols(uri, TOOL);
        SymbolData events = symbols.stream().filter(s -> s.name().equals("events")).findFirst().orElseThrow();
        assertThat(events.kind()).isEqualTo(SymbolData.Kind.MAP);
        assertThat(events.range().startLine()).isZero();
        assertThat(events.detail()).contains("compat.bpf.h:9");
        assertThat(symbols).extracting(SymbolData::name).contains("own", "tiny_lru");
        int line = TOOL.lines().toList().indexOf("\tbpf_ringbuf_reserve(&events, 8, 0);");
        Optional<String> hover = service.hover(uri, TOOL, line, "\tbpf_ringbuf_reserve(&ev".length());
        assertThat(hover).hasValueSatisfying(h -> assertThat(h).contains("events", "RINGBUF", "Defined in compat.bpf.h:9"));
        // the header's maps are not diagnosed in the including document (its own diagnostics are the header's)
        assertThat(service.diagnostics(uri, TOOL)).noneMatch(d -> "tiny_lru".equals(d.mapName()));
    }

    @Test
    void loaderCompletedAndIncompleteSizesAreExplained() {
        String text = """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct {
                	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
                	__uint(key_size, sizeof(__u32));
                	__uint(value_size, sizeof(__u32));
                } events SEC(".maps");
                struct {
                	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
                	__uint(key_size, sizeof(__u32));
                	__uint(max_entries, 1024);
                } stacks SEC(".maps");
                """;
        List<HtabDiagnostic> d = Dsl.service().diagnostics(Dsl.URI, text);
        assertThat(d).anySatisfy(x -> {
            assertThat(x.code()).isEqualTo("cfront.map-loader");
            assertThat(x.severity()).isEqualTo(HtabDiagnostic.Severity.INFO);
            assertThat(x.message()).contains("events", "number of possible CPUs");
            assertThat(x.range().startLine()).isEqualTo(6);
        });
        assertThat(d).anySatisfy(x -> {
            assertThat(x.code()).isEqualTo("cfront.map-loader");
            assertThat(x.severity()).isEqualTo(HtabDiagnostic.Severity.WARNING);
            assertThat(x.message()).contains("stacks", "value_size", "EINVAL");
        });
    }

    @Test
    void unnamedBitFieldsInAKeyArePaddingAndGetThePaddingWarning() {
        String text = """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct conn_key {
                	__u32 saddr;
                	__u32 : 16;
                	__u16 dport;
                };
                struct {
                	__uint(type, BPF_MAP_TYPE_HASH);
                	__uint(max_entries, 1024);
                	__type(key, struct conn_key);
                	__type(value, __u64);
                } conns SEC(".maps");
                """;
        List<HtabDiagnostic> d = Dsl.service().diagnostics(Dsl.URI, text);
        assertThat(d).anySatisfy(x -> {
            assertThat(x.code()).isEqualTo("key.padding");
            assertThat(x.message()).contains("4..5");
        });
    }
}
