package io.htablab.hashtab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.btf.BtfEncoder;
import io.htablab.hashtab.cfront.btf.BtfMember;
import io.htablab.hashtab.cfront.btf.MapBtfs;
import io.htablab.hashtab.cfront.btf.SpecialStructs;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.EngineBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * BPF_MAP_CREATE with BTF, engine verdict == live kernel verdict: every special field kind the kernel accepts in a map
 * value, in each of the four map types, with no flag, rdonly_prog, wronly_prog and no_prealloc; then size mismatches,
 * a missing key type, duplicate, nested, array, typedef'd and misaligned fields, and types BPF_BTF_LOAD refuses. After
 * each create both sides also answer an F_LOCK update, which shows whether they found the same spin lock.
 */
class BtfCreateVerdictTest {

    private static KernelBackend kernel;

    @BeforeAll
    static void open() throws Exception {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, "bpf() refused here (" + refused + "); skipping the kernel comparison");
        kernel = new KernelBackend();
    }

    @AfterAll
    static void close() {
        if (kernel != null) {
            kernel.close();
        }
    }

    private record Case(String what, MapType type, int flags, HtabAttr attr, MapBtfs.Encoded btf) {
    }

    private static final List<MapType> TYPES = List.of(MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH,
            MapType.LRU_PERCPU_HASH);
    private static final int[] FLAGS = {0, MapFlag.RDONLY_PROG.bit(), MapFlag.WRONLY_PROG.bit(), MapFlag.NO_PREALLOC.bit()};

    static CFrontResult parse(String c) {
        return CFront.parse("verdict.c", SpecialStructs.C_DECLARATIONS + c);
    }

    static MapBtfs.Encoded fromC(String c, String key, String value) {
        CFrontResult r = parse(c);
        return MapBtfs.encode(type(r, key), type(r, value));
    }

    private static CType type(CFrontResult r, String spelling) {
        if (spelling == null) {
            return null;
        }
        if (spelling.startsWith("struct ")) {
            return r.types().struct(spelling.substring(7));
        }
        return r.types().typedef(spelling);
    }

    /** Compares engine and kernel on one create (and an F_LOCK update when both created the map). */
    private static String verdict(Case c, List<String> mismatches) {
        Backend engine = new EngineBackend();
        HtabAttr withBtf = c.attr.withBtf(c.btf.mapBtf());
        Backend.Created e = engine.create("v", withBtf, c.btf);
        Backend.Created k = kernel.create("v", c.attr, c.btf);
        String line = c.what + " " + c.type + " flags=0x" + Integer.toHexString(c.flags) + ": engine " + e.errno()
                + " kernel " + k.errno();
        if (e.errno() != k.errno()) {
            mismatches.add(line + " (engine reason: " + c.btf.mapBtf() + ")");
        } else if (e.errno() == Errno.OK) {
            byte[] key = new byte[(int) c.attr.keySize()];
            int userValue = c.type.isPercpu() ? (int) (((c.attr.valueSize() + 7) & ~7) * 2) : (int) c.attr.valueSize();
            byte[] value = new byte[userValue];
            Errno el = engine.update(e.map(), key, value, ElemFlag.BPF_F_LOCK);
            Errno kl = kernel.update(k.map(), key, value, ElemFlag.BPF_F_LOCK);
            if (el != kl) {
                mismatches.add(line + ": F_LOCK update engine " + el + " kernel " + kl);
            }
        }
        if (k.map() != null) {
            kernel.close(k.map());
        }
        engine.close();
        return line;
    }

    private static HtabAttr attr(MapType type, int flags, MapBtfs.Encoded btf) {
        long k = Math.max(btf.mapBtf().keyTypeSize(), 4);
        long v = Math.max(btf.mapBtf().valueTypeSize(), 1);
        return new HtabAttr(type, k, v, 4, flags);
    }

    @Test
    void everyFieldKindInEveryMapTypeWithEveryFlag() {
        assumeTrue(kernel.possibleCpus() == 2 || true);
        List<MapBtfs.Encoded> values = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String s : List.of("bpf_spin_lock", "bpf_res_spin_lock", "bpf_timer", "bpf_wq", "bpf_task_work", "bpf_refcount")) {
            values.add(fromC("struct v { __u64 a; struct " + s + " f; __u64 b; };", "__u32", "struct v"));
            names.add(s);
        }
        for (String tag : List.of("kptr", "kptr_untrusted", "percpu_kptr", "uptr")) {
            values.add(kptrValue(tag, "local_obj"));
            names.add(tag + " to a program struct");
        }
        values.add(kptrValue("kptr", "task_struct"));
        names.add("kptr to task_struct");
        values.add(listHeadValue());
        names.add("bpf_list_head with bpf_spin_lock");
        values.add(fromC("struct v { __u64 a; struct bpf_spin_lock l; struct bpf_timer t; };", "__u32", "struct v"));
        names.add("spin lock and timer");

        List<String> mismatches = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < values.size(); i++) {
            for (MapType t : TYPES) {
                for (int f : FLAGS) {
                    verdict(new Case(names.get(i), t, f, attr(t, f, values.get(i)), values.get(i)), mismatches);
                    n++;
                }
            }
        }
        assertThat(mismatches).as("of %d creates", n).isEmpty();
    }

    @Test
    void sizesKeyTypeDuplicatesAndLayouts() {
        List<String> mismatches = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        MapBtfs.Encoded lock = fromC("struct v { struct bpf_spin_lock l; __u32 x; };", "__u32", "struct v");
        lines.add(verdict(new Case("value size 12 for an 8-byte type", MapType.HASH, 0,
                new HtabAttr(MapType.HASH, 4, 12, 4, 0), lock), mismatches));
        lines.add(verdict(new Case("key size 8 for a 4-byte type", MapType.HASH, 0,
                new HtabAttr(MapType.HASH, 8, 8, 4, 0), lock), mismatches));
        MapBtfs.Encoded noKey = fromC("struct v { struct bpf_spin_lock l; __u32 x; };", null, "struct v");
        lines.add(verdict(new Case("no key type", MapType.HASH, 0, new HtabAttr(MapType.HASH, 4, 8, 4, 0), noKey),
                mismatches));
        for (String[] c : new String[][] {
                {"two spin locks", "struct v { struct bpf_spin_lock a; struct bpf_spin_lock b; };"},
                {"two timers", "struct v { struct bpf_timer a; struct bpf_timer b; };"},
                {"an array of two timers", "struct v { struct bpf_timer a[2]; };"},
                {"an array of one spin lock", "struct v { struct bpf_spin_lock a[1]; __u32 x; };"},
                {"an array of two spin locks", "struct v { struct bpf_spin_lock a[2]; };"},
                {"a bit-field beside a spin lock", "struct v { int a:3; int b:5; struct bpf_spin_lock l; };"},
                {"a bit-field beside a timer", "struct v { int a:3; int b:5; struct bpf_timer t; };"},
                {"a misaligned spin lock", "struct v { char c; struct bpf_spin_lock l; } __attribute__((packed));"},
                {"a misaligned timer", "struct v { __u32 c; struct bpf_timer t; } __attribute__((packed));"},
                {"both spin lock kinds", "struct v { struct bpf_spin_lock l; struct bpf_res_spin_lock r; };"},
                {"a nested spin lock", "struct i { struct bpf_spin_lock l; }; struct v { __u32 x; struct i in; };"},
                {"spin locks at two levels", "struct i { struct bpf_spin_lock l; }; struct v { struct bpf_spin_lock a; struct i in; };"},
                {"an array of structs with a timer", "struct i { struct bpf_timer t; }; struct v { struct i in[2]; };"},
                {"a typedef'd spin lock", "typedef struct bpf_spin_lock lock_t; struct v { lock_t l; __u32 x; };"},
                {"a list head without contains", "struct v { struct bpf_list_head h; struct bpf_spin_lock l; };"},
                {"a union of a lock and an int", "union u { struct bpf_spin_lock l; __u32 x; }; struct v { union u a; __u32 b; };"},
                {"a spin lock in a union value", "struct v2 { __u32 x; }; union w { struct bpf_spin_lock l; __u64 x; };"},
                {"a user struct named bpf_timer of another size", "struct bpf_timer { __u32 x; }; struct v { struct bpf_timer t; };"},
        }) {
            String value = c[1].contains("union w") ? "union w" : "struct v";
            MapBtfs.Encoded e = value.equals("union w") ? unionValue(c[1]) : fromC(c[1], "__u32", "struct v");
            for (MapType t : List.of(MapType.HASH, MapType.LRU_HASH)) {
                lines.add(verdict(new Case(c[0], t, 0, attr(t, 0, e), e), mismatches));
            }
        }
        for (String[] k : new String[][] {{"an unknown pointer tag", "foo", "1", "s"}, {"an array of three kptrs", "kptr", "3", "s"},
                {"a kptr to an int", "kptr", "1", "int"}, {"twelve kptrs", "kptr", "12", "s"},
                {"two tags on one pointer", "kptr,kptr_untrusted", "1", "s"}, {"an array of three percpu kptrs", "percpu_kptr", "3", "s"}}) {
            MapBtfs.Encoded e = kptrArray(k[1], Integer.parseInt(k[2]), k[3].equals("int"));
            for (MapType t : List.of(MapType.HASH, MapType.LRU_PERCPU_HASH)) {
                lines.add(verdict(new Case(k[0], t, 0, attr(t, 0, e), e), mismatches));
                lines.add(verdict(new Case(k[0], t, MapFlag.WRONLY_PROG.bit(), attr(t, MapFlag.WRONLY_PROG.bit(), e), e),
                        mismatches));
            }
        }
        MapBtfs.Encoded u64 = fromC("", "__u32", "__u64");
        lines.add(verdict(new Case("a __u64 value", MapType.HASH, MapFlag.RDONLY_PROG.bit(),
                attr(MapType.HASH, MapFlag.RDONLY_PROG.bit(), u64), u64), mismatches));
        assertThat(mismatches).as(String.join("\n", lines)).isEmpty();
    }

    private static MapBtfs.Encoded unionValue(String c) {
        CFrontResult r = parse(c);
        return MapBtfs.encode(r.types().typedef("__u32"), r.types().union("w"));
    }

    /** struct v { __u64 a; struct T __tag(TAG) *p; } built by hand: cfront keeps no type tags. */
    static MapBtfs.Encoded kptrValue(String tag, String target) {
        BtfEncoder e = new BtfEncoder();
        int u32 = e.addInt("unsigned int", 4, 0);
        int u64 = e.addInt("unsigned long long", 8, 0);
        int obj = target.equals("task_struct") ? e.addFwd("task_struct", false)
                : e.addStruct(target, 8, List.of(new BtfMember("x", u64, 0, 0)));
        int ptr = e.addPtr(e.addTypeTag(tag, obj));
        int v = e.addStruct("v", 16, List.of(new BtfMember("a", u64, 0, 0), new BtfMember("p", ptr, 64, 0)));
        return MapBtfs.fromBlob(e.toBytes(), u32, v);
    }

    /** struct v { __u64 a; T __tag(TAGS...) *p[n]; } with the tags in the order given, built by hand. */
    static MapBtfs.Encoded kptrArray(String tags, int n, boolean toInt) {
        BtfEncoder e = new BtfEncoder();
        int u32 = e.addInt("unsigned int", 4, 0);
        int u64 = e.addInt("unsigned long long", 8, 0);
        int idx = e.addInt("__ARRAY_SIZE_TYPE__", 4, 0);
        int target = toInt ? e.addInt("int", 4, BtfEncoder.INT_SIGNED)
                : e.addStruct("obj", 8, List.of(new BtfMember("x", u64, 0, 0)));
        String[] t = tags.split(",");
        for (int i = t.length - 1; i >= 0; i--) {
            target = e.addTypeTag(t[i], target);
        }
        int ptr = e.addPtr(target);
        int member = n == 1 ? ptr : e.addArray(ptr, idx, n);
        int v = e.addStruct("v", 8 + 8L * n, List.of(new BtfMember("a", u64, 0, 0), new BtfMember("p", member, 64, 0)));
        return MapBtfs.fromBlob(e.toBytes(), u32, v);
    }

    /** struct foo { __u64 x; struct bpf_list_node node; }; struct v { bpf_spin_lock l; bpf_list_head h __contains(foo, node); }. */
    static MapBtfs.Encoded listHeadValue() {
        BtfEncoder e = new BtfEncoder();
        int u32 = e.addInt("unsigned int", 4, 0);
        int u64 = e.addInt("unsigned long long", 8, 0);
        int idx = e.addInt("__ARRAY_SIZE_TYPE__", 4, 0);
        int lock = e.addStruct("bpf_spin_lock", 4, List.of(new BtfMember("val", u32, 0, 0)));
        int head = e.addStruct("bpf_list_head", 16, List.of(new BtfMember("__opaque", e.addArray(u64, idx, 2), 0, 0)));
        int node = e.addStruct("bpf_list_node", 24, List.of(new BtfMember("__opaque", e.addArray(u64, idx, 3), 0, 0)));
        e.addStruct("foo", 32, List.of(new BtfMember("x", u64, 0, 0), new BtfMember("node", node, 64, 0)));
        int v = e.addStruct("v", 24, List.of(new BtfMember("l", lock, 0, 0), new BtfMember("h", head, 64, 0)));
        e.addDeclTag("contains:foo:node", v, 1);
        return MapBtfs.fromBlob(e.toBytes(), u32, v);
    }
}
