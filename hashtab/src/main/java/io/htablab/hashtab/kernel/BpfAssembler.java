package io.htablab.hashtab.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A tiny eBPF assembler: just the instructions the harness's helper programs need. Jump offsets count
 * instruction slots (a ld_imm64 takes two), as the ISA defines them.
 */
public final class BpfAssembler {

    private final List<BpfInsn> insns = new ArrayList<>();

    /** Number of 8-byte instruction slots so far. */
    public int length() {
        return insns.size();
    }

    public List<BpfInsn> instructions() {
        return List.copyOf(insns);
    }

    public BpfAssembler emit(BpfInsn insn) {
        insns.add(insn);
        return this;
    }

    /** Appends everything another assembler produced. */
    public BpfAssembler append(BpfAssembler other) {
        insns.addAll(other.insns);
        return this;
    }

    /** {@code dst = imm} (64-bit, sign-extended). */
    public BpfAssembler movImm(int dst, int imm) {
        return emit(new BpfInsn(BpfInsn.BPF_ALU64 | BpfInsn.BPF_MOV | BpfInsn.BPF_K, dst, 0, 0, imm));
    }

    /** {@code dst = src} (64-bit). */
    public BpfAssembler movReg(int dst, int src) {
        return emit(new BpfInsn(BpfInsn.BPF_ALU64 | BpfInsn.BPF_MOV | BpfInsn.BPF_X, dst, src, 0, 0));
    }

    /** {@code dst += imm} (64-bit). */
    public BpfAssembler addImm(int dst, int imm) {
        return emit(new BpfInsn(BpfInsn.BPF_ALU64 | BpfInsn.BPF_ADD | BpfInsn.BPF_K, dst, 0, 0, imm));
    }

    /** The two-slot 64-bit immediate load; {@code src} selects a pseudo form (map fd, map value) or 0. */
    public BpfAssembler ldImm64(int dst, int src, int immLow, int immHigh) {
        emit(new BpfInsn(BpfInsn.BPF_LD | BpfInsn.BPF_IMM | BpfInsn.BPF_DW, dst, src, 0, immLow));
        return emit(new BpfInsn(0, 0, 0, 0, immHigh));
    }

    /** {@code dst = &map} for the verifier: the map is named by a descriptor of this process. */
    public BpfAssembler ldMapFd(int dst, int mapFd) {
        return ldImm64(dst, BpfInsn.BPF_PSEUDO_MAP_FD, mapFd, 0);
    }

    /** {@code dst = pointer into element 0 of an array map's value, at byte offset}. */
    public BpfAssembler ldMapValue(int dst, int mapFd, int offset) {
        return ldImm64(dst, BpfInsn.BPF_PSEUDO_MAP_VALUE, mapFd, offset);
    }

    /** {@code dst = *(size *)(src + off)}. */
    public BpfAssembler ldx(int size, int dst, int src, int off) {
        return emit(new BpfInsn(BpfInsn.BPF_LDX | BpfInsn.BPF_MEM | BpfInsn.sizeBits(size), dst, src, off, 0));
    }

    /** {@code *(size *)(dst + off) = src}. */
    public BpfAssembler stx(int size, int dst, int src, int off) {
        return emit(new BpfInsn(BpfInsn.BPF_STX | BpfInsn.BPF_MEM | BpfInsn.sizeBits(size), dst, src, off, 0));
    }

    /** Calls helper number {@code func}; arguments in r1..r5, result in r0. */
    public BpfAssembler call(int func) {
        return emit(new BpfInsn(BpfInsn.BPF_JMP | BpfInsn.BPF_CALL, 0, 0, 0, func));
    }

    /** {@code if dst == imm goto +off} (off counts slots after this one). */
    public BpfAssembler jeqImm(int dst, int imm, int off) {
        return emit(new BpfInsn(BpfInsn.BPF_JMP | BpfInsn.BPF_JEQ | BpfInsn.BPF_K, dst, 0, off, imm));
    }

    /** {@code if dst != src goto +off}. */
    public BpfAssembler jneReg(int dst, int src, int off) {
        return emit(new BpfInsn(BpfInsn.BPF_JMP | BpfInsn.BPF_JNE | BpfInsn.BPF_X, dst, src, off, 0));
    }

