package io.htablab.hashtab.cfront;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Preprocessor, expressions, layout and map-field details, with expectations checked against clang 14 (-target bpf). */
class CFrontUnitTest {

    private static final String H = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n";

    private static CFrontResult parse(String text) {
        return CFront.parse("untitled:test.c", text);
    }

    private static long size(CFrontResult r, String struct) {
        return r.types().struct(struct).size();
    }

    @Test
    void layoutMatchesClangFactsForBitFieldsInt128AndLoweredTypedefAlignment() {
        CFrontResult r = parse("""
                struct a { char c; __int128 x; };
                struct bf { char a; int b:3; int :0; char c; long d:40; char e; };
                struct bf2 { char a; int :5; char c; };
                struct bf3 { char a; long long b:60; int c:7; };
                typedef unsigned long long ull __attribute__((aligned(4)));
                struct t { char c; ull x; };
                struct ba { char c __attribute__((aligned)); };
                struct pz { char a; int :0; char b; } __attribute__((packed));
                """);
        assertThat(size(r, "ba")).isEqualTo(16);
        assertThat(size(r, "pz")).isEqualTo(5);
        // facts read from clang's BTF (bpftool btf dump) for the same declarations
        assertThat(size(r, "a")).isEqualTo(32);
        assertThat(r.types().struct("a").layout().member("x").offset()).isEqualTo(16);
        assertThat(size(r, "bf")).isEqualTo(16);
        Layout bf = r.types().struct("bf").layout();
        assertThat(bf.member("b").bitOffset()).isEqualTo(8);
        assertThat(bf.member("c").bitOffset()).isEqualTo(32);
        assertThat(bf.member("d").bitOffset()).isEqualTo(64);
        assertThat(bf.member("e").bitOffset()).isEqualTo(104);
        assertThat(size(r, "bf2")).isEqualTo(3);
        assertThat(r.types().struct("bf2").align()).isEqualTo(1);
        assertThat(size(r, "bf3")).isEqualTo(24);
        assertThat(r.types().struct("bf3").layout().member("c").bitOffset()).isEqualTo(128);
        assertThat(size(r, "t")).isEqualTo(12);
    }

    @Test
    void holesIncludeInnerPaddingAndTailPadding() {
        CFrontResult r = parse("struct in { char a; int b; };\nstruct k { struct in i; char c; long l; short s; };\n");
        Layout k = r.types().struct("k").layout();
        assertThat(k.size()).isEqualTo(32);
        assertThat(k.holes()).containsExactly(new Layout.Hole(1, 3, false), new Layout.Hole(9, 7, false),
                new Layout.Hole(26, 6, true));
        CFrontResult packed = parse("struct p { char a; int b; } __attribute__((packed));");
        assertThat(packed.types().struct("p").layout().holes()).isEmpty();
        assertThat(packed.types().struct("p").size()).isEqualTo(5);
    }

    @Test
    void enumsPickClangsUnderlyingType() {
        CFrontResult r = parse("""
                enum big { B1 = 0x80000000 };
                enum neg { N1 = -1, N2 = 0x80000000 };
                enum __attribute__((packed)) pk { P1 = 1, P2 = 300 };
                enum __attribute__((packed)) pc { C1 = -1 };
                enum fixed : unsigned char { F1 };
                enum plain { X, Y = 7, Z };
                """);
        assertThat(r.types().enumType("big").size()).isEqualTo(4);
        assertThat(r.types().enumType("neg").size()).isEqualTo(8);
        assertThat(r.types().enumType("pk").size()).isEqualTo(2);
        assertThat(r.types().enumType("pc").size()).isEqualTo(1);
        assertThat(r.types().enumType("fixed").size()).isEqualTo(1);
        assertThat(r.types().enumConstant("Z").value()).isEqualTo(8);
    }

