package io.htablab.hashtab.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The attr layouts and constants, checked without calling the kernel. */
class BpfTest {

    @Test
    void syscallNumbersPerArchitecture() {
        assertThat(Bpf.syscallNumber("amd64")).isEqualTo(321);
        assertThat(Bpf.syscallNumber("x86_64")).isEqualTo(321);
        assertThat(Bpf.syscallNumber("aarch64")).isEqualTo(280);
        assertThat(Bpf.syscallNumber("riscv64")).isEqualTo(280);
        assertThat(Bpf.syscallNumber("s390x")).isEqualTo(351);
        assertThat(Bpf.syscallNumber("ppc64le")).isEqualTo(361);
        assertThat(Bpf.syscallNumber("sparcv9")).isEqualTo(-1);
    }

    @Test
    void mapCreateAttrLayout() {
        Memory a = Bpf.mapCreateAttr(9, 13, 6, 100, 0x42, 1, "a_very_long_map_name");
        assertThat(a.size()).isEqualTo(72);
        assertThat(a.getInt(0)).isEqualTo(9);
        assertThat(a.getInt(4)).isEqualTo(13);
        assertThat(a.getInt(8)).isEqualTo(6);
        assertThat(a.getInt(12)).isEqualTo(100);
        assertThat(a.getInt(16)).isEqualTo(0x42);
        assertThat(a.getInt(20)).isZero();
        assertThat(a.getInt(24)).isEqualTo(1);
        // 15 name bytes and a NUL: the kernel's BPF_OBJ_NAME_LEN
        assertThat(new String(a.getByteArray(28, 16), StandardCharsets.US_ASCII)).isEqualTo("a_very_long_map\0");
        for (int off = 44; off < 72; off++) {
            assertThat(a.getByte(off)).as("byte %d", off).isZero();
        }
    }

    @Test
    void mapCreateWithBtfAndBtfLoadAttrLayouts() {
        Memory a = Bpf.mapCreateAttr(1, 4, 40, 8, 0, 0, "m", 7, 2, 5);
        assertThat(a.size()).isEqualTo(72);
        assertThat(a.getInt(48)).isEqualTo(7);
        assertThat(a.getInt(52)).isEqualTo(2);
        assertThat(a.getInt(56)).isEqualTo(5);
        assertThat(a.getInt(60)).as("btf_vmlinux_value_type_id stays 0").isZero();
        Memory blob = Bpf.zeroed(30);
        Memory log = Bpf.zeroed(100);
        Memory l = Bpf.btfLoadAttr(blob, 30, log, 100, 1);
        assertThat(l.size()).isEqualTo(32);
        assertThat(l.getLong(0)).isEqualTo(Pointer.nativeValue(blob));
        assertThat(l.getLong(8)).isEqualTo(Pointer.nativeValue(log));
        assertThat(l.getInt(16)).isEqualTo(30);
        assertThat(l.getInt(20)).isEqualTo(100);
        assertThat(l.getInt(24)).isEqualTo(1);
        assertThat(l.getInt(28)).isZero();
    }

    @Test
    void batchAttrLayoutAndCount() {
        Memory in = Bpf.zeroed(8);
        Memory keys = Bpf.zeroed(8);
        Memory a = Bpf.batchAttr(in, null, keys, null, 7, 11, 4, 0);
        assertThat(a.size()).isEqualTo(56);
        assertThat(a.getLong(0)).isEqualTo(Pointer.nativeValue(in));
        assertThat(a.getLong(8)).isZero();
        assertThat(a.getLong(16)).isEqualTo(Pointer.nativeValue(keys));
        assertThat(a.getLong(24)).isZero();
        assertThat(a.getInt(32)).isEqualTo(7);
        assertThat(a.getInt(36)).isEqualTo(11);
        assertThat(a.getLong(40)).isEqualTo(4);
        assertThat(a.getLong(48)).isZero();
        a.setInt(32, -1);
        assertThat(Bpf.batchCount(a)).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void elemInfoProgLoadAndTestRunLayouts() {
        Memory k = Bpf.zeroed(4);
        Memory e = Bpf.elemAttr(3, k, null, 2);
        assertThat(e.size()).isEqualTo(32);
        assertThat(e.getInt(0)).isEqualTo(3);
        assertThat(e.getLong(8)).isEqualTo(Pointer.nativeValue(k));
        assertThat(e.getLong(16)).isZero();
        assertThat(e.getLong(24)).isEqualTo(2);

        Memory info = Bpf.zeroed(40);
        Memory i = Bpf.objGetInfoAttr(5, info, 40);
        assertThat(i.getInt(0)).isEqualTo(5);
        assertThat(i.getInt(4)).isEqualTo(40);
        assertThat(i.getLong(8)).isEqualTo(Pointer.nativeValue(info));

        Memory p = Bpf.progLoadAttr(3, k, 2, info, 1, k, 4096);
        assertThat(p.getInt(0)).isEqualTo(3);
        assertThat(p.getInt(4)).isEqualTo(2);
        assertThat(p.getLong(8)).isEqualTo(Pointer.nativeValue(k));
        assertThat(p.getLong(16)).isEqualTo(Pointer.nativeValue(info));
        assertThat(p.getInt(24)).isEqualTo(1);
        assertThat(p.getInt(28)).isEqualTo(4096);
        assertThat(p.getLong(32)).isEqualTo(Pointer.nativeValue(k));

        Memory t = Bpf.progTestRunAttr(8, k, 64);
        assertThat(t.getInt(0)).isEqualTo(8);
        assertThat(t.getInt(8)).isEqualTo(64);
        assertThat(t.getLong(16)).isEqualTo(Pointer.nativeValue(k));
    }

    @Test
    void cpuListParsing() {
        assertThat(KernelBackend.parseCpuList("0-1\n")).containsExactly(0, 1);
        assertThat(KernelBackend.parseCpuList("0")).containsExactly(0);
        assertThat(KernelBackend.parseCpuList("0-2,5,7-8")).containsExactly(0, 1, 2, 5, 7, 8);
    }
}
