package io.htablab.hashtab.cfront.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BtfReader on the encoder's blobs (every kind) and on the kernel's own BTF, checked against bpftool. */
class BtfReaderTest {

    @TempDir
    Path tmp;

    /** One of every kind the encoder can write, as a program would need them. */
    static BtfEncoder everyKind() {
        BtfEncoder e = new BtfEncoder();
        int u32 = e.addInt("unsigned int", 4, 0);
        int s64 = e.addInt("long long", 8, BtfEncoder.INT_SIGNED);
        int chr = e.addInt("char", 1, BtfEncoder.INT_SIGNED);
        int bool = e.addInt("_Bool", 1, BtfEncoder.INT_BOOL);
        int idx = e.addInt("__ARRAY_SIZE_TYPE__", 4, 0);
        int arr = e.addArray(chr, idx, 16);
        int fwd = e.addFwd("task_struct", false);
        int tag = e.addTypeTag("kptr", fwd);
        int kptr = e.addPtr(tag);
        int cst = e.addConst(u32);
        int vol = e.addVolatile(s64);
        int tdef = e.addTypedef("__u32", u32);
        int res = e.addRestrict(e.addPtr(chr));
        int en = e.addEnum("e32", 4, true, orderedMap("A", -1L, "B", 7L));
        int en64 = e.addEnum("e64", 8, false, orderedMap("BIG", 0x1_0000_0002L));
        int st = e.addStruct("s", 48, List.of(new BtfMember("a", tdef, 0, 0), new BtfMember("flags", u32, 32, 3),
                new BtfMember("b", bool, 40, 0), new BtfMember("name", arr, 48, 0), new BtfMember("p", kptr, 192, 0),
                new BtfMember("c", cst, 256, 0), new BtfMember("v", vol, 320, 0)));
        e.addUnion("u", 8, List.of(new BtfMember("x", u32, 0, 0), new BtfMember("y", s64, 0, 0)));
        int proto = e.addFuncProto(u32, List.of(new BtfParam("ctx", e.addPtr(st)), new BtfParam("r", res)), false);
        e.addFunc("prog", proto, BtfEncoder.LINKAGE_GLOBAL);
        e.addFuncProto(0, List.of(new BtfParam("", u32)), true);
        e.addDeclTag("contains:s:a", st, 0);
        int var = e.addVar("counter", en, BtfEncoder.LINKAGE_GLOBAL);
        e.addDatasec(".bss", 4, List.of(new BtfVarSecinfo(var, 0, 4)));
        e.addFloat("double", 8);
        e.addStruct("uses_e64", 8, List.of(new BtfMember("e", en64, 0, 0)));
        return e;
    }