    @Test
    void constantExpressionsFollowCIntegerTyping() {
        CFrontResult r = parse("""
                enum { S = 3 };
                struct e {
                  char a[~0U >> 28];          /* 32-bit unsigned: 15 */
                  char b[(1U << 31) >> 30];   /* 2 */
                  char c[-1 < 0u ? 1 : 2];    /* -1 converts to unsigned: 2 */
                  char d[-1L < 0u ? 3 : 4];   /* long wins: 3 */
                  char f[010 + 0x10 + 'a' - 'a' + S];
                  char g[(unsigned char)257];
                  char h[sizeof(int[3]) + _Alignof(long)];
                };
                """);
        Layout l = r.types().struct("e").layout();
        assertThat(l.member("a").size()).isEqualTo(15);
        assertThat(l.member("b").size()).isEqualTo(2);
        assertThat(l.member("c").size()).isEqualTo(2);
        assertThat(l.member("d").size()).isEqualTo(3);
        assertThat(l.member("f").size()).isEqualTo(27);
        assertThat(l.member("g").size()).isEqualTo(1);
        assertThat(l.member("h").size()).isEqualTo(20);
    }

    @Test
    void preprocessorHandlesPastingStringizingConditionalsAndVariadics() {
        CFrontResult r = parse("""
                #define CAT(a, b) a ## b
                #define STR(x) #x
                #define N(...) N_(__VA_ARGS__, 3, 2, 1)
                #define N_(a, b, c, n, ...) n
                #define ON
                #if defined(ON) && !defined(OFF) && (N(x, y) == 2)
                struct CAT(good, _t) { char s[sizeof(STR(ab))]; };
                #elif 1
                struct bad_t { int x; };
                #endif
                #ifdef OFF
                struct bad2 { int x; };
                #else
                struct fine { int x; };
                #endif
                #undef ON
                #ifndef ON
                struct undefined_ok { int y; };
                #endif
                """);
        assertThat(r.types().struct("good_t").size()).isEqualTo(3);
        assertThat(r.types().struct("bad_t")).isNull();
        assertThat(r.types().struct("bad2")).isNull();
        assertThat(r.types().struct("fine")).isNotNull();
        assertThat(r.types().struct("undefined_ok")).isNotNull();
        assertThat(r.macros()).containsKeys("CAT", "STR", "N");
        assertThat(r.macros().get("CAT").params()).containsExactly("a", "b");
        assertThat(r.macros().get("CAT").range()).isEqualTo(new SourceRange(0, 8, 0, 11));
        assertThat(r.diagnostics()).isEmpty();
    }

    @Test
    void mapFieldsCarryExactSourceRangesAndText() {
        String src = H + """
                #define SZ (1 << 4)
                struct {
                	__uint(type, BPF_MAP_TYPE_LRU_HASH);
                	__uint(max_entries, SZ);
                	__uint(map_flags, BPF_F_NO_COMMON_LRU | BPF_F_ZERO_SEED);
                	__type(key, __u32);
                	__type(value, struct bpf_timer);
                } lru SEC(".maps");
                """;
        CFrontResult r = parse(src);
        MapDefinition m = r.map("lru");
        assertThat(m.kernelName()).isEqualTo("lru_hash");
        assertThat(m.mapTypeName()).isEqualTo("BPF_MAP_TYPE_LRU_HASH");
        assertThat(m.maxEntries()).hasValue(16);
        assertThat(m.mapFlags()).hasValue(0x42);
        assertThat(m.keySize()).hasValue(4);
        assertThat(m.valueSize()).hasValue(16);
        assertThat(m.nameRange()).isEqualTo(new SourceRange(9, 2, 9, 5));
        assertThat(m.range()).isEqualTo(new SourceRange(3, 0, 9, 19));
        MapField flags = m.field("map_flags");
        assertThat(flags.exprText()).isEqualTo("BPF_F_NO_COMMON_LRU | BPF_F_ZERO_SEED");
        assertThat(flags.valueRange()).isEqualTo(new SourceRange(6, 19, 6, 56));
        assertThat(flags.range()).isEqualTo(new SourceRange(6, 1, 6, 57));
        assertThat(m.field("max_entries").exprText()).isEqualTo("SZ");
        assertThat(m.field("value").exprText()).isEqualTo("struct bpf_timer");
        assertThat(m.unknown()).isEmpty();
    }

    @Test
    void unknownValuesAreReportedNotZero() {
        CFrontResult r = parse(H + """
                struct {
                	__uint(type, BPF_MAP_TYPE_HASH);
                	__uint(max_entries, NOT_DEFINED);
                	__type(key, struct nowhere);
                	__type(value, __u64);
                } m SEC(".maps");
                """);
        MapDefinition m = r.map("m");
        assertThat(m.maxEntries()).isEmpty();
        assertThat(m.keySize()).isEmpty();
        assertThat(m.unknown()).contains("max_entries", "key");
        assertThat(m.valueSize()).hasValue(8);
        assertThat(r.diagnostics()).anyMatch(d -> d.code().equals("unknown-identifier")
                && d.severity() == CDiagnostic.Severity.INFO && d.range().equals(new SourceRange(4, 21, 4, 32)));
    }

