package io.htablab.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.kernel.KernelBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The call-site and special-field diagnostics held to clang, BTF and the live kernel: padding is what the BTF clang
 * emits shows as holes; a padding warning is given exactly where clang's code leaves key bytes unstored before the
 * helper call; a field refused per map type is refused by the kernel with the same errno (libbpf logs it when it
 * retries without BTF); a helper refused per map type is refused by the verifier. Skipped without clang, bpftool or
 * llvm-objdump (and the kernel parts where bpf() is refused).
 */
class ClangCallSiteTest {

    @TempDir
    Path tmp;

    static void assumeTools() {
        assumeTrue(ClangTools.available("clang", "bpftool", "llvm-objdump"),
                "clang, bpftool or llvm-objdump not installed (apt-get install -y clang llvm libbpf-dev bpftool); skipping");
    }

    static void assumeKernel() {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, kernel part skipped: " + refused);
        assumeTrue(Files.isDirectory(Path.of("/sys/fs/bpf")), "no bpffs at /sys/fs/bpf; kernel part skipped");
    }

    static Analysis analyse(Path src) throws Exception {
        HtabLanguageService service = Dsl.service();
        return service.analyze(src.toUri().toString(), Files.readString(src));
    }

    static BitSet bits(List<Padding.ByteRange> ranges) {
        BitSet b = new BitSet();
        for (Padding.ByteRange r : ranges) {
            b.set((int) r.first(), (int) r.last() + 1);
        }
        return b;
    }

    static String describe(BitSet holes) {
        List<Padding.ByteRange> ranges = new ArrayList<>();
        for (int i = holes.nextSetBit(0); i >= 0; ) {
            int end = holes.nextClearBit(i);
            ranges.add(new Padding.ByteRange(i, end - 1));
            i = holes.nextSetBit(end);
        }
        return Padding.describe(ranges);
    }

