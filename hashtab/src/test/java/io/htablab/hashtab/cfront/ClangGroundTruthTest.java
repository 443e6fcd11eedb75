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
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compiles every corpus file with {@code clang -O2 -g -target bpf}, reads the BTF clang emitted
 * ({@code bpftool btf dump -j}), the legacy {@code maps} section and the DWARF of each map variable
 * ({@code llvm-dwarfdump}: the file and line it is declared at), and checks that CFront computes the same
 * map attributes, struct/union/enum/typedef sizes, member offsets, padding bytes (the bytes no BTF member
 * describes) and the place of every map, also of maps defined in included headers. Skipped when clang or
 * bpftool is missing. Files that include {@code vmlinux.h} read one generated from this machine's kernel
 * ({@code bpftool btf dump file /sys/kernel/btf/vmlinux format c}, into {@code target/}, never committed);
 * they are skipped where the kernel has no BTF. The agreement (maps and types matched / compared) is printed
 * and written to {@code target/cfront-agreement.txt}.
 */
public class ClangGroundTruthTest {

    @TempDir
    Path tmp;

    private static final java.util.concurrent.atomic.AtomicInteger MAPS = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger MAPS_OK = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger TYPES = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger TYPES_OK = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger FILES = new java.util.concurrent.atomic.AtomicInteger();
    private static volatile Path vmlinuxDir;

    /** A vmlinux.h generated from the running kernel's BTF, once per JVM; null when the kernel has none. */
    public static synchronized Path vmlinuxDir() throws IOException, InterruptedException {
        if (vmlinuxDir == null) {
            Path dir = Path.of("target", "vmlinux-gen").toAbsolutePath();
            Path h = dir.resolve("vmlinux.h");
            if (!Files.isRegularFile(h)) {
                if (!Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")) || !tool("bpftool")) {
                    return null;
                }
                Files.createDirectories(dir);
                Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c")
                        .redirectOutput(dir.resolve("vmlinux.h.tmp").toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return null;
                }
                Files.move(dir.resolve("vmlinux.h.tmp"), h, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            vmlinuxDir = dir;
        }
        return vmlinuxDir;
    }

    @org.junit.jupiter.api.AfterAll
    static void agreement() throws IOException {
        if (FILES.get() == 0) {
            return;
        }
        String line = "cfront vs clang+BTF: " + MAPS_OK.get() + "/" + MAPS.get() + " maps, " + TYPES_OK.get() + "/"
                + TYPES.get() + " types agree over " + FILES.get() + " corpus files";
        System.out.println(line);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "cfront-agreement.txt"), line + "\n");
    }

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
        assumeTrue(tool("clang") && tool("bpftool") && tool("llvm-objdump") && tool("llvm-dwarfdump"),
                "clang, bpftool or llvm-objdump not installed (apt-get install -y clang llvm libbpf-dev bpftool); skipping");
        Path src = corpusDir().resolve(name);
        List<Path> includes = new ArrayList<>();
        if (Files.readString(src).contains("vmlinux.h")) {
            Path vm = vmlinuxDir();
            assumeTrue(vm != null, "the kernel has no BTF (/sys/kernel/btf/vmlinux) to generate vmlinux.h from; skipping " + name);
            includes.add(vm);
        }
        Path obj = tmp.resolve(name.replace(".c", ".o"));
        List<String> cmd = new ArrayList<>(List.of("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"));
        for (Path i : includes) {
            cmd.add("-I" + i);
        }
        cmd.addAll(List.of("-c", src.toString(), "-o", obj.toString()));
        run(corpusDir(), cmd.toArray(new String[0]));
        JsonNode btf = new ObjectMapper().readTree(run(tmp, "bpftool", "btf", "dump", "-j", "file", obj.toString()));
        Map<Long, JsonNode> byId = new HashMap<>();
        for (JsonNode t : btf.get("types")) {
            byId.put(t.get("id").asLong(), t);
        }
        Map<String, String[]> declaredAt = dwarfDeclarations(obj);

