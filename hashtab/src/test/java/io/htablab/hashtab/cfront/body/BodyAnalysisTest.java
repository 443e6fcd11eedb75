package io.htablab.hashtab.cfront.body;

import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.CType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BodyAnalysisTest {

    static final String HEAD = "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n"
            + "struct key { __u8 proto; __u32 addr; __u16 port; };\n"
            + "struct val { __u64 packets; __u64 bytes; };\n"
            + "struct {\n  __uint(type, BPF_MAP_TYPE_HASH);\n  __uint(max_entries, 64);\n"
            + "  __type(key, struct key);\n  __type(value, struct val);\n} flows SEC(\".maps\");\n";

    static FunctionBody body(String functionText) {
        CFrontResult r = CFront.parse("file:///tmp/body/t.bpf.c", HEAD + functionText);
        assertThat(r.functions()).as("functions of %s", functionText).isNotEmpty();
        return BodyAnalysis.analyze(r.functions().get(r.functions().size() - 1), r.types());
    }

    static Local local(FunctionBody b, String name) {
        return b.locals().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no local " + name + " in " + b.locals()));
    }

    static CallSite call(FunctionBody b, String callee) {
        return b.calls().stream().filter(c -> c.callee().equals(callee)).findFirst()
                .orElseThrow(() -> new AssertionError("no call " + callee + " in " + b.calls()));
    }

    @Test
    void parametersAndLocalsWithTheirTypesAndInitialisers() {
        FunctionBody b = body("SEC(\"xdp\") int prog(struct xdp_md *ctx, __u32 n) {\n"
                + "  struct key a = {};\n  struct key z = {0};\n  struct key c = {.proto = 6, .port = 80};\n"
                + "  struct key d = {.proto = ctx->data};\n  struct key e;\n  __u32 pid = n + 1, *pp = &pid;\n"
                + "  char comm[16];\n  return 0;\n}\n");
        assertThat(b.locals()).extracting(Local::name).containsExactly("ctx", "n", "a", "z", "c", "d", "e", "pid",
                "pp", "comm");
        assertThat(local(b, "ctx").isParameter()).isTrue();
        assertThat(local(b, "ctx").type().spelling()).isEqualTo("struct xdp_md *");
        assertThat(local(b, "a").initializer().kind()).isEqualTo(Initializer.Kind.EMPTY);
        assertThat(local(b, "z").initializer().kind()).isEqualTo(Initializer.Kind.ZERO);
        assertThat(local(b, "c").initializer().kind()).isEqualTo(Initializer.Kind.CONSTANT_LIST);
        assertThat(local(b, "c").initializer().items()).extracting(Initializer.Item::designator)
                .containsExactly("proto", "port");
        assertThat(local(b, "d").initializer().kind()).isEqualTo(Initializer.Kind.LIST);
        assertThat(local(b, "e").initializer()).isNull();
        assertThat(local(b, "e").type().size()).isEqualTo(12);
        assertThat(local(b, "pid").initializer().kind()).isEqualTo(Initializer.Kind.EXPRESSION);
        assertThat(local(b, "pp").type().spelling()).isEqualTo("__u32 *");
        assertThat(local(b, "comm").type().size()).isEqualTo(16);
    }

    @Test
    void callsWithArgumentsAndWhereTheirResultGoes() {
        FunctionBody b = body("int prog(void *ctx) {\n  struct key k = {};\n"
                + "  struct val *v = bpf_map_lookup_elem(&flows, &k);\n"
                + "  __u64 *c = (__u64 *)bpf_map_lookup_elem(&flows, &k);\n"
                + "  void *p;\n  p = bpf_map_lookup_elem(&flows, &k);\n  struct key *q = p;\n"
                + "  if (bpf_map_lookup_elem(&flows, &k)) return 1;\n  return 0;\n}\n");
        List<CallSite> lookups = b.calls().stream().filter(c -> c.callee().equals("bpf_map_lookup_elem")).toList();
        assertThat(lookups).hasSize(4);
        assertThat(lookups.get(0).resultUse().kind()).isEqualTo(CallSite.ResultUse.Kind.DECLARATION);
        assertThat(lookups.get(0).resultUse().type().spelling()).isEqualTo("struct val *");
        assertThat(lookups.get(1).resultUse().kind()).isEqualTo(CallSite.ResultUse.Kind.CAST);
        assertThat(lookups.get(1).resultUse().type().spelling()).isEqualTo("__u64 *");
        assertThat(lookups.get(2).resultUse().kind()).isEqualTo(CallSite.ResultUse.Kind.ASSIGNMENT);
        assertThat(lookups.get(2).resultUse().target()).isSameAs(local(b, "p"));
        assertThat(b.resultUses(lookups.get(2))).extracting(u -> u.type() == null ? null : u.type().spelling())
                .containsExactly("void *", "struct key *");
        assertThat(lookups.get(3).resultUse().kind()).isEqualTo(CallSite.ResultUse.Kind.OTHER);

        Expr.Call first = lookups.get(0).call();
        assertThat(first.args()).hasSize(2);
        assertThat(Exprs.stripCasts(first.arg(0))).isInstanceOf(Expr.Unary.class);
        assertThat(Exprs.addressedLocal(first.arg(1))).isSameAs(local(b, "k"));
        CType keyArg = Exprs.pointee(Exprs.typeOf(first.arg(1)));
        assertThat(keyArg.spelling()).isEqualTo("struct key");
    }

    @Test
    void writesIntoALocalBeforeAPoint() {
        FunctionBody b = body("int prog(struct xdp_md *ctx) {\n  struct key k;\n  k.proto = 6;\n"
                + "  k.addr = ctx->data;\n  k.port++;\n  bpf_map_lookup_elem(&flows, &k);\n"
                + "  __builtin_memset(&k, 0, sizeof(k));\n  memset(&k.addr, 0, 4);\n"
                + "  bpf_probe_read_kernel(&k, sizeof(k), ctx);\n  k = (struct key){};\n"
                + "  bpf_map_delete_elem(&flows, &k);\n  return 0;\n}\n");
        Local k = local(b, "k");
        CallSite lookup = call(b, "bpf_map_lookup_elem");
        assertThat(b.writesBefore(k, lookup.index())).extracting(Write::kind, Write::member)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Write.Kind.MEMBER_STORE, "proto"),
                        org.assertj.core.groups.Tuple.tuple(Write.Kind.MEMBER_STORE, "addr"),
                        org.assertj.core.groups.Tuple.tuple(Write.Kind.MEMBER_STORE, "port"));
        CallSite delete = call(b, "bpf_map_delete_elem");
        assertThat(b.writesBefore(k, delete.index())).extracting(Write::kind).containsExactly(
                Write.Kind.MEMBER_STORE, Write.Kind.MEMBER_STORE, Write.Kind.MEMBER_STORE,
                Write.Kind.ESCAPE /* the lookup: the caller decides it only reads */, Write.Kind.MEMSET,
                Write.Kind.PARTIAL_MEMSET, Write.Kind.ESCAPE, Write.Kind.WHOLE_ASSIGN);
    }

    @Test
    void blocksScopeTheirLocals() {
        FunctionBody b = body("int prog(void *ctx) {\n  __u32 k = 1;\n  if (ctx) {\n    struct key k = {};\n"
                + "    bpf_map_lookup_elem(&flows, &k);\n  }\n  bpf_map_delete_elem(&flows, &k);\n"
                + "  for (int i = 0; i < 4; i++) { }\n  return 0;\n}\n");
        Expr inner = call(b, "bpf_map_lookup_elem").call().arg(1);
        Expr outer = call(b, "bpf_map_delete_elem").call().arg(1);
        assertThat(Exprs.pointee(Exprs.typeOf(inner)).spelling()).isEqualTo("struct key");
        assertThat(Exprs.pointee(Exprs.typeOf(outer)).spelling()).isEqualTo("__u32");
        assertThat(local(b, "i").scopeEnd()).isLessThan(b.function().body().size());
    }

    @Test
    void membersAndSizeofAndCasts() {
        FunctionBody b = body("struct wrap { struct key k; __u32 n; };\n"
                + "int prog(struct wrap *w) {\n  struct wrap copy = {};\n"
                + "  bpf_map_lookup_elem(&flows, &w->k);\n  bpf_map_lookup_elem(&flows, (void *)&copy.k);\n"
                + "  bpf_map_update_elem(&flows, &copy.k, &copy.n, sizeof(struct key) - 12);\n  return 0;\n}\n");
        List<CallSite> lookups = b.calls().stream().filter(c -> c.callee().equals("bpf_map_lookup_elem")).toList();
        assertThat(Exprs.pointee(Exprs.typeOf(lookups.get(0).call().arg(1))).spelling()).isEqualTo("struct key");
        assertThat(Exprs.addressedLocal(lookups.get(0).call().arg(1))).isNull();
        assertThat(Exprs.addressedLocal(lookups.get(1).call().arg(1))).isSameAs(local(b, "copy"));
        assertThat(Exprs.addressesWholeLocal(lookups.get(1).call().arg(1))).isFalse();
        Expr.Call update = call(b, "bpf_map_update_elem").call();
        assertThat(Exprs.constantValue(update.arg(3))).hasValue(0);
        assertThat(Exprs.typeOf(update.arg(2)).spelling()).isEqualTo("__u32 *");
    }

    @Test
    void macrosAndStatementExpressionsAreReadThrough() {
        FunctionBody b = body("#define LOOKUP(k) bpf_map_lookup_elem(&flows, &(k))\n"
                + "#define ZERO(x) ({ __builtin_memset(&(x), 0, sizeof(x)); 0; })\n"
                + "int prog(void *ctx) {\n  struct key k;\n  ZERO(k);\n  struct val *v = LOOKUP(k);\n"
                + "  asm volatile(\"\" ::: \"memory\");\n  return v ? 1 : 0;\n}\n");
        Local k = local(b, "k");
        CallSite lookup = call(b, "bpf_map_lookup_elem");
        assertThat(lookup.calleeSpan().range().startLine()).isEqualTo(HEAD.split("\n", -1).length - 1 + 5);
        assertThat(b.writesBefore(k, lookup.index())).extracting(Write::kind).containsExactly(Write.Kind.MEMSET);
        assertThat(lookup.resultUse().type().spelling()).isEqualTo("struct val *");
    }

    @Test
    void brokenStatementsAreSkippedAndTheRestIsRead() {
        FunctionBody b = body("int prog(void *ctx) {\n  struct key k = {.proto = };\n  x = (1 + ;\n  ) ) ] ;\n  { int ( ; }\n"
                + "  struct key j = {};\n  bpf_map_lookup_elem(&flows, &j);\n  return 0;\n}\n");
        assertThat(b.locals()).extracting(Local::name).contains("j");
        assertThat(Exprs.addressedLocal(call(b, "bpf_map_lookup_elem").call().arg(1))).isSameAs(local(b, "j"));
    }

    @Test
    void statementsOfEachBlockAndMemberPaths() {
        FunctionBody b = body("struct deep { struct key arr[2]; __u32 n; };\n"
                + "int prog(void *ctx) {\n  struct deep d;\n  if (ctx) {\n    d.arr[1].port = 2;\n  }\n"
                + "  d.n = 1;\n  bpf_map_lookup_elem(&flows, &d.arr[0]);\n  return 0;\n}\n");
        Local d = local(b, "d");
        assertThat(d.block()).isZero();
        CallSite lookup = call(b, "bpf_map_lookup_elem");
        List<Write> writes = b.writesBefore(d, lookup.index());
        assertThat(writes).extracting(Write::member).containsExactly("arr[].port", "n");
        // the first store is inside the if: the statement of d's block holding it is the whole if
        FunctionBody.Statement st = b.statementContaining(d.block(), writes.get(0).span().start());
        assertThat(b.function().body().get(st.span().start()).text()).isEqualTo("if");
        assertThat(b.statementContaining(d.block(), writes.get(1).span().start()).span().start())
                .isEqualTo(writes.get(1).span().start());
        assertThat(b.statements()).extracting(FunctionBody.Statement::block).contains(0, 1);
    }
}
