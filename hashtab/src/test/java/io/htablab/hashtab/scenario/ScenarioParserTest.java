package io.htablab.hashtab.scenario;

import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenarioParserTest {

    @Test
    void typedShorthandsAreLittleEndianAndJoinWithoutPadding() throws Exception {
        assertThat(Bytes.hex(Bytes.parseBytes("u32:1+u32:2"))).isEqualTo("0100000002000000");
        assertThat(Bytes.hex(Bytes.parseBytes("u64:0x10+i32:-1+u8:255"))).isEqualTo("1000000000000000ffffffffff");
        assertThat(Bytes.hex(Bytes.parseBytes("i64:-2"))).isEqualTo("feffffffffffffff");
        assertThat(Bytes.hex(Bytes.parseBytes("u16:1+0a0b"))).isEqualTo("01000a0b");
    }

    @Test
    void hexMayHaveAPrefixAndUpperCaseDigits() throws Exception {
        assertThat(Bytes.hex(Bytes.parseBytes("0x0A0b"))).isEqualTo("0a0b");
        assertThat(Bytes.hex(Bytes.parseBytes("0a0b"))).isEqualTo("0a0b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x010", "u8:256", "u32:-1", "i32:2147483648", "zz", "0x", "u9:1", "u32:", "u32:1+", ""})
    void badBytesAreRefusedWithAReason(String text) {
        assertThatThrownBy(() -> Bytes.parseBytes(text)).isInstanceOf(ScenarioException.class)
                .hasMessageNotContaining("null");
    }

    @Test
    void createCollectsFlagsInAnyOrderOfParameters() throws Exception {
        Statement s = ScenarioParser.parseLine("create m max=0x10 flags=zero_seed,no_prealloc value=8 key=4 type=percpu_hash");
        assertThat(s).isInstanceOf(Statement.Create.class);
        Statement.Create c = (Statement.Create) s;
        assertThat(c.map()).isEqualTo("m");
        assertThat(c.attr().type()).isEqualTo(MapType.PERCPU_HASH);
        assertThat(c.attr().maxEntries()).isEqualTo(16);
        assertThat(c.attr().mapFlags()).isEqualTo(MapFlag.ZERO_SEED.bit() | MapFlag.NO_PREALLOC.bit());
    }

    @Test
    void updateFlagsCombineWithLock() throws Exception {
        assertThat(ScenarioParser.parseElemFlags("noexist+lock")).isEqualTo(ElemFlag.BPF_NOEXIST | ElemFlag.BPF_F_LOCK);
        assertThat(ScenarioParser.parseElemFlags("lock")).isEqualTo(ElemFlag.BPF_F_LOCK);
        assertThatThrownBy(() -> ScenarioParser.parseElemFlags("any+exist")).isInstanceOf(ScenarioException.class);
        assertThatThrownBy(() -> ScenarioParser.parseElemFlags("maybe")).hasMessageContaining("maybe");
    }

    @Test
    void commentsAndBlankLinesAreSkippedAndLineNumbersKept() {
        List<ScriptLine> lines = ScenarioParser.parse("# header\n\ncpus 2   # two\n  \nfrobnicate x\ninfo m\n");
        assertThat(lines).extracting(ScriptLine::lineNumber).containsExactly(3, 5, 6);
        assertThat(lines.get(0).statement()).isEqualTo(new Statement.Cpus(2));
        assertThat(lines.get(1).isValid()).isFalse();
        assertThat(lines.get(1).error()).contains("frobnicate");
        assertThat(lines.get(2).statement()).isEqualTo(new Statement.Info("m"));
    }

    @Test
    void unknownMapTypeIsAParseError() {
        List<ScriptLine> lines = ScenarioParser.parse("create e15 type=array key=4 value=4 max=4");
        assertThat(lines.get(0).error()).contains("array");
    }

    @Test
    void batchStatementsParseCursorsAndItems() throws Exception {
        Statement.LookupBatch b = (Statement.LookupBatch) ScenarioParser.parseLine("lookup_and_delete_batch h count=3 in=05000000");
        assertThat(b.andDelete()).isTrue();
        assertThat(b.count()).isEqualTo(3);
        assertThat(Bytes.hex(b.cursor())).isEqualTo("05000000");
        assertThatThrownBy(() -> ScenarioParser.parseLine("lookup_batch h count=3 in=0500")).hasMessageContaining("4 bytes");
        Statement.UpdateBatch u = (Statement.UpdateBatch) ScenarioParser.parseLine("update_batch h u32:1=u32:2|u32:3 flags=lock");
        assertThat(u.items()).hasSize(1);
        assertThat(u.items().get(0).value().parts()).hasSize(2);
        assertThat(u.elemFlags()).isEqualTo(ElemFlag.BPF_F_LOCK);
        Statement.DeleteBatch d = (Statement.DeleteBatch) ScenarioParser.parseLine("delete_batch h");
        assertThat(d.keys()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "cpus", "cpu 1 2", "create", "create 9m type=hash key=4 value=4 max=4", "create m type=hash key=4 value=4",
        "create m type=hash key=4 value=4 max=4 max=5", "create m type=hash key=4 value=4 max=4 flags=fast",
        "create m type=hash key=4 value=4 max=4 size=3", "update m u32:1", "lookup m u32:1 fast", "next_key m a b",
        "lookup_batch m", "lookup_batch m in=00000000", "update_batch m u32:1", "dump", "info a b", "delete m",
        "update_batch m u32:1=u32:1 flags=any flags=any",
    })
    void malformedStatementsAreRefusedWithAReason(String line) {
        assertThatThrownBy(() -> ScenarioParser.parseLine(line)).isInstanceOf(ScenarioException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
    }
}
