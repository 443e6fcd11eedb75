package io.htablab.visualizer.model.fields;

import io.htablab.hashtab.cfront.CDiagnostic;
import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.visualizer.model.Hex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keys and values by field against clang: every case is a C global with a designated initializer; clang
 * ({@code -target bpf}) compiles it and the bytes it places in {@code .data} are the truth. The scenario's encoder
 * (the one the console and the forms use: {@code ctype}, a BTF-typed map, {@code update m K {…}}) must store those
 * bytes, and the visualizer's decoder must read them back as the initializer in its canonical spelling (written here
 * by hand, never produced by the decoder).
 */
class FieldCodecClangTest {

    /**
     * A case: global name, its type (as the C front end names it), the initializer, the canonical decoding, and the
     * initializer as the scenario syntax takes it when it differs from C (null: the same).
     */
    record Case(String global, String type, String init, String decoded, String scenarioInit) {
        Case(String global, String type, String init, String decoded) {
            this(global, type, init, decoded, null);
        }

        String typed() {
            return scenarioInit == null ? init : scenarioInit;
        }
    }


    static final String INCLUDES = """
            #include <linux/types.h>
            #include <linux/bpf.h>
            """;

    /** The declarations; the scenario's C unit knows the __u32 family and the special structs without headers. */
    static final String TYPES = """
            struct flow { __u32 pid; __u16 port; };
            struct inner { __u8 a; __u64 b; };
            enum color { RED, GREEN = 5, BLUE };
            struct rec { char comm[8]; struct inner in; __s16 arr[3]; enum color c; _Bool ok; };
            struct bits { __u32 a:3, b:5; __s32 c:4; __u32 :0; __u16 d:9; __u8 :2; __u8 e:6; };
            union u { __u32 i; __u8 b[4]; };
            struct withlock { struct bpf_spin_lock lock; __u64 cnt; struct bpf_timer t; };
            struct anon { __u32 x; union { __u32 y; __u16 z; }; struct { __u8 p, q; }; };
            struct nest { struct flow f[2]; char name[4]; __s8 small; char ch; };
            struct wide { unsigned __int128 big; __s64 neg; long l; };
            struct nbits { __u32 x; struct { __u8 a:3, b:5; } f; __u16 y; };
            """;

    static final List<Case> CASES = List.of(
            new Case("g_flow1", "struct flow", "{.pid = 7, .port = 80}", "{.pid=7, .port=80}"),
            new Case("g_flow2", "struct flow", "{1, 2}", "{.pid=1, .port=2}"),
            new Case("g_flow3", "struct flow", "{.port = 65535}", "{.pid=0, .port=65535}"),
            new Case("g_rec", "struct rec", "{.comm = \"bash\", .in = {.a = 2, .b = 0x1122334455667788}, "
                    + ".arr = {1, -2, 3}, .c = GREEN, .ok = 1}",
                    "{.comm=\"bash\", .in={.a=2, .b=1234605616436508552}, .arr={1, -2, 3}, .c=GREEN, .ok=true}",
                    // the scenario encoder takes no enum constant names (yet): GREEN is 5
                    "{.comm = \"bash\", .in = {.a = 2, .b = 0x1122334455667788}, .arr = {1, -2, 3}, .c = 5, .ok = 1}"),
            new Case("g_rec2", "struct rec", "{\"12345678\", {9}, {[2] = 7}, BLUE}",
                    "{.comm=\"12345678\", .in={.a=9, .b=0}, .arr={0, 0, 7}, .c=BLUE, .ok=false}",
                    "{\"12345678\", {9}, {[2] = 7}, 6}"),
            new Case("g_bits", "struct bits", "{.a = 5, .b = 31, .c = -3, .d = 300, .e = 63}",
                    "{.a=5, .b=31, .c=-3, .d=300, .e=63}"),
            new Case("g_bits2", "struct bits", "{1, 2, 3, 4, 5}", "{.a=1, .b=2, .c=3, .d=4, .e=5}"),
            new Case("g_u", "union u", "{.i = 0x01020304}", "{.i=16909060}"),
            new Case("g_u2", "union u", "{.b = {1, 2}}", "{.i=513}"),
            new Case("g_lock", "struct withlock", "{.cnt = 9}",
                    "{.lock=‹bpf_spin_lock›, .cnt=9, .t=‹bpf_timer›}"),
            new Case("g_anon", "struct anon", "{.x = 1, .y = 2, .p = 3, .q = 4}", "{.x=1, .y=2, .z=2, .p=3, .q=4}"),
            new Case("g_nest", "struct nest", "{.f = {{1, 2}, [1].port = 9}, .name = \"ab\", .small = -128, "
                    + ".ch = 'z'}",
                    "{.f={{.pid=1, .port=2}, {.pid=0, .port=9}}, .name=\"ab\", .small=-128, .ch='z'}",
                    // the scenario encoder takes one designator per item (no [1].port): nested braces instead
                    "{.f = {{1, 2}, [1] = {.port = 9}}, .name = \"ab\", .small = -128, .ch = 'z'}"),
            new Case("g_wide", "struct wide", "{.big = 0xffffffffffffffff, .neg = -1, .l = -9223372036854775807}",
                    "{.big=18446744073709551615, .neg=-1, .l=-9223372036854775807}"),
            new Case("g_scalar", "__u64", "{42}", "42"),
            new Case("g_nbits", "struct nbits", "{.x = 1, .f = {.a = 5, .b = 31}, .y = 2}",
                    "{.x=1, .f={.a=5, .b=31}, .y=2}"));

