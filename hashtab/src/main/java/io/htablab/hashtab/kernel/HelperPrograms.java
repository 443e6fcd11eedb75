package io.htablab.hashtab.kernel;

import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.SpecialField;

/**
 * The hand-assembled SCHED_CLS programs behind {@code prog_lookup}, {@code prog_update} and
 * {@code prog_delete}. Each talks to the map under test through a one-element ARRAY "scratch" map
 * whose value is laid out as
 * <pre>
 *   [0, 8)          in: update flags        out: result (found flag, or the helper's return)
 *   [8, 8+K8)       key
 *   [8+K8, +V8)     value (in for update, out for lookup)
 * </pre>
 * with K8/V8 the key and value sizes rounded up to 8, so the harness writes the inputs with one
 * syscall, runs the program with BPF_PROG_TEST_RUN and reads the result back with another.
 */
final class HelperPrograms {

    static final int BPF_FUNC_MAP_LOOKUP_ELEM = 1;
    static final int BPF_FUNC_MAP_UPDATE_ELEM = 2;
    static final int BPF_FUNC_MAP_DELETE_ELEM = 3;

    /** Stay well below the verifier's one-million-instruction limit. */
    static final int MAX_PROGRAM_SLOTS = 900_000;

    /** The result word a lookup program writes when the helper found the key. */
    static final long LOOKUP_FOUND = 1;
    static final long LOOKUP_MISSED = 0;

    // registers with a fixed role in these programs
    private static final int R0 = 0;
    private static final int R1 = 1;
    private static final int R2 = 2;
    private static final int R3 = 3;
    private static final int R4 = 4;
    private static final int R6 = 6;
    private static final int R7 = 7;
    /** Holds the scratch value's address for the whole program. */
    private static final int R_SCRATCH = 9;

    enum Op { LOOKUP, UPDATE, DELETE }

    private HelperPrograms() {
    }

    static int round8(int n) {
        return (n + 7) & ~7;
    }

    static int keyOffset() {
        return 8;
    }

    static int valueOffset(int keySize) {
        return 8 + round8(keySize);
    }

    static int scratchSize(int keySize, int valueSize) {
        return valueOffset(keySize) + round8(valueSize);
    }

    /** r9 = scratch, r1 = map, r2 = key: what every helper call starts with. */
    private static BpfAssembler prologue(int mapFd, int scratchFd) {
        return new BpfAssembler()
                .ldMapValue(R_SCRATCH, scratchFd, 0)
                .ldMapFd(R1, mapFd)
                .movReg(R2, R_SCRATCH).addImm(R2, keyOffset());
    }

    /**
     * The program for {@code op}, or null when the value is too large to copy within the verifier's
     * instruction limit (lookup only).
     */
    /** Copies value bytes [from, to) of the element (r0) to the scratch value; r0 stays the element's value. */
    private static void copySegment(BpfAssembler p, int keySize, int from, int to) {
        if (to <= from) {
            return;
        }
        p.movReg(R6, R0).addImm(R6, from)
                .movReg(R7, R_SCRATCH).addImm(R7, valueOffset(keySize) + from)
                .copy(R7, R6, R1, to - from);
    }

    static BpfAssembler build(Op op, int mapFd, int scratchFd, int keySize, int valueSize) {
        return build(op, mapFd, scratchFd, keySize, valueSize, FieldRecord.EMPTY);
    }

    /**
     * {@link #build} for a value with special fields: the lookup program copies the bytes around them (the verifier
     * refuses a program that reads a lock or a timer directly), so the scratch value holds zeros in their place.
     */
    static BpfAssembler build(Op op, int mapFd, int scratchFd, int keySize, int valueSize, FieldRecord record) {
        BpfAssembler p = prologue(mapFd, scratchFd);
        switch (op) {
            case LOOKUP -> {
                // found: copy the element's value into the scratch value, then result := 1
                BpfAssembler found = new BpfAssembler();
                int pos = 0;
                for (SpecialField f : record.fields()) {
                    copySegment(found, keySize, pos, f.offset());
                    pos = Math.max(pos, f.offset() + f.size());
                }
                copySegment(found, keySize, pos, valueSize);
                found.movImm(R1, (int) LOOKUP_FOUND).stx(8, R_SCRATCH, R1, 0)
                        .movImm(R0, 0).exit();
                if (found.length() > MAX_PROGRAM_SLOTS) {
                    return null;
                }
                p.call(BPF_FUNC_MAP_LOOKUP_ELEM)
                        .jeqImm(R0, 0, found.length())
                        .append(found)
                        .movImm(R1, (int) LOOKUP_MISSED).stx(8, R_SCRATCH, R1, 0)
                        .movImm(R0, 0).exit();
            }
            case UPDATE -> p.movReg(R3, R_SCRATCH).addImm(R3, valueOffset(keySize))
                    .ldx(8, R4, R_SCRATCH, 0)
                    .call(BPF_FUNC_MAP_UPDATE_ELEM)
                    .stx(8, R_SCRATCH, R0, 0)
                    .movImm(R0, 0).exit();
            case DELETE -> p.call(BPF_FUNC_MAP_DELETE_ELEM)
                    .stx(8, R_SCRATCH, R0, 0)
                    .movImm(R0, 0).exit();
            default -> throw new IllegalArgumentException(String.valueOf(op));
        }
        return p;
    }
}