    @Test
    void syntaxErrorsRecoverSoLaterMapsAreFound() {
        CFrontResult r = parse(H + """
                struct broken { int a  int b; };
                struct {
                	__uint(type, BPF_MAP_TYPE_ARRAY) oops
                	__uint(max_entries, 3);
                } half SEC(".maps");
                int x = ;
                struct {
                	__uint(type, BPF_MAP_TYPE_HASH);
                	__uint(max_entries, 7);
                	__type(key, int);
                	__type(value, int);
                } later SEC(".maps");
                """);
        assertThat(r.diagnostics()).anyMatch(d -> d.severity() == CDiagnostic.Severity.ERROR && d.range().startLine() == 2);
        assertThat(r.map("later")).isNotNull();
        assertThat(r.map("later").maxEntries()).hasValue(7);
        assertThat(r.map("half")).isNotNull();
        // the broken member swallows everything up to its ';', so max_entries stays unknown, not 0
        assertThat(r.map("half").maxEntries()).isEmpty();
    }

    @Test
    void includesUseTheReaderHookAndIncludePaths() {
        Map<Path, String> files = Map.of(Path.of("/proj/src/local.h"), "#define LOCAL 5\n#include <extra.h>\n",
                Path.of("/proj/inc/extra.h"), "struct extra { __u64 a; char b; };\n");
        CFrontOptions opts = new CFrontOptions(List.of(Path.of("/proj/inc")), Map.of("FROM_CMDLINE", "9"),
                p -> Optional.ofNullable(files.get(p)));
        CFrontResult r = CFront.parse("file:///proj/src/main.c", "#include \"local.h\"\n#include <unknown/sys.h>\n"
                + "struct s { char a[LOCAL + FROM_CMDLINE]; struct extra e; };\n", opts);
        assertThat(r.types().struct("s").size()).isEqualTo(32);
        assertThat(r.types().struct("extra").uri()).isEqualTo("file:///proj/inc/extra.h");
        assertThat(r.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("system-include");
            assertThat(d.severity()).isEqualTo(CDiagnostic.Severity.INFO);
            assertThat(d.range()).isEqualTo(new SourceRange(1, 9, 1, 24));
        });
    }

    @Test
    void legacyMapDefinitionsAreRead() {
        CFrontResult r = parse(H + """
                struct bpf_map_def SEC("maps") old = {
                	.type = BPF_MAP_TYPE_PERCPU_HASH,
                	.key_size = sizeof(__u32),
                	.max_entries = 0x40,
                };
                """);
        MapDefinition m = r.map("old");
        assertThat(m.style()).isEqualTo(MapDefinition.Style.LEGACY);
        assertThat(m.mapType()).hasValue(5);
        assertThat(m.keySize()).hasValue(4);
        assertThat(m.valueSize()).hasValue(0);
        assertThat(m.maxEntries()).hasValue(64);
        assertThat(m.field("max_entries").exprText()).isEqualTo("0x40");
        assertThat(m.field("type").range()).isEqualTo(new SourceRange(3, 1, 3, 33));
    }

    @Test
    void builtinTypesAreKnownAndMayBeRedefined() {
        CFrontResult r = parse("struct bpf_spin_lock { __u64 mine; };\nstruct v { struct bpf_spin_lock l; struct bpf_wq w; };\n");
        assertThat(r.types().struct("bpf_spin_lock").size()).isEqualTo(8);
        assertThat(r.types().struct("bpf_wq").size()).isEqualTo(16);
        assertThat(r.types().struct("bpf_wq").align()).isEqualTo(8);
        assertThat(r.types().typedef("__be32").size()).isEqualTo(4);
        assertThat(r.types().enumConstant("BPF_MAP_TYPE_ARENA").value()).isEqualTo(33);
        assertThat(r.types().enumConstant("BPF_F_MMAPABLE").value()).isEqualTo(1024);
        assertThat(r.diagnostics()).isEmpty();
    }
}
