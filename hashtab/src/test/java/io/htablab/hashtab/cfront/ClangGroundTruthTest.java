package io.htablab.hashtab.cfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compiles every corpus file with {@code clang -O2 -g -target bpf}, reads the BTF clang emitted
 * ({@code bpftool btf dump -j}) and the legacy {@code maps} section, and checks that CFront computes the same
 * map attributes, struct/union/enum/typedef sizes and member offsets. Skipped when clang or bpftool is missing.
 */
class ClangGroundTruthTest {

    @TempDir
    Path tmp;

    static Path corpusDir() throws URISyntaxException {
        return Path.of(ClangGroundTruthTest.class.getResource("/cfront/corpus").toURI());
    }

    static Stream<String> corpus() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(corpusDir())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c")).sorted().toList().stream();
        }
    }

    private static boolean tool(String name) {
        try {
            Process p = new ProcessBuilder(name, name.equals("bpftool") ? "version" : "--version")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed: %s", String.join(" ", cmd), new String(err, StandardCharsets.UTF_8))
                .isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void cfrontAgreesWithClang(String name) throws Exception {
        assumeTrue(tool("clang") && tool("bpftool") && tool("llvm-objdump"),
                "clang, bpftool or llvm-objdump not installed (apt-get install -y clang llvm libbpf-dev bpftool); skipping");
        Path src = corpusDir().resolve(name);
        Path obj = tmp.resolve(name.replace(".c", ".o"));
        run(corpusDir(), "clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                src.toString(), "-o", obj.toString());
        JsonNode btf = new ObjectMapper().readTree(run(tmp, "bpftool", "btf", "dump", "-j", "file", obj.toString()));
        Map<Long, JsonNode> byId = new HashMap<>();
        for (JsonNode t : btf.get("types")) {
            byId.put(t.get("id").asLong(), t);
        }

        CFrontResult r = CFront.parse(src.toUri().toString(), Files.readString(src), CFrontOptions.defaults());
        assertThat(r.diagnostics()).as("diagnostics of %s", name)
                .noneMatch(d -> d.severity() == CDiagnostic.Severity.ERROR);

        int checkedMaps = 0;
        for (JsonNode t : btf.get("types")) {
            String kind = t.get("kind").asText();
            if (kind.equals("DATASEC") && t.get("name").asText().equals(".maps")) {
                for (JsonNode v : t.get("vars")) {
                    JsonNode var = byId.get(v.get("type_id").asLong());
                    String mapName = var.get("name").asText();
                    MapDefinition m = r.map(mapName);
                    assertThat(m).as("map %s of %s found", mapName, name).isNotNull();
                    compareMap(byId, strip(byId, var.get("type_id").asLong()), m, name + ":" + mapName);
                    checkedMaps++;
                }
            } else if ((kind.equals("STRUCT") || kind.equals("UNION")) && !t.get("name").asText().equals("(anon)")) {
                String tag = t.get("name").asText();
                RecordType rec = kind.equals("STRUCT") ? r.types().struct(tag) : r.types().union(tag);
                assertThat(rec).as("%s %s in %s", kind, tag, name).isNotNull();
                assertThat(rec.size()).as("size of %s %s in %s", kind, tag, name).isEqualTo(t.get("size").asLong());
                compareMembers(t, rec, name);
            } else if (kind.equals("ENUM") || kind.equals("ENUM64")) {
                String tag = t.get("name").asText();
                if (!tag.equals("(anon)")) {
                    assertThat(r.types().enumType(tag).size()).as("size of enum %s in %s", tag, name)
                            .isEqualTo(t.get("size").asLong());
                }
            } else if (kind.equals("TYPEDEF")) {
                long size = sizeOf(byId, t.get("type_id").asLong());
                CType.TypedefType td = r.types().typedef(t.get("name").asText());
                if (size >= 0 && td != null) {
                    assertThat(td.size()).as("size of typedef %s in %s", td.name(), name).isEqualTo(size);
                }
            }
        }
        checkedMaps += compareLegacy(obj, r, name);
        assertThat(checkedMaps + r.maps().size()).as("%s defines maps", name).isPositive();
        assertThat(checkedMaps).as("every map CFront found in %s is in the object", name).isEqualTo(r.maps().size());
    }

    private static void compareMembers(JsonNode t, RecordType rec, String file) {
        for (JsonNode mem : t.get("members")) {
            String mn = mem.get("name").asText();
            if (mn.isEmpty() || mn.equals("(anon)")) {
                continue;
            }
            Layout.Member lm = rec.layout().member(mn);
            assertThat(lm).as("member %s of %s in %s", mn, rec, file).isNotNull();
            assertThat(lm.bitOffset()).as("bit offset of %s.%s in %s", rec, mn, file)
                    .isEqualTo(mem.get("bits_offset").asLong());
            if (mem.has("bitfield_size")) {
                assertThat(lm.bitWidth()).as("width of %s.%s in %s", rec, mn, file)
                        .isEqualTo(mem.get("bitfield_size").asInt());
            }
        }
    }

    private void compareMap(Map<Long, JsonNode> byId, JsonNode struct, MapDefinition m, String what) {
        assertThat(struct.get("kind").asText()).isEqualTo("STRUCT");
        boolean explicitKey = false, explicitValue = false;
        for (JsonNode mem : struct.get("members")) {
            String f = mem.get("name").asText();
            JsonNode ty = strip(byId, mem.get("type_id").asLong());
            if (ty.get("kind").asText().equals("PTR")) {
                JsonNode target = strip(byId, ty.get("type_id").asLong());
                if (target.get("kind").asText().equals("ARRAY") && !f.equals("key") && !f.equals("value")) {
                    long n = target.get("nr_elems").asLong();
                    switch (f) {
                        case "type" -> assertThat(m.mapType()).as(what + " type").hasValue(n);
                        case "max_entries" -> assertThat(m.maxEntries()).as(what + " max_entries").hasValue(n);
                        case "map_flags" -> assertThat(m.mapFlags()).as(what + " map_flags").hasValue(n);
                        case "key_size" -> {
                            explicitKey = true;
                            assertThat(m.keySize()).as(what + " key_size").hasValue(n);
                        }
                        case "value_size" -> {
                            explicitValue = true;
                            assertThat(m.valueSize()).as(what + " value_size").hasValue(n);
                        }
                        case "numa_node" -> assertThat(m.numaNode()).as(what + " numa_node").hasValue(n);
                        case "pinning" -> assertThat(m.pinning()).as(what + " pinning").hasValue(n);
                        default -> assertThat(m.field(f).value()).as(what + " " + f).hasValue(n);
                    }
                    assertThat(m.field(f).value()).as(what + " field " + f).hasValue(n);
                } else {
                    long size = sizeOf(byId, ty.get("type_id").asLong());
                    if (f.equals("key") && !explicitKey) {
                        assertThat(m.keySize()).as(what + " key size").hasValue(size);
                    } else if (f.equals("value") && !explicitValue) {
                        assertThat(m.valueSize()).as(what + " value size").hasValue(size);
                    }
                    assertThat(m.field(f).value()).as(what + " field " + f).hasValue(size);
                }
            } else if (f.equals("values") && ty.get("kind").asText().equals("ARRAY")) {
                JsonNode ptr = strip(byId, ty.get("type_id").asLong());
                JsonNode inner = strip(byId, ptr.get("type_id").asLong());
                if (inner.get("kind").asText().equals("STRUCT")) {
                    assertThat(m.innerMap()).as(what + " inner map").isNotNull();
                    compareMap(byId, inner, m.innerMap(), what + ".values");
                }
            }
        }
    }

    /** Checks legacy struct bpf_map_def maps against the bytes clang put in the maps section. */
    private int compareLegacy(Path obj, CFrontResult r, String file) throws Exception {
        List<MapDefinition> legacy = new ArrayList<>();
        for (MapDefinition m : r.maps()) {
            if (m.style() == MapDefinition.Style.LEGACY) {
                legacy.add(m);
            }
        }
        if (legacy.isEmpty()) {
            return 0;
        }
        Map<String, Long> offsets = new HashMap<>();
        for (String line : run(tmp, "llvm-objdump", "-t", obj.toString()).split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 5 && line.contains(" maps\t") || line.contains(" maps ")) {
                offsets.put(parts[parts.length - 1], Long.parseLong(parts[0], 16));
            }
        }
        byte[] section = sectionBytes(run(tmp, "llvm-objdump", "-s", "-j", "maps", obj.toString()));
        for (MapDefinition m : legacy) {
            Long off = offsets.get(m.name());
            assertThat(off).as("legacy map %s in maps section of %s", m.name(), file).isNotNull();
            long[] vals = new long[5];
            for (int i = 0; i < 5; i++) {
                int o = (int) (off + i * 4);
                vals[i] = (section[o] & 0xFFL) | (section[o + 1] & 0xFFL) << 8 | (section[o + 2] & 0xFFL) << 16
                        | (section[o + 3] & 0xFFL) << 24;
            }
            assertThat(m.mapType()).as(m.name() + " type").hasValue(vals[0]);
            assertThat(m.keySize()).as(m.name() + " key_size").hasValue(vals[1]);
            assertThat(m.valueSize()).as(m.name() + " value_size").hasValue(vals[2]);
            assertThat(m.maxEntries()).as(m.name() + " max_entries").hasValue(vals[3]);
            assertThat(m.mapFlags()).as(m.name() + " map_flags").hasValue(vals[4]);
        }
        return legacy.size();
    }

    private static byte[] sectionBytes(String dump) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String line : dump.split("\n")) {
            String l = line.trim();
            if (!l.matches("^[0-9a-f]{4,} [0-9a-f]{2,8}.*")) {
                continue;
            }
            String[] parts = l.split("\\s+");
            for (int i = 1; i < parts.length && i <= 4; i++) {
                if (!parts[i].matches("[0-9a-f]{2,8}")) {
                    break;
                }
                for (int k = 0; k + 2 <= parts[i].length(); k += 2) {
                    out.write(Integer.parseInt(parts[i].substring(k, k + 2), 16));
                }
            }
        }
        return out.toByteArray();
    }

    private static JsonNode strip(Map<Long, JsonNode> byId, long id) {
        JsonNode t = byId.get(id);
        while (t != null && (t.get("kind").asText().equals("TYPEDEF") || t.get("kind").asText().equals("CONST")
                || t.get("kind").asText().equals("VOLATILE") || t.get("kind").asText().equals("TYPE_TAG")
                || t.get("kind").asText().equals("RESTRICT"))) {
            t = byId.get(t.get("type_id").asLong());
        }
        return t;
    }

    private static long sizeOf(Map<Long, JsonNode> byId, long id) {
        JsonNode t = strip(byId, id);
        if (t == null) {
            return -1;
        }
        return switch (t.get("kind").asText()) {
            case "INT", "STRUCT", "UNION", "ENUM", "ENUM64", "FLOAT" -> t.get("size").asLong();
            case "PTR" -> 8;
            case "ARRAY" -> {
                long e = sizeOf(byId, t.get("type_id").asLong());
                yield e < 0 ? -1 : e * t.get("nr_elems").asLong();
            }
            default -> -1;
        };
    }
}