    static CFrontResult front;
    static Map<String, byte[]> clangBytes;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void compile() throws Exception {
        StringBuilder src = new StringBuilder(INCLUDES + TYPES);
        for (Case c : CASES) {
            src.append(c.type()).append(' ').append(c.global()).append(" = ").append(c.init()).append(";\n");
        }
        front = CFront.parse("codec.bpf.c", INCLUDES + TYPES);
        if (!tool("clang") || !tool("llvm-nm") || !tool("llvm-objcopy")) {
            return;
        }
        Path c = tmp.resolve("codec.bpf.c");
        Files.writeString(c, src);
        run("clang", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", c.toString(), "-o",
                tmp.resolve("codec.o").toString());
        run("llvm-objcopy", "-O", "binary", "--only-section=.data", tmp.resolve("codec.o").toString(),
                tmp.resolve("data.bin").toString());
        byte[] data = Files.readAllBytes(tmp.resolve("data.bin"));
        clangBytes = new HashMap<>();
        for (String line : run("llvm-nm", "-S", tmp.resolve("codec.o").toString()).split("\n")) {
            String[] p = line.strip().split("\\s+");
            if (p.length == 4 && p[2].equals("D")) {
                int off = Integer.parseInt(p[0], 16);
                int size = Integer.parseInt(p[1], 16);
                clangBytes.put(p[3], Arrays.copyOfRange(data, off, off + size));
            }
        }
    }

