package io.htablab.hashtab.kernel;

import java.util.List;

/**
 * The hand-assembled SCHED_CLS programs behind the timer and workqueue statements. Each looks the key up in the
 * map under test, then calls one helper (or wq kfunc) on the value's {@code struct bpf_timer}/{@code bpf_wq}
 * field, and writes the helper's return to word 0 of the map's scratch value (see {@link HelperPrograms}):
 * <pre>
 *   [0, 8)       in: flags       out: the helper's return, or -ENOENT when the key is absent
 *   [8, 8+K8)    key
 *   [8+K8, +8)   in: nsecs (timer_start)
 * </pre>
 * The set-callback programs carry the callback as a second subprogram ({@code cb(map, key, value)}): its body
 * is the scenario action, one operation after another, each with the maps and bytes fixed at load time.
 */
final class TimerPrograms {

    static final int BPF_FUNC_TIMER_INIT = 169;
    static final int BPF_FUNC_TIMER_SET_CALLBACK = 170;
    static final int BPF_FUNC_TIMER_START = 171;
    static final int BPF_FUNC_TIMER_CANCEL = 172;

    /** The result word when the key was not found (the program had no value to pass). */
    static final long NO_ELEMENT = -2;

    private static final int R0 = 0;
    private static final int R1 = 1;
    private static final int R2 = 2;
    private static final int R3 = 3;
    private static final int R4 = 4;
    private static final int R6 = 6;
    private static final int R7 = 7;
    private static final int R8 = 8;
    private static final int R9 = 9;
    private static final int FP = 10;
    private static final int MAX_STACK = 512;

    enum Op {
        TIMER_INIT, TIMER_SET_CALLBACK, TIMER_START, TIMER_CANCEL, WQ_INIT, WQ_SET_CALLBACK, WQ_START;

        boolean hasCallback() {
            return this == TIMER_SET_CALLBACK || this == WQ_SET_CALLBACK;
        }

        boolean isKfunc() {
            return this == WQ_INIT || this == WQ_SET_CALLBACK || this == WQ_START;
        }
    }

    /** One operation of a callback, with its maps as descriptors; a map of -1 is the callback's own. */
    sealed interface CbOp {
        record Count(int mapFd, byte[] key) implements CbOp {
        }

        record Update(int mapFd, byte[] key, byte[] value, long flags) implements CbOp {
        }

        record Delete(int mapFd, byte[] key) implements CbOp {
        }

        record Restart(long nsecs, long flags) implements CbOp {
        }

        record Cancel(int mapFd, byte[] key) implements CbOp {
        }
    }

    /**
     * An assembled program: its instructions and where its subprograms start (0 for the main program, then the
     * callback), which is what func_info describes.
     */
    record Program(BpfAssembler code, int[] subprogStarts) {
    }

    private TimerPrograms() {
    }

    /**
     * @param fieldOffset the timer's or wq's offset in the value
     * @param kfuncId     the vmlinux BTF id of the wq kfunc (wq ops only)
     * @param callback    the callback's operations (set-callback ops only)
     * @throws IllegalArgumentException when the callback's keys and values do not fit the BPF stack
     */
    static Program build(Op op, int mapFd, int scratchFd, int keySize, int fieldOffset, int kfuncId,
                         List<CbOp> callback) {
        int nsecsOff = HelperPrograms.valueOffset(keySize);
        BpfAssembler cb = op.hasCallback() ? callbackBody(callback, fieldOffset) : null;
        // the main program's length decides where the callback starts; ldFunc needs it, so build twice
        BpfAssembler main = mainProgram(op, mapFd, scratchFd, fieldOffset, nsecsOff, kfuncId, 0);
        if (cb == null) {
            return new Program(main, new int[] {0});
        }
        int cbStart = main.length();
        main = mainProgram(op, mapFd, scratchFd, fieldOffset, nsecsOff, kfuncId, cbStart);
        main.append(cb);
        return new Program(main, new int[] {0, cbStart});
    }

    private static BpfAssembler mainProgram(Op op, int mapFd, int scratchFd, int fieldOffset, int nsecsOff,
                                            int kfuncId, int cbStart) {
        BpfAssembler body = new BpfAssembler();
        body.movReg(R1, R0).addImm(R1, fieldOffset);
        switch (op) {
            case TIMER_INIT -> body.ldMapFd(R2, mapFd).ldx(8, R3, R9, 0).call(BPF_FUNC_TIMER_INIT);
            case TIMER_START -> body.ldx(8, R2, R9, nsecsOff).ldx(8, R3, R9, 0).call(BPF_FUNC_TIMER_START);
            case TIMER_CANCEL -> body.call(BPF_FUNC_TIMER_CANCEL);
            case WQ_INIT -> body.ldMapFd(R2, mapFd).ldx(8, R3, R9, 0).callKfunc(kfuncId);
            case WQ_START -> body.ldx(8, R2, R9, 0).callKfunc(kfuncId);
            case TIMER_SET_CALLBACK, WQ_SET_CALLBACK -> {
                // placeholder length first; the real ldFunc is emitted once its own position is known
            }
            default -> throw new IllegalArgumentException(String.valueOf(op));
        }
        BpfAssembler p = new BpfAssembler()
                .ldMapValue(R9, scratchFd, 0)
                .ldMapFd(R1, mapFd)
                .movReg(R2, R9).addImm(R2, HelperPrograms.keyOffset())
                .call(HelperPrograms.BPF_FUNC_MAP_LOOKUP_ELEM);
        int bodyLen = op.hasCallback() ? callbackCallLength(op) : body.length();
        // found: body, store r0; missed: store -ENOENT
        p.jeqImm(R0, 0, bodyLen + 3);
        if (op.hasCallback()) {
            p.movReg(R1, R0).addImm(R1, fieldOffset);
            p.ldFunc(R2, cbStart);
            if (op == Op.TIMER_SET_CALLBACK) {
                p.call(BPF_FUNC_TIMER_SET_CALLBACK);
            } else {
                p.ldx(8, R3, R9, 0).movImm(R4, 0).callKfunc(kfuncId);
            }
        } else {
            p.append(body);
        }
        p.stx(8, R9, R0, 0).movImm(R0, 0).exit();
        p.movImm(R1, (int) NO_ELEMENT).stx(8, R9, R1, 0).movImm(R0, 0).exit();
        return p;
    }

