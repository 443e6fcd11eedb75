package io.htablab.hashtab.kernel;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Encodings checked by hand against the eBPF instruction-set definition (opcode | regs | off | imm, little-endian). */
class BpfAssemblerTest {

    private static String hex(BpfAssembler a) {
        return HexFormat.of().formatHex(a.toBytes());
    }

    @Test
    void movImmediateAndExit() {
        assertThat(hex(new BpfAssembler().movImm(0, 0).exit()))
                .isEqualTo("b700000000000000" + "9500000000000000");
    }

    @Test
    void movImmediateIsSignedLittleEndian() {
        assertThat(hex(new BpfAssembler().movImm(1, -1))).isEqualTo("b7010000ffffffff");
        assertThat(hex(new BpfAssembler().movImm(3, 0x12345678))).isEqualTo("b703000078563412");
    }

    @Test
    void movRegisterPutsSourceInHighNibble() {
        assertThat(hex(new BpfAssembler().movReg(2, 9))).isEqualTo("bf92000000000000");
    }

    @Test
    void addImmediate() {
        assertThat(hex(new BpfAssembler().addImm(2, 8))).isEqualTo("0702000008000000");
    }

    @Test
    void ldImm64WithMapFdTakesTwoSlots() {
        BpfAssembler a = new BpfAssembler().ldMapFd(1, 5);
        assertThat(a.length()).isEqualTo(2);
        assertThat(hex(a)).isEqualTo("1811000005000000" + "0000000000000000");
    }

    @Test
    void ldImm64WithMapValueCarriesTheOffsetInTheSecondImmediate() {
        assertThat(hex(new BpfAssembler().ldMapValue(9, 7, 16)))
                .isEqualTo("1829000007000000" + "0000000010000000");
    }

    @Test
    void loadsOfEverySize() {
        assertThat(hex(new BpfAssembler().ldx(8, 4, 9, 0))).isEqualTo("7994000000000000");
        assertThat(hex(new BpfAssembler().ldx(4, 1, 6, 4))).isEqualTo("6161040000000000");
        assertThat(hex(new BpfAssembler().ldx(2, 1, 6, 12))).isEqualTo("69610c0000000000");
        assertThat(hex(new BpfAssembler().ldx(1, 1, 6, 14))).isEqualTo("71610e0000000000");
    }

    @Test
    void storesOfEverySizeWithNegativeOffset() {
        assertThat(hex(new BpfAssembler().stx(8, 9, 1, 0))).isEqualTo("7b19000000000000");
        assertThat(hex(new BpfAssembler().stx(4, 7, 1, 8))).isEqualTo("6317080000000000");
        assertThat(hex(new BpfAssembler().stx(2, 7, 1, 0x100))).isEqualTo("6b17000100000000");
        assertThat(hex(new BpfAssembler().stx(1, 7, 1, -2))).isEqualTo("7317feff00000000");
    }

    @Test
    void callAndConditionalJump() {
        assertThat(hex(new BpfAssembler().call(1))).isEqualTo("8500000001000000");
        assertThat(hex(new BpfAssembler().jeqImm(0, 0, 3))).isEqualTo("1500030000000000");
        assertThat(hex(new BpfAssembler().jeqImm(2, 7, -1))).isEqualTo("1502ffff07000000");
    }

    @Test
    void copyUsesWidestAccessesFirst() {
        // 13 bytes: 8 at 0, 4 at 8, 1 at 12
        BpfAssembler a = new BpfAssembler().copy(7, 6, 1, 13);
        assertThat(hex(a)).isEqualTo(
                "7961000000000000" + "7b17000000000000"
                        + "6161080000000000" + "6317080000000000"
                        + "71610c0000000000" + "73170c0000000000");
    }

    @Test
    void longCopyAdvancesBaseRegistersToKeepOffsetsIn16Bits() {
        BpfAssembler a = new BpfAssembler().copy(7, 6, 1, 40_000);
        int adds = 0;
        for (BpfInsn insn : a.instructions()) {
            assertThat(insn.off()).isBetween(0, 32_000);
            if (insn.code() == 0x07) {
                adds++;
            }
        }
        // one advance of each base register once the offset passes 32000
        assertThat(adds).isEqualTo(2);
        assertThat(a.length()).isEqualTo(2 * 40_000 / 8 + 2);
    }

    @Test
    void refusesWhatTheEncodingCannotHold() {
        assertThatThrownBy(() -> new BpfAssembler().ldx(3, 1, 2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BpfAssembler().stx(8, 1, 2, 40_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BpfAssembler().movImm(11, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void helperProgramsHaveTheExpectedShape() {
        BpfAssembler update = HelperPrograms.build(HelperPrograms.Op.UPDATE, 3, 4, 4, 8);
        // r9 = scratch value; r1 = map; r2 = r9 + 8; r3 = r9 + 16; r4 = flags; call; store r0; r0 = 0; exit
        assertThat(hex(update)).isEqualTo(
                "1829000004000000" + "0000000000000000"
                        + "1811000003000000" + "0000000000000000"
                        + "bf92000000000000" + "0702000008000000"
                        + "bf93000000000000" + "0703000010000000"
                        + "7994000000000000"
                        + "8500000002000000"
                        + "7b09000000000000"
                        + "b700000000000000" + "9500000000000000");
        BpfAssembler lookup = HelperPrograms.build(HelperPrograms.Op.LOOKUP, 3, 4, 4, 4);
        // the jump over the "found" block lands on the "missed" block: r1 = 0
        BpfInsn jump = lookup.instructions().get(7);
        assertThat(jump.code()).isEqualTo(0x15);
        BpfInsn landing = lookup.instructions().get(8 + jump.off());
        assertThat(landing).isEqualTo(new BpfInsn(0xb7, 1, 0, 0, 0));
        assertThat(HelperPrograms.build(HelperPrograms.Op.LOOKUP, 3, 4, 4, 8_000_000)).isNull();
    }
}
