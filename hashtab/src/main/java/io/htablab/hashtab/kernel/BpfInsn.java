package io.htablab.hashtab.kernel;

/**
 * One eBPF instruction, {@code struct bpf_insn}: an 8-bit opcode, destination and source registers in
 * one byte (dst in the low nibble), a signed 16-bit offset and a signed 32-bit immediate, little-endian.
 */
public record BpfInsn(int code, int dst, int src, int off, int imm) {

    public static final int SIZE = 8;

    // instruction classes
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_STX = 0x03;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_ALU64 = 0x07;

    // sizes (load/store)
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;
    public static final int BPF_DW = 0x18;

    // modes (load/store)
    public static final int BPF_IMM = 0x00;
    public static final int BPF_MEM = 0x60;

    // ALU / jump operations
    public static final int BPF_ADD = 0x00;
    public static final int BPF_MOV = 0xb0;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_CALL = 0x80;
    public static final int BPF_EXIT = 0x90;

    // operand source
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;

    // ld_imm64 source-register markers
    public static final int BPF_PSEUDO_MAP_FD = 1;
    public static final int BPF_PSEUDO_MAP_VALUE = 2;
    /** ld_imm64 of a subprogram's address (a callback): imm is the slot offset from the next instruction. */
    public static final int BPF_PSEUDO_FUNC = 4;
    /** src of a call to a kernel function: imm is its BTF id in vmlinux. */
    public static final int BPF_PSEUDO_KFUNC_CALL = 2;

    // store-immediate class, atomic mode, and the jumps the timer programs need
    public static final int BPF_ST = 0x02;
    public static final int BPF_ATOMIC = 0xc0;
    public static final int BPF_JA = 0x00;
    public static final int BPF_JNE = 0x50;

    public BpfInsn {
        if (code < 0 || code > 0xff) {
            throw new IllegalArgumentException("opcode " + code + " is not a byte");
        }
        if (dst < 0 || dst > 10 || src < 0 || src > 15) {
            throw new IllegalArgumentException("bad register dst=" + dst + " src=" + src);
        }
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + off + " does not fit 16 bits");
        }
    }

    /** The load/store size bits for an access of {@code bytes} (1, 2, 4 or 8). */
    public static int sizeBits(int bytes) {
        return switch (bytes) {
            case 1 -> BPF_B;
            case 2 -> BPF_H;
            case 4 -> BPF_W;
            case 8 -> BPF_DW;
            default -> throw new IllegalArgumentException("no BPF access size of " + bytes + " bytes");
        };
    }

    /** Writes the 8 bytes of this instruction at {@code at}. */
    public void encodeInto(byte[] out, int at) {
        out[at] = (byte) code;
        out[at + 1] = (byte) ((src << 4) | dst);
        out[at + 2] = (byte) off;
        out[at + 3] = (byte) (off >> 8);
        out[at + 4] = (byte) imm;
        out[at + 5] = (byte) (imm >> 8);
        out[at + 6] = (byte) (imm >> 16);
        out[at + 7] = (byte) (imm >> 24);
    }

    public byte[] encode() {
        byte[] b = new byte[SIZE];
        encodeInto(b, 0);
        return b;
    }
}