    private static boolean tool(String name) {
        try {
            Process p = new ProcessBuilder(name, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), new String(err, StandardCharsets.UTF_8)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    static CType type(String spelling) {
        if (spelling.startsWith("struct ")) {
            return front.types().struct(spelling.substring(7));
        }
        if (spelling.startsWith("union ")) {
            return front.types().union(spelling.substring(6));
        }
        return front.types().typedef(spelling);
    }

    @Test
    void theFrontEndReadsTheTypes() {
        assertThat(front.diagnostics()).noneMatch(d -> d.severity() == CDiagnostic.Severity.ERROR);
        for (Case c : CASES) {
            assertThat(type(c.type())).as(c.type()).isNotNull();
        }
    }

    @Test
    void theScenarioEncoderStoresClangsBytes() {
        assumeTrue(clangBytes != null, "clang/llvm-nm/llvm-objcopy not installed (apt-get install -y clang llvm); skipping");
        try (io.htablab.visualizer.app.Session s = new io.htablab.visualizer.app.Session(2)) {
            assertThat(s.run("ctype " + TYPES.replace('\n', ' ')).output()).containsExactly("ok");
            int n = 0;
            for (Case c : CASES) {
                String map = "m" + n++;
                // the case's type as the value of a BTF-typed map; special fields read back as zeros, as clang left them
                assertThat(s.run("create " + map + " type=hash key=4 max=2 btf_key=__u32 btf_value="
                        + c.type().replace(' ', ':')).output()).as(c.type()).containsExactly("ok");
                var u = s.run("update " + map + " u32:1 " + c.typed());
                assertThat(u.output()).as("%s = %s: %s", c.global(), c.typed(), u.error()).containsExactly("ok");
                assertThat(s.run("lookup " + map + " u32:1").output()).as("%s = %s", c.global(), c.init())
                        .containsExactly("value " + Hex.of(clangBytes.get(c.global())));
                // and the view model decodes what the engine reported
                var m = s.timeline().present().map(map);
                assertThat(m.types().valueText(m.elemValueSlot(firstElem(m), 0))).as(c.global())
                        .isEqualTo(c.decoded());
            }
        }
    }

    private static int firstElem(io.htablab.visualizer.model.MapModel m) {
        for (int b = 0; b < m.nBuckets(); b++) {
            if (m.chain(b).length > 0) {
                return m.chain(b)[0];
            }
        }
        throw new AssertionError("empty map");
    }

    @Test
    void decodingClangsBytesGivesTheFields() {
        assumeTrue(clangBytes != null, "clang/llvm-nm/llvm-objcopy not installed (apt-get install -y clang llvm); skipping");
        for (Case c : CASES) {
            Field f = FieldCodec.decode(type(c.type()), clangBytes.get(c.global()));
            assertThat(f.text()).as("%s from clang's bytes %s", c.global(), Hex.of(clangBytes.get(c.global())))
                    .isEqualTo(c.decoded());
        }
    }

    @Test
    void paddingAndSpecialFieldsAreMarkedWhereTheLayoutPutsThem() {
        assumeTrue(clangBytes != null, "clang/llvm-nm/llvm-objcopy not installed (apt-get install -y clang llvm); skipping");
        Field flow = FieldCodec.decode(type("struct flow"), clangBytes.get("g_flow1"));
        assertThat(flow.children()).extracting(Field::kind).containsExactly(Field.Kind.NUMBER, Field.Kind.NUMBER,
                Field.Kind.PADDING);
        assertThat(flow.children().get(2).offset()).isEqualTo(6);
        assertThat(flow.children().get(2).size()).isEqualTo(2);
        Field inner = FieldCodec.decode(type("struct rec"), clangBytes.get("g_rec")).child("in");
        assertThat(inner.children()).extracting(Field::kind).containsExactly(Field.Kind.NUMBER, Field.Kind.PADDING,
                Field.Kind.NUMBER);
        Field lock = FieldCodec.decode(type("struct withlock"), clangBytes.get("g_lock"));
        assertThat(lock.child("lock").special()).isEqualTo(io.htablab.hashtab.htab.fields.FieldKind.SPIN_LOCK);
        assertThat(lock.child("t").special()).isEqualTo(io.htablab.hashtab.htab.fields.FieldKind.TIMER);
        assertThat(lock.child("t").offset()).isEqualTo(16);
        // non-zero padding is shown (a key with dirty padding misses)
        byte[] dirty = clangBytes.get("g_flow1").clone();
        dirty[7] = (byte) 0xab;
        assertThat(FieldCodec.decode(type("struct flow"), dirty).text()).isEqualTo("{.pid=7, .port=80, ‹pad@6 00ab›}");
    }

    @Test
    void completionOffersTheMembersOfTheInnermostOpenStruct() {
        CType rec = type("struct rec");
        assertThat(MemberCompletion.complete(rec, "{").members()).containsExactly("comm", "in", "arr", "c", "ok");
        assertThat(MemberCompletion.complete(rec, "{.c").members()).containsExactly("comm", "c");
        assertThat(MemberCompletion.complete(rec, "{.comm=\"a,{b\", .in={.").members()).containsExactly("a", "b");
        assertThat(MemberCompletion.complete(rec, "{.in={.a=1}, .o").members()).containsExactly("ok");
        assertThat(MemberCompletion.complete(rec, "{.in={.a=1}}").members()).isEmpty();
        assertThat(MemberCompletion.complete(type("struct anon"), "{.").members()).containsExactly("x", "y", "z", "p", "q");
        assertThat(MemberCompletion.complete(type("struct nest"), "{.f={{.p").members()).containsExactly("pid", "port");
    }
}
