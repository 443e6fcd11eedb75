package io.htablab.hashtab.cfront.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.Memory;
import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontOptions;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.EnumType;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.kernel.Bpf;
import io.htablab.hashtab.kernel.KernelBackend;
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
 * For every corpus file: the BTF clang emits ({@code clang -g -O2 -target bpf}, read back with
 * {@code bpftool btf dump -j}) and the BTF {@link BtfEncoder} emits from cfront's types agree type by type (kind,
 * size, members with their bit offsets, bit-field sizes and member types), {@link BtfReader} reads the encoder's blob
 * back, and the live kernel's BPF_BTF_LOAD accepts the blob (the verifier log is shown on failure).
 */
class BtfEncoderTest {

    @TempDir
    Path tmp;

    static Path corpusDir() throws URISyntaxException {
        return Path.of(BtfEncoderTest.class.getResource("/cfront/corpus").toURI());
    }

    static Stream<String> corpus() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(corpusDir())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c")).sorted().toList().stream();
        }
    }

    static boolean tool(String name) {
        try {
            Process p = new ProcessBuilder(name, name.equals("bpftool") ? "version" : "--version")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed: %s", String.join(" ", cmd), new String(err, StandardCharsets.UTF_8))
                .isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    /** clang's BTF of {@code src}, by id. */
    static Map<Long, JsonNode> clangBtf(Path tmp, Path dir, Path src) throws Exception {
        return clangBtf(tmp, dir, src, List.of());
    }

    /** {@link #clangBtf(Path, Path, Path)} with extra include directories. */
    static Map<Long, JsonNode> clangBtf(Path tmp, Path dir, Path src, List<Path> includes) throws Exception {
        Path obj = tmp.resolve(src.getFileName().toString().replace(".c", ".o"));
        List<String> cmd = new java.util.ArrayList<>(
                List.of("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"));
        for (Path i : includes) {
            cmd.add("-I" + i);
        }
        cmd.addAll(List.of("-c", src.toString(), "-o", obj.toString()));
        run(dir, cmd.toArray(new String[0]));
        JsonNode btf = new ObjectMapper().readTree(run(tmp, "bpftool", "btf", "dump", "-j", "file", obj.toString()));
        Map<Long, JsonNode> byId = new HashMap<>();
        for (JsonNode t : btf.get("types")) {
            byId.put(t.get("id").asLong(), t);
        }
        return byId;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void encoderAgreesWithClangAndTheKernelLoadsIt(String name) throws Exception {
        assumeTrue(tool("clang") && tool("bpftool"),
                "clang or bpftool not installed (apt-get install -y clang llvm libbpf-dev bpftool); skipping");
        Path src = corpusDir().resolve(name);
        List<Path> includes = new java.util.ArrayList<>();
        if (Files.readString(src).contains("vmlinux.h")) {
            // the same vmlinux.h the ground-truth test generates from this kernel's BTF (never committed)
            Path vm = io.htablab.hashtab.cfront.ClangGroundTruthTest.vmlinuxDir();
            assumeTrue(vm != null, "the kernel has no BTF to generate vmlinux.h from; skipping " + name);
            includes.add(vm);
        }
        Map<Long, JsonNode> clang = clangBtf(tmp, corpusDir(), src, includes);
        CFrontResult r = CFront.parse(src.toUri().toString(), Files.readString(src),
                CFrontOptions.defaults().withIncludePaths(includes));

        BtfEncoder enc = new BtfEncoder();
        Map<Long, Integer> ours = new HashMap<>();
        for (JsonNode t : clang.values()) {
            CType c = cfrontType(r, t);
            if (c != null) {
                ours.put(t.get("id").asLong(), enc.encode(c));
            }
        }
        // Map key and value types too (anonymous ones included): the kernel must load them all.
        for (var m : r.maps()) {
            enc.encode(m.keyType());
            enc.encode(m.valueType());
        }
        byte[] blob = enc.toBytes();
        BtfReader reader = BtfReader.parse(blob);
        assertThat(reader.typeCount()).isEqualTo(enc.typeCount());

        int compared = 0;
        for (Map.Entry<Long, Integer> e : ours.entrySet()) {
            compareType(clang, clang.get(e.getKey()), reader, e.getValue(), name);
            compared++;
        }
        // Every named type the encoder reports can be found again by name and kind.
        for (Map.Entry<String, Integer> e : enc.namedTypeIds().entrySet()) {
            String spelling = e.getKey();
            BtfKind kind = spelling.startsWith("struct ") ? BtfKind.STRUCT : spelling.startsWith("union ") ? BtfKind.UNION
                    : spelling.startsWith("enum ") ? reader.kind(e.getValue()) : reader.kind(e.getValue());
            String plain = spelling.replaceFirst("^(struct|union|enum) ", "");
            assertThat(reader.findByName(plain, kind)).as("%s in %s", spelling, name).isEqualTo(e.getValue());
        }
        assertThat(compared).as("named types compared in %s", name).isEqualTo(ours.size());
        if (enc.typeCount() > 0) { // the kernel refuses a BTF without types ("No type found")
            assertKernelLoads(blob, name);
        }
    }

    /** Type tags on pointer members (kptrs) come out as clang writes them: PTR -> TYPE_TAG -> struct. */
    @org.junit.jupiter.api.Test
    void pointerTagsAsClangEmitsThem() throws Exception {
        assumeTrue(tool("clang") && tool("bpftool"), "clang or bpftool not installed; skipping");
        Path dir = Path.of(BtfEncoderTest.class.getResource("/btf").toURI());
        Path src = dir.resolve("kptr-tags.c");
        Map<Long, JsonNode> clang = clangBtf(tmp, dir, src);
        String text = Files.readString(src);
        CFrontResult r = CFront.parse(src.toUri().toString(), text, CFrontOptions.defaults());
        BtfEncoder enc = new BtfEncoder(PointerTags.fromSource(uri -> text));
        int id = enc.encode(r.types().struct("val"));
        BtfReader reader = BtfReader.parse(enc.toBytes());
        JsonNode val = null;
        for (JsonNode t : clang.values()) {
            if (t.get("kind").asText().equals("STRUCT") && t.get("name").asText().equals("val")) {
                val = t;
            }
        }
        assertThat(val).isNotNull();
        List<BtfMember> ours = reader.type(id).members();
        for (int i = 0; i < ours.size(); i++) {
            String clangType = describe(clang, val.get("members").get(i).get("type_id").asLong());
            String ourType = reader.describe(ours.get(i).type());
            if (clangType.contains("__tag(")) {
                assertThat(ourType).as("member %s", ours.get(i).name()).isEqualTo(clangType);
            } else {
                // clang 14 drops the tags of a pointer whose struct the same file defines (fixed in LLVM 15)
                assertThat(unqualified(ourType)).as("member %s", ours.get(i).name()).isEqualTo(clangType);
            }
        }
        assertThat(reader.describe(ours.get(4).type())).as("a tag clang 14 keeps").isEqualTo("struct task_struct __tag(kptr) *");
        assertThat(reader.describe(ours.get(1).type())).isEqualTo("struct obj __tag(kptr) *");
        assertThat(reader.describe(ours.get(2).type())).isEqualTo("struct obj __tag(kptr_untrusted) *");
        assertThat(reader.describe(ours.get(3).type())).isEqualTo("struct obj __tag(percpu_kptr) *");
        assertThat(reader.describe(ours.get(5).type())).isEqualTo("struct obj *");
        // A kptr to a forward-declared struct makes BPF_BTF_LOAD refuse the struct (btf_parse_struct_metas):
        // the model predicts it, and the live kernel agrees.
        BtfFields.Result predicted = BtfFields.btfParseStructMetas(reader);
        assertThat(predicted.error()).isEqualTo(io.htablab.hashtab.htab.Errno.EINVAL);
        if (KernelBackend.probe() == null) {
            Bpf bpf = Bpf.open();
            long fd = bpf.btfLoad(enc.toBytes(), null);
            Bpf.closeFd(fd);
            assertThat(fd).isEqualTo(-22);
        }
    }

    /** The cfront type for a named clang type, or null when clang's type is anonymous or not one cfront names. */
    private static CType cfrontType(CFrontResult r, JsonNode t) {
        String kind = t.get("kind").asText();
        String n = t.get("name").asText();
        if (n.equals("(anon)") || n.isEmpty()) {
            return null;
        }
        return switch (kind) {
            case "STRUCT" -> r.types().struct(n);
            case "UNION" -> r.types().union(n);
            case "ENUM", "ENUM64" -> r.types().enumType(n);
            case "TYPEDEF" -> r.types().typedef(n);
            default -> null;
        };
    }

    private static void compareType(Map<Long, JsonNode> clang, JsonNode c, BtfReader reader, int id, String file) {
        BtfType o = reader.type(id);
        String what = c.get("kind").asText() + " " + c.get("name").asText() + " in " + file;
        String ck = c.get("kind").asText();
        if (ck.equals("ENUM") && c.get("size").asLong() == 8) {
            ck = "ENUM64"; // clang 14 predates ENUM64 and writes a 64-bit enum as ENUM
        }
        assertThat(o.kind().name()).as("kind of %s", what).isEqualTo(ck);
        assertThat(o.name()).as("name of %s", what).isEqualTo(c.get("name").asText());
        switch (o.kind()) {
            case STRUCT, UNION -> {
                assertThat(o.size()).as("size of %s", what).isEqualTo(c.get("size").asLong());
                List<BtfMember> members = o.members();
                JsonNode cm = c.get("members");
                assertThat(members).as("members of %s", what).hasSize(cm.size());
                for (int i = 0; i < members.size(); i++) {
                    BtfMember m = members.get(i);
                    JsonNode x = cm.get(i);
                    String mn = x.get("name").asText().equals("(anon)") ? "" : x.get("name").asText();
                    assertThat(m.name()).as("member %d of %s", i, what).isEqualTo(mn);
                    assertThat(m.bitOffset()).as("bit offset of %s.%s", what, mn).isEqualTo(x.get("bits_offset").asLong());
                    assertThat(m.bitfieldSize()).as("bit-field size of %s.%s", what, mn)
                            .isEqualTo(x.has("bitfield_size") ? x.get("bitfield_size").asInt() : 0);
                    assertThat(unqualified(reader.describe(m.type()))).as("type of %s.%s", what, mn)
                            .isEqualTo(unqualified(describe(clang, x.get("type_id").asLong())));
                }
            }
            case ENUM, ENUM64 -> {
                assertThat(o.size()).as("size of %s", what).isEqualTo(c.get("size").asLong());
                assertThat(o.vlen()).as("enumerators of %s", what).isEqualTo(c.get("vlen").asInt());
                for (int i = 0; i < o.vlen(); i++) {
                    JsonNode x = c.get("values").get(i);
                    BtfEnumerator en = o.enumerators().get(i);
                    assertThat(en.name()).isEqualTo(x.get("name").asText());
                    if (c.get("size").asLong() <= 4) {
                        assertThat((int) en.value()).as("value of %s", en.name()).isEqualTo(x.get("val").asInt());
                    }
                }
            }
            case TYPEDEF -> assertThat(unqualified(reader.describe(o.type()))).as("target of %s", what)
                    .isEqualTo(unqualified(describe(clang, c.get("type_id").asLong())));
            default -> {
            }
        }
    }

    /** cfront does not keep qualifiers or type tags; compare types without them. */
    private static String unqualified(String s) {
        // cfront's built-in bool is a typedef of _Bool; <stdbool.h> makes it a macro, so clang never names it
        s = s.equals("bool") ? "_Bool" : s;
        return s.replace("const ", "").replace("volatile ", "").replace(" restrict", "").replaceAll(" __tag\\([a-z_]+\\)", "");
    }

    /** The same description {@link BtfReader#describe} gives, from bpftool's JSON. */
    static String describe(Map<Long, JsonNode> t, long id) {
        if (id == 0) {
            return "void";
        }
        JsonNode x = t.get(id);
        String n = x.get("name").asText();
        return switch (x.get("kind").asText()) {
            case "STRUCT" -> "struct " + n;
            case "UNION" -> "union " + n;
            case "ENUM", "ENUM64" -> "enum " + n;
            case "FWD" -> (x.get("fwd_kind").asText().equals("union") ? "union " : "struct ") + n;
            case "PTR" -> describe(t, x.get("type_id").asLong()) + " *";
            case "CONST" -> "const " + describe(t, x.get("type_id").asLong());
            case "VOLATILE" -> "volatile " + describe(t, x.get("type_id").asLong());
            case "RESTRICT" -> describe(t, x.get("type_id").asLong()) + " restrict";
            case "TYPE_TAG" -> describe(t, x.get("type_id").asLong()) + " __tag(" + n + ")";
            case "ARRAY" -> describe(t, x.get("type_id").asLong()) + "[" + x.get("nr_elems").asLong() + "]";
            case "FUNC_PROTO" -> "function";
            default -> n;
        };
    }

    static void assertKernelLoads(byte[] blob, String what) throws Exception {
        if (KernelBackend.probe() != null) {
            return; // bpf() refused here: the encoder was still compared with clang
        }
        Bpf bpf = Bpf.open();
        Memory log = Bpf.zeroed(1 << 16);
        long fd = bpf.btfLoad(blob, log);
        try {
            assertThat(fd).as("BPF_BTF_LOAD of %s: %s", what, Bpf.logText(log)).isNotNegative();
        } finally {
            Bpf.closeFd(fd);
        }
    }

    @SuppressWarnings("unused")
    private static List<String> names(List<RecordType> rs) {
        List<String> out = new ArrayList<>();
        for (RecordType r : rs) {
            out.add(r.spelling());
        }
        return out;
    }

    @SuppressWarnings("unused")
    private static boolean isEnum(CType t) {
        return t instanceof EnumType;
    }
}