    /** Map name to the BTF id of its key type, from the object's .maps section. */
    static Map<String, Long> keyTypeIds(Map<Long, JsonNode> btf) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode t : btf.values()) {
            if (!t.get("kind").asText().equals("DATASEC") || !t.get("name").asText().equals(".maps")) {
                continue;
            }
            for (JsonNode v : t.get("vars")) {
                JsonNode var = btf.get(v.get("type_id").asLong());
                JsonNode def = ClangTools.strip(btf, var.get("type_id").asLong());
                for (JsonNode m : def.get("members")) {
                    if (m.get("name").asText().equals("key")) {
                        JsonNode ptr = ClangTools.strip(btf, m.get("type_id").asLong());
                        out.put(var.get("name").asText(), ptr.get("type_id").asLong());
                    }
                }
            }
        }
        return out;
    }

    @Test
    void paddingIsWhatBtfShowsAsHoles() throws Exception {
        assumeTools();
        Path src = ClangTools.resource("/callsites/keys.bpf.c");
        Map<Long, JsonNode> btf = ClangTools.btf(ClangTools.compile(src, tmp));
        Analysis a = analyse(src);
        Map<String, Long> keys = keyTypeIds(btf);
        assertThat(keys).hasSize(4);
        for (Map.Entry<String, Long> e : keys.entrySet()) {
            BitSet truth = ClangTools.btfHoles(btf, e.getValue());
            MapDefinition def = CallSites.map(a, e.getKey());
            assertThat(def).as("map %s", e.getKey()).isNotNull();
            assertThat(bits(Padding.holes(def.keyType()))).as("padding of the key of %s", e.getKey()).isEqualTo(truth);
            assertThat(truth.isEmpty()).as("fixture key of %s has holes", e.getKey()).isFalse();
            // every padding warning on a call with this map names exactly BTF's holes
            for (HtabDiagnostic d : a.diagnostics()) {
                if (d.code().equals("call.key.uninit-padding") && e.getKey().equals(d.mapName())) {
                    assertThat(d.message()).contains("padding bytes " + describe(truth) + " keep");
                }
            }
        }
    }

    @Test
    void paddingWarningsAreWhereClangLeavesKeyBytesUnstored() throws Exception {
        assumeTools();
        Path src = ClangTools.resource("/callsites/keys.bpf.c");
        Map<String, ClangTools.CallFrame> frames = ClangTools.firstCalls(ClangTools.compile(src, tmp));
        Analysis a = analyse(src);
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        for (CallSites.Resolved r : CallSites.of(a).calls()) {
            String function = r.body().function().name();
            ClangTools.CallFrame frame = frames.get(function);
            assertThat(frame).as("clang's code for %s", function).isNotNull();
            assertThat(frame.helper()).as("first helper of %s is bpf_map_lookup_elem", function).isEqualTo(1);
            long keySize = r.map().keySize().getAsLong();
            boolean clangStoresEveryByte = frame.stored(keySize);
            boolean warned = a.diagnostics().stream().anyMatch(d -> d.code().startsWith("call.key.uninit")
                    && r.site().call().span().range().contains(d.range().startLine(), d.range().startCol()));
            if (warned == clangStoresEveryByte) {
                disagreements.add(function + ": clang stores " + (clangStoresEveryByte ? "every" : "not every")
                        + " key byte before the call, the server " + (warned ? "warns" : "is quiet"));
            }
            checked++;
        }
        assertThat(checked).as("functions checked").isEqualTo(15);
        assertThat(disagreements).isEmpty();
    }

    @Test
    void specialFieldOffsetsAreClangs() throws Exception {
        assumeTools();
        String text = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "struct inner { __u16 id; struct bpf_timer t; };\n"
                + "struct val { __u8 tag; struct bpf_spin_lock lock; struct inner in; __u32 n; };\n"
                + "struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32);"
                + " __type(value, struct val); } m SEC(\".maps\");\n"
                + "char LICENSE[] SEC(\"license\") = \"GPL\";\n";
        Path src = tmp.resolve("offsets.bpf.c");
        Files.writeString(src, text);
        Map<Long, JsonNode> btf = ClangTools.btf(ClangTools.compile(src, tmp));
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (JsonNode t : btf.values()) {
            if (t.get("kind").asText().equals("STRUCT") && t.get("name").asText().equals("val")) {
                for (JsonNode mem : t.get("members")) {
                    offsets.put(mem.get("name").asText(), mem.get("bits_offset").asLong() / 8);
                }
            }
            if (t.get("kind").asText().equals("STRUCT") && t.get("name").asText().equals("inner")) {
                for (JsonNode mem : t.get("members")) {
                    offsets.put("inner." + mem.get("name").asText(), mem.get("bits_offset").asLong() / 8);
                }
            }
        }
        MapFacts m = new MapFacts(CallSites.map(analyse(src), "m"), 2);
        assertThat(m.mapBtf()).isNotNull();
        assertThat(m.mapBtf().record().fields()).extracting(f -> f.name() + "@" + f.offset())
                .containsExactly("lock@" + offsets.get("lock"), "in.t@" + (offsets.get("in") + offsets.get("inner.t")));
        assertThat(SpecialFields.hover(m)).contains("| " + offsets.get("lock") + " | 4 | lock |",
                "| " + (offsets.get("in") + offsets.get("inner.t")) + " | 16 | in.t |");
    }

    // ------------------------------------------------------------------ the live kernel

    static final String[] FIELDS = {"struct bpf_spin_lock", "struct bpf_timer", "struct bpf_wq"};
    static final String[] TYPES = {"BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_PERCPU_HASH", "BPF_MAP_TYPE_LRU_HASH",
        "BPF_MAP_TYPE_LRU_PERCPU_HASH"};

    @Test
    void fieldsRefusedPerMapTypeAsTheKernelRefusesThem() throws Exception {
        assumeTools();
        assumeKernel();
        StringBuilder c = new StringBuilder("#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "struct bpf_wq { __u64 __opaque[2]; } __attribute__((aligned(8)));\n");
        List<String> names = new ArrayList<>();
        for (int f = 0; f < FIELDS.length; f++) {
            c.append("struct v").append(f).append(" { __u64 n; ").append(FIELDS[f]).append(" field; };\n");
            for (int t = 0; t < TYPES.length; t++) {
                String name = "m" + f + "_" + t;
                names.add(name);
                c.append("struct {\n    __uint(type, ").append(TYPES[t]).append(");\n    __uint(max_entries, 4);\n"
                        + "    __type(key, __u32);\n    __type(value, struct v").append(f).append(");\n} ").append(name)
                        .append(" SEC(\".maps\");\n");
            }
        }
        c.append("SEC(\"xdp\")\nint pass(struct xdp_md *ctx)\n{\n    return XDP_PASS;\n}\n"
                + "char LICENSE[] SEC(\"license\") = \"GPL\";\n");
        Path src = tmp.resolve("fields.bpf.c");
        Files.writeString(src, c.toString());
        Path obj = ClangTools.compile(src, tmp);
        String pin = "/sys/fs/bpf/htab_lsp_fields_" + ProcessHandle.current().pid();
        ClangTools.Run load;
        try {
            load = ClangTools.run(tmp, "bpftool", "prog", "load", obj.toString(), pin);
        } finally {
            Files.deleteIfExists(Path.of(pin));
        }
        assertThat(load.status()).as("bpftool prog load: %s", load.err()).isZero();
        Map<String, Integer> refused = ClangTools.btfRetries(load.err());
        Analysis a = analyse(src);
        int refusals = 0;
        for (String name : names) {
            Integer errno = refused.get(name);
            List<String> codes = a.diagnostics().stream().filter(d -> name.equals(d.mapName()))
                    .map(HtabDiagnostic::code).filter(code -> code.startsWith("htab.create.")).toList();
            if (errno == null) {
                assertThat(codes).as("map %s: the kernel takes it", name).isEmpty();
            } else {
                refusals++;
                assertThat(codes).as("map %s: the kernel refuses it with errno %d", name, errno)
                        .containsExactly("htab.create." + Errno.nameOf(errno));
            }
        }
        // spin lock: only HASH; timer and wq: HASH and LRU_HASH
        assertThat(refusals).isEqualTo(3 + 2 + 2);
    }

    @Test
    void helpersRefusedPerMapTypeAsTheVerifierRefusesThem() throws Exception {
        assumeTools();
        assumeKernel();
        String maps = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32);"
                + " __type(value, __u32); } h SEC(\".maps\");\n"
                + "struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 4); __type(value, __u32); } q"
                + " SEC(\".maps\");\n"
                + "struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 4); __type(key, __u32);"
                + " __type(value, __u32); } p SEC(\".maps\");\n";
        Map<String, Boolean> cases = new LinkedHashMap<>();
        cases.put("bpf_map_push_elem(&h, &v, 0)", false);
        cases.put("bpf_map_pop_elem(&h, &v)", false);
        cases.put("bpf_map_peek_elem(&h, &v)", false);
        cases.put("bpf_map_lookup_elem(&q, &v) != 0", false);
        cases.put("bpf_map_update_elem(&q, &v, &v, 0)", false);
        cases.put("bpf_map_lookup_percpu_elem(&h, &v, 0) != 0", false);
        cases.put("bpf_map_push_elem(&q, &v, 0)", true);
        cases.put("bpf_map_lookup_percpu_elem(&p, &v, 0) != 0", true);
        cases.put("bpf_map_lookup_elem(&h, &v) != 0", true);
        int i = 0;
        for (Map.Entry<String, Boolean> e : cases.entrySet()) {
            String text = maps + "SEC(\"xdp\")\nint prog(struct xdp_md *ctx)\n{\n    __u32 v = 1;\n\n    return "
                    + e.getKey() + ";\n}\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n";
            Path src = tmp.resolve(String.format(Locale.ROOT, "helper%d.bpf.c", i++));
            Files.writeString(src, text);
            Path obj = ClangTools.compile(src, tmp);
            String pin = "/sys/fs/bpf/htab_lsp_helper_" + ProcessHandle.current().pid() + "_" + i;
            ClangTools.Run load;
            try {
                load = ClangTools.run(tmp, "bpftool", "prog", "load", obj.toString(), pin);
            } finally {
                Files.deleteIfExists(Path.of(pin));
            }
            boolean kernelTakesIt = load.status() == 0;
            assertThat(kernelTakesIt).as("the verifier on %s (%s)", e.getKey(), load.err()).isEqualTo(e.getValue());
            if (!kernelTakesIt) {
                // refused by the verifier: check_map_func_compatibility, or (a key pointer to a map without keys)
                // the argument check that comes first
                assertThat(load.err()).contains("BEGIN PROG LOAD LOG").containsAnyOf("cannot pass map_type",
                        "invalid zero-sized read");
            }
            boolean refusedHere = analyse(src).diagnostics().stream().anyMatch(d -> d.code().equals("call.map.helper"));
            assertThat(refusedHere).as("call.map.helper on %s", e.getKey()).isEqualTo(!kernelTakesIt);
        }
    }
}
