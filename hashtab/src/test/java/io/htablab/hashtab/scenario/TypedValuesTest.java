package io.htablab.hashtab.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.btf.MapBtfs;
import io.htablab.hashtab.cfront.btf.SpecialStructs;
import io.htablab.hashtab.htab.fields.FieldRecord;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scenario extension for C types: brace groups as one token, create with btf_key=/btf_value=, values written
 * field by field (encoded by the member types, bit-fields and strings included), and the errors that name the reason.
 */
class TypedValuesTest {

    private static final String C = SpecialStructs.C_DECLARATIONS
            + "struct in { __u8 a; __u16 b; };"
            + "struct v { __u32 x; __u8 flag:1, kind:3; char name[6]; struct in in; __u32 l; __s16 s;"
            + "  union { __u32 u; __u8 bytes[4]; }; __u64 arr[2]; enum e { E0, E1 = 5 } e; _Bool ok; };"
            // a bit-field that does not start on a byte makes the kernel refuse a struct with a spin lock, so the
            // locked value has none
            + "struct lv { __u32 x; struct bpf_spin_lock l; char name[6]; };";

    private static CType type(String tag) {
        CFrontResult r = CFront.parse("t.c", C);
        return r.types().struct(tag);
    }

    private static String enc(String tag, String text) throws ScenarioException {
        CType t = type(tag);
        FieldRecord rec = MapBtfs.fieldRecord(t);
        return HexFormat.of().formatHex(FieldValues.encode(t, text, rec));
    }

    @Test
    void membersAreEncodedByTheirTypes() throws Exception {
        // struct in: a@0 (u8), b@2 (u16)
        assertThat(enc("in", "{.a=1, .b=0x0203}")).isEqualTo("01000302");
        assertThat(enc("in", "{7, 8}")).isEqualTo("07000800");
        assertThatThrownBy(() -> enc("in", "{.b=1, 2}")).hasMessageContaining("too many initializers");
    }

    @Test
    void bitFieldsStringsNestedAnonymousArraysEnumsAndBool() throws Exception {
        CType v = type("v");
        byte[] b = FieldValues.encode(v, "{.x=1, .flag=1, .kind=5, .name=\"ab\", .in={.a=9}, .s=-2, .u=0x01020304,"
                + " .arr={[1]=3}, .e=5, .ok=1}", MapBtfs.fieldRecord(v));
        assertThat(b.length).isEqualTo((int) v.size());
        assertThat(b[0]).isEqualTo((byte) 1);
        assertThat(b[4]).as("flag=1 at bit 32, kind=5 at bits 33..35").isEqualTo((byte) (1 | 5 << 1));
        assertThat(new String(b, 5, 2, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ab");
        assertThat(b[7]).isZero();
        assertThat(b[12]).as("in.a").isEqualTo((byte) 9);
    }

    @Test
    void refusalsNameTheMemberAndTheReason() {
        CType lv = type("lv");
        FieldRecord lrec = MapBtfs.fieldRecord(lv);
        assertThat(lrec.has(io.htablab.hashtab.htab.fields.FieldKind.SPIN_LOCK)).isTrue();
        assertThatThrownBy(() -> FieldValues.encode(lv, "{.l=1}", lrec)).hasMessageContaining("special field");
        assertThatThrownBy(() -> FieldValues.encode(lv, "{.name=\"toolong!\"}", lrec)).hasMessageContaining("holds 6");
        CType v = type("v");
        FieldRecord rec = MapBtfs.fieldRecord(v);
        assertThatThrownBy(() -> FieldValues.encode(v, "{.kind=8}", rec)).hasMessageContaining("3-bit")
                .hasMessageContaining("does not fit");
        assertThatThrownBy(() -> FieldValues.encode(v, "{.nope=1}", rec)).hasMessageContaining("no member 'nope'");
        assertThatThrownBy(() -> FieldValues.encode(v, "{.s=40000}", rec)).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> FieldValues.encode(v, "{.x=-1}", rec)).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> FieldValues.encode(v, "{.ok=2}", rec)).hasMessageContaining("_Bool");
        assertThatThrownBy(() -> FieldValues.encode(v, "{.arr={[2]=1}}", rec)).hasMessageContaining("past the end");
        assertThatThrownBy(() -> FieldValues.encode(v, "{.x=1", rec)).isInstanceOf(ScenarioException.class);
    }