    private static Map<String, Long> orderedMap(Object... kv) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Long) kv[i + 1]);
        }
        return m;
    }

    @Test
    void roundTripsEveryKind() {
        BtfEncoder e = everyKind();
        BtfReader r = BtfReader.parse(e.toBytes());
        assertThat(r.typeCount()).isEqualTo(e.typeCount());
        int s = r.findByName("s", BtfKind.STRUCT);
        assertThat(s).isEqualTo(e.typeId("struct s"));
        BtfType st = r.type(s);
        assertThat(st.kindFlag()).as("a record with a bit-field has kind_flag").isTrue();
        assertThat(st.size()).isEqualTo(48);
        assertThat(st.members()).extracting(BtfMember::name).containsExactly("a", "flags", "b", "name", "p", "c", "v");
        assertThat(st.members().get(1).bitfieldSize()).isEqualTo(3);
        assertThat(st.members().get(1).bitOffset()).isEqualTo(32);
        assertThat(r.describe(st.members().get(4).type())).isEqualTo("struct task_struct __tag(kptr) *");
        assertThat(r.describe(st.members().get(3).type())).isEqualTo("char[16]");
        assertThat(r.describe(st.members().get(5).type())).isEqualTo("const unsigned int");
        assertThat(r.typeIdSize(st.members().get(3).type())).isEqualTo(16);
        assertThat(r.typeIdSize(st.members().get(0).type())).isEqualTo(4);
        assertThat(r.typeIdSize(r.findByName("task_struct", BtfKind.FWD))).isEqualTo(-1);
        assertThat(r.skipModifiers(st.members().get(5).type(), false)).isEqualTo(r.findByName("unsigned int", BtfKind.INT));

        BtfType en = r.type(r.findByName("e32", BtfKind.ENUM));
        assertThat(en.kindFlag()).isTrue();
        assertThat(en.enumerators()).containsExactly(new BtfEnumerator("A", -1), new BtfEnumerator("B", 7));
        BtfType en64 = r.type(r.findByName("e64", BtfKind.ENUM64));
        assertThat(en64.enumerators()).containsExactly(new BtfEnumerator("BIG", 0x1_0000_0002L));
        BtfType func = r.type(r.findByName("prog", BtfKind.FUNC));
        assertThat(func.linkage()).isEqualTo(BtfEncoder.LINKAGE_GLOBAL);
        BtfType proto = r.type(func.type());
        assertThat(proto.params()).extracting(BtfParam::name).containsExactly("ctx", "r");
        assertThat(r.type(r.findByName("counter", BtfKind.VAR)).linkage()).isEqualTo(1);
        BtfType sec = r.type(r.findByName(".bss", BtfKind.DATASEC));
        assertThat(sec.secinfos()).containsExactly(new BtfVarSecinfo(r.findByName("counter", BtfKind.VAR), 0, 4));
        int tagId = r.findByName("contains:s:a", BtfKind.DECL_TAG);
        assertThat(r.type(tagId).declTagComponent()).isZero();
        assertThat(r.findByName("nope", BtfKind.STRUCT)).isEqualTo(-1);
    }

    @Test
    void theKernelLoadsEveryKind() throws Exception {
        BtfEncoderTest.assertKernelLoads(everyKind().toBytes(), "every kind");
    }

    @Test
    void refusesBlobsThatAreNotBtf() {
        assertThatThrownBy(() -> BtfReader.parse(new byte[] {1, 2, 3})).isInstanceOf(BtfFormatException.class);
        byte[] good = everyKind().toBytes();
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 200);
        assertThatThrownBy(() -> BtfReader.parse(truncated)).isInstanceOf(BtfFormatException.class);
    }

    /**
     * The kernel's BTF read by the reader gives the ids, kinds and sizes bpftool shows for well-known types (special
     * field structs, kfuncs the harness looks up, a big struct).
     */
    @Test
    void findsKnownTypesInVmlinux() throws Exception {
        assumeTrue(Files.isReadable(BtfReader.VMLINUX), "no /sys/kernel/btf/vmlinux on this machine; skipping");
        assumeTrue(BtfEncoderTest.tool("bpftool"), "bpftool not installed; skipping");
        Path dump = tmp.resolve("vmlinux.txt");
        new ProcessBuilder("bpftool", "btf", "dump", "file", BtfReader.VMLINUX.toString())
                .redirectOutput(dump.toFile()).start().waitFor();
        String text = Files.readString(dump);
        BtfReader r = BtfReader.vmlinux();
        int checked = 0;
        for (String[] want : List.of(new String[] {"STRUCT", "bpf_spin_lock"}, new String[] {"STRUCT", "bpf_timer"},
                new String[] {"STRUCT", "bpf_wq"}, new String[] {"STRUCT", "task_struct"},
                new String[] {"FUNC", "bpf_wq_init"}, new String[] {"FUNC", "bpf_wq_start"},
                new String[] {"FUNC", "htab_map_update_elem"}, new String[] {"TYPEDEF", "u32"})) {
            Matcher m = Pattern.compile("^\\[(\\d+)] " + want[0] + " '" + Pattern.quote(want[1]) + "'(.*)$", Pattern.MULTILINE)
                    .matcher(text);
            if (!m.find()) {
                continue; // not in this kernel's BTF
            }
            int id = Integer.parseInt(m.group(1));
            assertThat(r.findByName(want[1], BtfKind.valueOf(want[0]))).as(want[1]).isEqualTo(id);
            Matcher size = Pattern.compile("size=(\\d+)").matcher(m.group(2));
            if (size.find()) {
                assertThat(r.type(id).size()).as("size of %s", want[1]).isEqualTo(Long.parseLong(size.group(1)));
            }
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(5);
        Matcher last = Pattern.compile("^\\[(\\d+)] ", Pattern.MULTILINE).matcher(text);
        int max = 0;
        while (last.find()) {
            max = Math.max(max, Integer.parseInt(last.group(1)));
        }
        assertThat(r.typeCount()).isEqualTo(max);
    }
}