        CFrontResult r = CFront.parse(src.toUri().toString(), Files.readString(src),
                CFrontOptions.defaults().withIncludePaths(includes));
        assertThat(r.diagnostics()).as("diagnostics of %s", name)
                .noneMatch(d -> d.severity() == CDiagnostic.Severity.ERROR);
        FILES.incrementAndGet();
        SoftAssertions soft = new SoftAssertions();
        int checkedMaps = 0;
        for (JsonNode t : btf.get("types")) {
            String kind = t.get("kind").asText();
            int before = soft.errorsCollected().size();
            if (kind.equals("DATASEC") && t.get("name").asText().equals(".maps")) {
                for (JsonNode v : t.get("vars")) {
                    int mapBefore = soft.errorsCollected().size();
                    JsonNode var = byId.get(v.get("type_id").asLong());
                    String mapName = var.get("name").asText();
                    MapDefinition m = r.map(mapName);
                    soft.assertThat(m).as("map %s of %s found", mapName, name).isNotNull();
                    if (m != null) {
                        compareMap(soft, byId, strip(byId, var.get("type_id").asLong()), m, name + ":" + mapName);
                        comparePlace(soft, declaredAt.get(mapName), m, name);
                    }
                    checkedMaps++;
                    MAPS.incrementAndGet();
                    if (soft.errorsCollected().size() == mapBefore) {
                        MAPS_OK.incrementAndGet();
                    }
                }
                continue;
            } else if ((kind.equals("STRUCT") || kind.equals("UNION")) && !t.get("name").asText().equals("(anon)")) {
                String tag = t.get("name").asText();
                RecordType rec = kind.equals("STRUCT") ? r.types().struct(tag) : r.types().union(tag);
                soft.assertThat(rec).as("%s %s in %s", kind, tag, name).isNotNull();
                if (rec != null) {
                    soft.assertThat(rec.size()).as("size of %s %s in %s", kind, tag, name).isEqualTo(t.get("size").asLong());
                    if (rec.layout() != null) {
                        compareMembers(soft, t, rec, name);
                        compareHoles(soft, byId, t, rec, name);
                    }
                }
            } else if (kind.equals("ENUM") || kind.equals("ENUM64")) {
                String tag = t.get("name").asText();
                if (tag.equals("(anon)")) {
                    continue;
                }
                EnumType e = r.types().enumType(tag);
                soft.assertThat(e).as("enum %s in %s", tag, name).isNotNull();
                if (e != null) {
                    soft.assertThat(e.size()).as("size of enum %s in %s", tag, name).isEqualTo(t.get("size").asLong());
                }
            } else if (kind.equals("TYPEDEF")) {
                long size = sizeOf(byId, t.get("type_id").asLong());
                CType.TypedefType td = r.types().typedef(t.get("name").asText());
                if (size < 0 || td == null) {
                    continue;
                }
                soft.assertThat(td.size()).as("size of typedef %s in %s", td.name(), name).isEqualTo(size);
            } else {
                continue;
            }
            TYPES.incrementAndGet();
            if (soft.errorsCollected().size() == before) {
                TYPES_OK.incrementAndGet();
            }
        }
        int legacy = compareLegacy(soft, obj, r, name);
        checkedMaps += legacy;
        soft.assertThat(checkedMaps + r.maps().size()).as("%s defines maps", name).isPositive();
        soft.assertThat(checkedMaps).as("every map CFront found in %s is in the object", name).isEqualTo(r.maps().size());
        soft.assertAll();
    }

    /** Map variable name to {declaring file, line} from the object's DWARF. */
    private Map<String, String[]> dwarfDeclarations(Path obj) throws Exception {
        Map<String, String[]> out = new HashMap<>();
        String name = null, file = null;
        boolean inVar = false;
        for (String line : run(tmp, "llvm-dwarfdump", "--debug-info", obj.toString()).split("\n")) {
            String l = line.trim();
            if (l.contains("DW_TAG_")) {
                inVar = l.contains("DW_TAG_variable");
                name = null;
                file = null;
            } else if (inVar && l.startsWith("DW_AT_name")) {
                name = quoted(l);
            } else if (inVar && l.startsWith("DW_AT_decl_file")) {
                file = quoted(l);
            } else if (inVar && l.startsWith("DW_AT_decl_line") && name != null && file != null) {
                out.put(name, new String[] {file, l.replaceAll("[^0-9]", "")});
            }
        }
        return out;
    }

    private static String quoted(String l) {
        int a = l.indexOf('"');
        int b = l.lastIndexOf('"');
        return a >= 0 && b > a ? l.substring(a + 1, b) : "";
    }

    /** A map is reported in the file (main file or header) and on the line where clang saw it declared. */
    private static void comparePlace(SoftAssertions soft, String[] declared, MapDefinition m, String file) {
        if (declared == null) {
            return;
        }
        Path truth = Path.of(declared[0]).normalize();
        Path ours = m.uri().startsWith("file:") ? Path.of(java.net.URI.create(m.uri())).normalize() : Path.of(m.uri());
        soft.assertThat(ours.toString()).as("file of map %s in %s", m.name(), file).isEqualTo(truth.toString());
        soft.assertThat(m.nameRange().startLine() + 1).as("line of map %s in %s", m.name(), file)
                .isEqualTo(Integer.parseInt(declared[1]));
    }

    /** CFront's padding holes are exactly the bytes no BTF member describes (nested records included). */
    private static void compareHoles(SoftAssertions soft, Map<Long, JsonNode> byId, JsonNode t, RecordType rec, String file) {
        long size = t.get("size").asLong();
        if (size <= 0 || size > 1 << 16) {
            return;
        }
        java.util.BitSet used = new java.util.BitSet((int) size);
        coverBtf(byId, t, 0, used, size, 0);
        List<Layout.Hole> expected = new ArrayList<>();
        int i = used.nextClearBit(0);
        while (i < size) {
            int j = used.nextSetBit(i);
            if (j < 0 || j > size) {
                j = (int) size;
            }
            expected.add(new Layout.Hole(i, j - i, false));
            i = used.nextClearBit(j);
        }
        List<long[]> ours = new ArrayList<>();
        for (Layout.Hole h : rec.layout().holes()) {
            ours.add(new long[] {h.offset(), h.size()});
        }
        soft.assertThat(ours.stream().map(h -> h[0] + "+" + h[1]).toList()).as("padding of %s in %s", rec, file)
                .isEqualTo(expected.stream().map(h -> h.offset() + "+" + h.size()).toList());
    }

    private static void coverBtf(Map<Long, JsonNode> byId, JsonNode t, long base, java.util.BitSet used, long limit, int depth) {
        if (depth > 16 || t == null) {
            return;
        }
        String kind = t.get("kind").asText();
        if (kind.equals("STRUCT") || kind.equals("UNION")) {
            for (JsonNode mem : t.get("members")) {
                long bits = mem.get("bits_offset").asLong();
                if (mem.has("bitfield_size") && mem.get("bitfield_size").asInt() > 0) {
                    long w = mem.get("bitfield_size").asLong();
                    used.set((int) Math.min(limit, base + bits / 8), (int) Math.min(limit, base + (bits + w + 7) / 8));
                    continue;
                }
                JsonNode mt = strip(byId, mem.get("type_id").asLong());
                coverBtf(byId, mt, base + bits / 8, used, limit, depth + 1);
            }
            return;
        }
        if (kind.equals("ARRAY")) {
            JsonNode el = strip(byId, t.get("type_id").asLong());
            long n = t.get("nr_elems").asLong();
            long es = sizeOf(byId, t.get("type_id").asLong());
            String ek = el == null ? "" : el.get("kind").asText();
            if ((ek.equals("STRUCT") || ek.equals("UNION")) && es > 0 && n <= 4096) {
                for (long k = 0; k < n; k++) {
                    coverBtf(byId, el, base + k * es, used, limit, depth + 1);
                }
                return;
            }
            if (es > 0) {
                used.set((int) Math.min(limit, base), (int) Math.min(limit, base + es * n));
            }
            return;
        }
        long s = sizeOf(byId, t.get("id").asLong());
        if (s > 0) {
            used.set((int) Math.min(limit, base), (int) Math.min(limit, base + s));
        }
    }

    private static void compareMembers(SoftAssertions soft, JsonNode t, RecordType rec, String file) {
        for (JsonNode mem : t.get("members")) {
            String mn = mem.get("name").asText();
            if (mn.isEmpty() || mn.equals("(anon)")) {
                continue;
            }
            Layout.Member lm = rec.layout().member(mn);
            soft.assertThat(lm).as("member %s of %s in %s", mn, rec, file).isNotNull();
            if (lm == null) {
                continue;
            }
            soft.assertThat(lm.bitOffset()).as("bit offset of %s.%s in %s", rec, mn, file)
                    .isEqualTo(mem.get("bits_offset").asLong());
            if (mem.has("bitfield_size")) {
                soft.assertThat(lm.bitWidth()).as("width of %s.%s in %s", rec, mn, file)
                        .isEqualTo(mem.get("bitfield_size").asInt());
            }
        }
    }

    private void compareMap(SoftAssertions soft, Map<Long, JsonNode> byId, JsonNode struct, MapDefinition m, String what) {
        soft.assertThat(struct.get("kind").asText()).isEqualTo("STRUCT");
        boolean explicitKey = false, explicitValue = false;
        for (JsonNode mem : struct.get("members")) {
            String f = mem.get("name").asText();
            JsonNode ty = strip(byId, mem.get("type_id").asLong());
            if (ty.get("kind").asText().equals("PTR")) {
                JsonNode target = strip(byId, ty.get("type_id").asLong());
                if (target.get("kind").asText().equals("ARRAY") && !f.equals("key") && !f.equals("value")) {
                    long n = target.get("nr_elems").asLong();
                    switch (f) {
                        case "type" -> soft.assertThat(m.mapType()).as(what + " type").hasValue(n);
                        case "max_entries" -> soft.assertThat(m.maxEntries()).as(what + " max_entries").hasValue(n);
                        case "map_flags" -> soft.assertThat(m.mapFlags()).as(what + " map_flags").hasValue(n);
                        case "key_size" -> {
                            explicitKey = true;
                            soft.assertThat(m.keySize()).as(what + " key_size").hasValue(n);
                        }
                        case "value_size" -> {
                            explicitValue = true;
                            soft.assertThat(m.valueSize()).as(what + " value_size").hasValue(n);
                        }
                        case "numa_node" -> soft.assertThat(m.numaNode()).as(what + " numa_node").hasValue(n);
                        case "pinning" -> soft.assertThat(m.pinning()).as(what + " pinning").hasValue(n);
                        default -> soft.assertThat(m.field(f).value()).as(what + " " + f).hasValue(n);
                    }
                    soft.assertThat(m.field(f).value()).as(what + " field " + f).hasValue(n);
                } else {
                    long size = sizeOf(byId, ty.get("type_id").asLong());
                    if (f.equals("key") && !explicitKey) {
                        soft.assertThat(m.keySize()).as(what + " key size").hasValue(size);
                    } else if (f.equals("value") && !explicitValue) {
                        soft.assertThat(m.valueSize()).as(what + " value size").hasValue(size);
                    }
                    soft.assertThat(m.field(f).value()).as(what + " field " + f).hasValue(size);
                }
            } else if (f.equals("values") && ty.get("kind").asText().equals("ARRAY")) {
                JsonNode ptr = strip(byId, ty.get("type_id").asLong());
                JsonNode inner = strip(byId, ptr.get("type_id").asLong());
                if (inner.get("kind").asText().equals("STRUCT")) {
                    soft.assertThat(m.innerMap()).as(what + " inner map").isNotNull();
                    if (m.innerMap() != null) {
                        compareMap(soft, byId, inner, m.innerMap(), what + ".values");
                    }
                }
            }
        }
    }

    /** Checks legacy struct bpf_map_def maps against the bytes clang put in the maps section. */
    private int compareLegacy(SoftAssertions soft, Path obj, CFrontResult r, String file) throws Exception {
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
            int before = soft.errorsCollected().size();
            compareLegacyMap(soft, offsets, section, m, file);
            MAPS.incrementAndGet();
            if (soft.errorsCollected().size() == before) {
                MAPS_OK.incrementAndGet();
            }
        }
        return legacy.size();
    }

    private static void compareLegacyMap(SoftAssertions soft, Map<String, Long> offsets, byte[] section, MapDefinition m,
                                         String file) {
        {
            Long off = offsets.get(m.name());
            soft.assertThat(off).as("legacy map %s in maps section of %s", m.name(), file).isNotNull();
            if (off == null) {
                return;
            }
            long[] vals = new long[5];
            for (int i = 0; i < 5; i++) {
                int o = (int) (off + i * 4);
                vals[i] = (section[o] & 0xFFL) | (section[o + 1] & 0xFFL) << 8 | (section[o + 2] & 0xFFL) << 16
                        | (section[o + 3] & 0xFFL) << 24;
            }
            soft.assertThat(m.mapType()).as(m.name() + " type").hasValue(vals[0]);
            soft.assertThat(m.keySize()).as(m.name() + " key_size").hasValue(vals[1]);
            soft.assertThat(m.valueSize()).as(m.name() + " value_size").hasValue(vals[2]);
            soft.assertThat(m.maxEntries()).as(m.name() + " max_entries").hasValue(vals[3]);
            soft.assertThat(m.mapFlags()).as(m.name() + " map_flags").hasValue(vals[4]);
        }
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