    /** Slots of the set-callback call sequence (r1 = field, r2 = &cb, [r3, r4,] call). */
    private static int callbackCallLength(Op op) {
        return 2 + 2 + (op == Op.TIMER_SET_CALLBACK ? 1 : 3);
    }

    /** {@code int cb(void *map, void *key, void *value)}: the action, then {@code return 0}. */
    private static BpfAssembler callbackBody(List<CbOp> ops, int fieldOffset) {
        BpfAssembler c = new BpfAssembler().movReg(R6, R1).movReg(R7, R2).movReg(R8, R3);
        for (CbOp op : ops) {
            if (op instanceof CbOp.Count n) {
                int k = keyOnStack(c, n.key(), 0);
                c.ldMapFd(R1, n.mapFd()).movReg(R2, FP).addImm(R2, k)
                        .call(HelperPrograms.BPF_FUNC_MAP_LOOKUP_ELEM)
                        .jeqImm(R0, 0, 2)
                        .movImm(R1, 1).atomicAdd64(R0, R1, 0)
                        // a join point that does not use r0: without it the live kernel (6.18.44) silently
                        // skipped every later map operation of the callback and the count itself
                        .movImm(R0, 0);
            } else if (op instanceof CbOp.Update u) {
                int k = u.mapFd() < 0 ? 0 : keyOnStack(c, u.key(), 0);
                int v = bytesOnStack(c, u.value(), u.mapFd() < 0 ? -8 : k);
                mapAndKey(c, u.mapFd(), k);
                c.movReg(R3, FP).addImm(R3, v).movImm(R4, (int) u.flags())
                        .call(HelperPrograms.BPF_FUNC_MAP_UPDATE_ELEM);
            } else if (op instanceof CbOp.Delete d) {
                int k = d.mapFd() < 0 ? 0 : keyOnStack(c, d.key(), 0);
                mapAndKey(c, d.mapFd(), k);
                c.call(HelperPrograms.BPF_FUNC_MAP_DELETE_ELEM);
            } else if (op instanceof CbOp.Restart r) {
                c.movReg(R1, R8).addImm(R1, fieldOffset).ldImm64(R2, r.nsecs()).movImm(R3, (int) r.flags())
                        .call(BPF_FUNC_TIMER_START);
            } else if (op instanceof CbOp.Cancel x) {
                c.movReg(R1, R8).addImm(R1, fieldOffset).call(BPF_FUNC_TIMER_CANCEL).stx(8, FP, R0, -8);
                int k = keyOnStack(c, x.key(), 0);
                c.ldMapFd(R1, x.mapFd()).movReg(R2, FP).addImm(R2, k)
                        .call(HelperPrograms.BPF_FUNC_MAP_LOOKUP_ELEM)
                        .jeqImm(R0, 0, 2)
                        .ldx(8, R1, FP, -8).stx(8, R0, R1, 0)
                        .movImm(R0, 0);
            }
        }
        return c.movImm(R0, 0).exit();
    }

    private static void mapAndKey(BpfAssembler c, int mapFd, int keyOff) {
        if (mapFd < 0) {
            c.movReg(R1, R6).movReg(R2, R7);
        } else {
            c.ldMapFd(R1, mapFd).movReg(R2, FP).addImm(R2, keyOff);
        }
    }

    /** Writes a key below the cancel slot (fp-8); returns its offset from fp. */
    private static int keyOnStack(BpfAssembler c, byte[] key, int unused) {
        return bytesOnStack(c, key, -8);
    }

    /** Writes bytes in the 8-aligned area ending at {@code below} (an fp offset); returns their fp offset. */
    private static int bytesOnStack(BpfAssembler c, byte[] bytes, int below) {
        int off = below - HelperPrograms.round8(Math.max(bytes.length, 1));
        if (-off > MAX_STACK) {
            throw new IllegalArgumentException("a callback's key and value must fit the 512-byte BPF stack");
        }
        c.storeBytes(FP, off, bytes);
        return off;
    }
}
