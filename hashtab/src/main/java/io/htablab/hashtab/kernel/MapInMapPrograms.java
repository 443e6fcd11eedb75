package io.htablab.hashtab.kernel;

import io.htablab.hashtab.cfront.btf.BtfKind;
import io.htablab.hashtab.cfront.btf.BtfMember;
import io.htablab.hashtab.cfront.btf.BtfReader;
import io.htablab.hashtab.cfront.btf.BtfType;
import java.io.IOException;

/**
 * The SCHED_CLS programs behind {@code prog_lookup} on a hash_of_maps map. A program's bpf_map_lookup_elem on a map
 * of maps returns the inner map itself (the verifier types it as a map pointer of the template); these programs
 * either read that map's id (a plain load from {@code struct bpf_map}, which the verifier allows through the kernel's
 * BTF for CAP_PERFMON callers), or look a key up in it. Scratch layout (one-element ARRAY map, as
 * {@link HelperPrograms}): {@code [0,8)} result word (1 found, 0 missed), {@code [8, 8+K8)} the outer key, then
 * either the inner map's u32 id, or the inner key ({@code IK8} bytes) followed by the inner value.
 */
final class MapInMapPrograms {

    static final long FOUND = 1;
    static final long MISSED = 0;

    private static final int R0 = 0;
    private static final int R1 = 1;
    private static final int R2 = 2;
    private static final int R6 = 6;
    private static final int R7 = 7;
    private static final int R9 = 9;

    private static volatile int bpfMapIdOffset = -1;

    private MapInMapPrograms() {
    }

    static int keyOffset() {
        return 8;
    }

    /** Where the inner map id (id program) or the inner key (inner-lookup program) goes. */
    static int afterKey(int keySize) {
        return 8 + HelperPrograms.round8(keySize);
    }

    static int innerValueOffset(int keySize, int innerKeySize) {
        return afterKey(keySize) + HelperPrograms.round8(innerKeySize);
    }

    static int idScratchSize(int keySize) {
        return afterKey(keySize) + 8;
    }

    static int innerScratchSize(int keySize, int innerKeySize, int innerValueSize) {
        return innerValueOffset(keySize, innerKeySize) + HelperPrograms.round8(innerValueSize);
    }

    /**
     * offsetof(struct bpf_map, id) on the running kernel, from /sys/kernel/btf/vmlinux (read once).
     *
     * @throws IOException when the kernel's BTF cannot be read or has no such member
     */
    static int bpfMapIdOffset() throws IOException {
        int off = bpfMapIdOffset;
        if (off >= 0) {
            return off;
        }
        BtfReader vmlinux = BtfReader.vmlinux();
        int id = vmlinux.findByName("bpf_map", BtfKind.STRUCT);
        if (id < 0) {
            throw new IOException("the kernel's BTF has no struct bpf_map");
        }
        BtfType t = vmlinux.type(id);
        for (BtfMember m : t.members()) {
            if (m.name().equals("id")) {
                off = (int) (m.bitOffset() / 8);
                bpfMapIdOffset = off;
                return off;
            }
        }
        throw new IOException("struct bpf_map in the kernel's BTF has no member id");
    }

    /** lookup(outer, key) and, when found, the inner map's id into the scratch value. */
    static BpfAssembler lookupId(int outerFd, int scratchFd, int keySize, int idOffset) {
        BpfAssembler found = new BpfAssembler()
                .ldx(4, R1, R0, idOffset)
                .stx(4, R9, R1, afterKey(keySize))
                .movImm(R1, (int) FOUND).stx(8, R9, R1, 0)
                .movImm(R0, 0).exit();
        return new BpfAssembler()
                .ldMapValue(R9, scratchFd, 0)
                .ldMapFd(R1, outerFd)
                .movReg(R2, R9).addImm(R2, keyOffset())
                .call(HelperPrograms.BPF_FUNC_MAP_LOOKUP_ELEM)
                .jeqImm(R0, 0, found.length())
                .append(found)
                .movImm(R1, (int) MISSED).stx(8, R9, R1, 0)
                .movImm(R0, 0).exit();
    }

    /** lookup(outer, key), then lookup(inner, innerKey) in the map it returned, copying the inner value out. */
    static BpfAssembler lookupInner(int outerFd, int scratchFd, int keySize, int innerKeySize, int innerValueSize) {
        BpfAssembler miss = new BpfAssembler()
                .movImm(R1, (int) MISSED).stx(8, R9, R1, 0)
                .movImm(R0, 0).exit();
        BpfAssembler gotValue = new BpfAssembler()
                .movReg(R6, R0)
                .movReg(R7, R9).addImm(R7, innerValueOffset(keySize, innerKeySize))
                .copy(R7, R6, R1, innerValueSize)
                .movImm(R1, (int) FOUND).stx(8, R9, R1, 0)
                .movImm(R0, 0).exit();
        BpfAssembler gotMap = new BpfAssembler()
                .movReg(R1, R0)
                .movReg(R2, R9).addImm(R2, afterKey(keySize))
                .call(HelperPrograms.BPF_FUNC_MAP_LOOKUP_ELEM)
                .jeqImm(R0, 0, gotValue.length())
                .append(gotValue);
        return new BpfAssembler()
                .ldMapValue(R9, scratchFd, 0)
                .ldMapFd(R1, outerFd)
                .movReg(R2, R9).addImm(R2, keyOffset())
                .call(HelperPrograms.BPF_FUNC_MAP_LOOKUP_ELEM)
                .jeqImm(R0, 0, gotMap.length())
                .append(gotMap)
                .append(miss);
    }
}