    /** Junk never crashes: every malformed group is a ScenarioException (which prints error EINVAL). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void malformedGroupsAreRefusedNeverThrownOtherwise(long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        CType v = type("v");
        String alphabet = "{}.=,\"'[]-x0123456789abz_ \\";
        String[] seeds = {"{.x='a'}", "{.x='\\\\'}", "{.x=1}", "{.name=\"ab\"}", "{.in={.a=1}}", "{.arr={[1]=2}}", "{1, 2, 3}", "{.kind=3, .flag=1}"};
        for (int i = 0; i < 400; i++) {
            StringBuilder sb = new StringBuilder(seeds[rnd.nextInt(seeds.length)]);
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = rnd.nextInt(sb.length() + 1);
                if (rnd.nextBoolean() && at < sb.length()) {
                    sb.deleteCharAt(at);
                } else {
                    sb.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            String text = sb.toString();
            try {
                byte[] out = FieldValues.encode(v, text, FieldRecord.EMPTY);
                assertThat(out).hasSize((int) v.size());
            } catch (ScenarioException expected) {
                assertThat(expected.getMessage()).contains("value");
            }
            try {
                ScenarioParser.parseLine("update m " + text + " " + text);
            } catch (ScenarioException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void braceGroupsAreOneTokenAndV11LinesTokenizeAsBefore() throws Exception {
        assertThat(ScenarioParser.tokenize("update m {.a=1, .s=\"x y\"} {.in={.a=2}} lock   # c"))
                .containsExactly("update", "m", "{.a=1, .s=\"x y\"}", "{.in={.a=2}}", "lock");
        assertThat(ScenarioParser.tokenize("update m u32:1 u64:2 exist # comment"))
                .containsExactly("update", "m", "u32:1", "u64:2", "exist");
        assertThat(ScenarioParser.tokenize("ctype struct s { int a; }; # why"))
                .containsExactly("ctype", "struct s { int a; };");
        assertThat(ScenarioParser.tokenize("update m {.s=\"#not a comment\"} 00"))
                .containsExactly("update", "m", "{.s=\"#not a comment\"}", "00");
        Statement.UpdateBatch b = (Statement.UpdateBatch) ScenarioParser.parseLine(
                "update_batch m {.k=1}={.v=2} 01000000={.v=3}|{.v=4} flags=lock");
        assertThat(b.items()).hasSize(2);
        assertThat(b.items().get(0).key()).isNull();
        assertThat(b.items().get(0).keySource()).isEqualTo("{.k=1}");
        assertThat(b.items().get(1).value().texts()).containsExactly("{.v=3}", "{.v=4}");
        Statement.LookupBatch lb = (Statement.LookupBatch) ScenarioParser.parseLine("lookup_batch m count=3 flags=lock");
        assertThat(lb.elemFlags()).isEqualTo(4);
        Statement.Create c = (Statement.Create) ScenarioParser.parseLine(
                "create m type=hash max=4 btf_key=unsigned:int btf_value=struct:v");
        assertThat(c.btfKey()).isEqualTo("unsigned int");
        assertThat(c.btfValue()).isEqualTo("struct v");
        assertThat(c.keyGiven()).isFalse();
        assertThatThrownBy(() -> ScenarioParser.parseLine("create m type=hash max=4 btf_value=struct:v"))
                .hasMessageContaining("missing key=");
        assertThatThrownBy(() -> ScenarioParser.parseLine("update m {.a=1 00")).isInstanceOf(ScenarioException.class);
        assertThatThrownBy(() -> ScenarioParser.parseLine("update m {.a=1}x 00")).hasMessageContaining("after the closing brace");
    }

    @Test
    void cincludeReadsAFileBesideTheScenario(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("types.h"),
                "#define NAME_LEN 4\nstruct k { __u32 id; };\nstruct v { struct bpf_spin_lock l; char name[NAME_LEN]; };\n");
        java.nio.file.Path hts = dir.resolve("s.hts");
        java.nio.file.Files.writeString(hts, String.join("\n",
                "cinclude types.h",
                "cinclude missing.h",
                "create m type=hash max=2 btf_key=struct:k btf_value=struct:v",
                "update m {.id=3} {.name=\"abcd\"} lock",
                "lookup m {3}",
                ""));
        List<String> out = new java.util.ArrayList<>();
        List<String> err = new java.util.ArrayList<>();
        try (Interpreter in = new Interpreter(new EngineBackend())) {
            in.run(ScenarioParser.parse(java.nio.file.Files.readString(hts)), hts.toString(), out::add, err::add);
        }
        assertThat(out).containsExactly("ok", "error EINVAL", "ok", "ok", "value 0000000061626364");
        assertThat(err).singleElement().asString().contains(":2: cinclude: no file missing.h");
    }

    @Test
    void aScenarioWithTypesRunsOnTheEngineWithErrorsNamingFileLineAndReason() {
        String text = String.join("\n",
                "ctype struct v { __u32 a; struct bpf_spin_lock l; };",
                "ctype struct broken { int a }",
                "create m type=hash max=4 btf_key=__u32 btf_value=struct:v",
                "update m u32:1 {.a=5}",
                "lookup m u32:1 lock",
                "update m {.a=1} {.a=1}",
                "create n type=hash max=4 btf_key=__u32 btf_value=struct:nothere",
                "lookup_batch m count=4 flags=lock",
                "");
        List<String> out = new java.util.ArrayList<>();
        List<String> err = new java.util.ArrayList<>();
        try (Interpreter in = new Interpreter(new EngineBackend())) {
            in.run(ScenarioParser.parse(text), "t.hts", out::add, err::add);
        } catch (CpusMismatchException e) {
            throw new AssertionError(e);
        }
        assertThat(out).containsExactly("ok", "error EINVAL", "ok", "ok", "value 0500000000000000", "error EINVAL",
                "error EINVAL", "batch count=1 out=04000000 keys=01000000 values=0500000000000000 error ENOENT");
        assertThat(err).hasSize(3);
        assertThat(err.get(0)).startsWith("t.hts:2: ctype: C error");
        assertThat(err.get(1)).startsWith("t.hts:6:").contains("__u32").contains("no members");
        assertThat(err.get(2)).startsWith("t.hts:7:").contains("struct nothere");
    }
}