    /** {@code *(size *)(dst + off) = imm}. */
    public BpfAssembler stImm(int size, int dst, int off, int imm) {
        return emit(new BpfInsn(BpfInsn.BPF_ST | BpfInsn.BPF_MEM | BpfInsn.sizeBits(size), dst, 0, off, imm));
    }

    public BpfAssembler exit() {
        return emit(new BpfInsn(BpfInsn.BPF_JMP | BpfInsn.BPF_EXIT, 0, 0, 0, 0));
    }

    /**
     * Copies {@code bytes} from {@code [src]} to {@code [dst]} through {@code tmp}, widest accesses first.
     * Offsets are 16-bit, so for large copies both base registers are advanced as the copy goes.
     */
    public BpfAssembler copy(int dst, int src, int tmp, int bytes) {
        int base = 0;
        for (int i = 0; i < bytes; ) {
            int rest = bytes - i;
            int width = rest >= 8 ? 8 : rest >= 4 ? 4 : rest >= 2 ? 2 : 1;
            if (i - base + width > 32000) {
                addImm(src, i - base);
                addImm(dst, i - base);
                base = i;
            }
            ldx(width, tmp, src, i - base);
            stx(width, dst, tmp, i - base);
            i += width;
        }
        return this;
    }

    /** {@code *(size *)(dst + off) = imm}. */
    public BpfAssembler st(int size, int dst, int off, int imm) {
        return emit(new BpfInsn(BpfInsn.BPF_ST | BpfInsn.BPF_MEM | BpfInsn.sizeBits(size), dst, 0, off, imm));
    }

    /** {@code __sync_fetch_and_add((u64 *)(dst + off), src)}. */
    public BpfAssembler atomicAdd64(int dst, int src, int off) {
        return emit(new BpfInsn(BpfInsn.BPF_STX | BpfInsn.BPF_ATOMIC | BpfInsn.BPF_DW, dst, src, off,
                BpfInsn.BPF_ADD));
    }

    /** {@code dst = imm64}. */
    public BpfAssembler ldImm64(int dst, long imm) {
        return ldImm64(dst, 0, (int) imm, (int) (imm >>> 32));
    }

    /** {@code dst = &subprogram}, the subprogram starting {@code target} slots from the program's start. */
    public BpfAssembler ldFunc(int dst, int target) {
        int off = target - length() - 1;
        return ldImm64(dst, BpfInsn.BPF_PSEUDO_FUNC, off, 0);
    }

    /** Calls the kernel function with BTF id {@code btfId} (in vmlinux). */
    public BpfAssembler callKfunc(int btfId) {
        return emit(new BpfInsn(BpfInsn.BPF_JMP | BpfInsn.BPF_CALL, 0, BpfInsn.BPF_PSEUDO_KFUNC_CALL, 0, btfId));
    }

    /** {@code if dst != imm goto +off}. */
    public BpfAssembler jneImm(int dst, int imm, int off) {
        return emit(new BpfInsn(BpfInsn.BPF_JMP | BpfInsn.BPF_JNE | BpfInsn.BPF_K, dst, 0, off, imm));
    }

    /** Writes {@code bytes} to {@code [dst + off]} with store-immediates (4 bytes at a time, then single bytes). */
    public BpfAssembler storeBytes(int dst, int off, byte[] bytes) {
        int i = 0;
        for (; i + 4 <= bytes.length; i += 4) {
            int v = (bytes[i] & 0xFF) | (bytes[i + 1] & 0xFF) << 8 | (bytes[i + 2] & 0xFF) << 16
                    | (bytes[i + 3] & 0xFF) << 24;
            st(4, dst, off + i, v);
        }
        for (; i < bytes.length; i++) {
            st(1, dst, off + i, bytes[i]);
        }
        return this;
    }

    /** The program as bytes for BPF_PROG_LOAD. */
    public byte[] toBytes() {
        byte[] out = new byte[insns.size() * BpfInsn.SIZE];
        for (int i = 0; i < insns.size(); i++) {
            insns.get(i).encodeInto(out, i * BpfInsn.SIZE);
        }
        return out;
    }
}
