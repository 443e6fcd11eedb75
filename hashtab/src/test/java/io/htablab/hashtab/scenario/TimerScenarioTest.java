package io.htablab.hashtab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.fields.FieldKind;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.MapBtf;
import io.htablab.hashtab.htab.fields.SpecialField;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The timer/wq/advance/close statements on the engine, through the interpreter. The map with timers is created
 * from a hand-made BTF record ({@code struct { __u64 n; struct bpf_timer t; struct bpf_wq w; }}).
 */
class TimerScenarioTest {

    static final MapBtf BTF = new MapBtf("__u32", 4, "struct val", 40, new FieldRecord(List.of(
            new SpecialField(FieldKind.TIMER, 8, 16, "t"), new SpecialField(FieldKind.WORKQUEUE, 24, 16, "w"))),
            null, null);

    final List<String> out = new ArrayList<>();
    final List<String> err = new ArrayList<>();

    List<String> run(MapType type, int flags, String script) throws Exception {
        EngineBackend engine = new EngineBackend();
        engine.setPossibleCpusDirect(2);
        try (Interpreter in = new Interpreter(engine)) {
            in.execute(new Statement.Create("m", new HtabAttr(type, 4, 40, 4, flags | MapFlag.ZERO_SEED.bit())
                    .withBtf(BTF)), out::add);
            in.run(ScenarioParser.parse(script), "t.hts", out::add, err::add);
        }
        return out;
    }

    static final String COUNTERS = """
            create c type=hash key=4 value=8 max=4
            update c u32:0 u64:0
            action tick count c u32:0
            update m u32:1 0x00
            """;

    String counters() {
        return COUNTERS.replace("0x00", "0x" + "00".repeat(40));
    }

    @Test
    void timerLifecycleAndReturnCodes() throws Exception {
        run(MapType.HASH, 0, counters() + """
                timer_start m u32:1 10ms
                timer_init m u32:1 clock=2
                timer_init m u32:1
                timer_init m u32:1 clock=boottime
                timer_set_callback m u32:1 tick
                timer_start m u32:1 10ms flags=4
                timer_start m u32:1 10ms
                advance 5ms
                lookup c u32:0
                advance 5ms
                lookup c u32:0
                timer_cancel m u32:1
                timer_start m u32:1 10ms pinned
                timer_set_callback m u32:1 tick
                timer_start m u32:1 10ms pinned
                timer_cancel m u32:1
                timer_start m u32:1 10ms
                timer_init m u32:9
                """);
        assertThat(out.subList(5, out.size())).containsExactly(
                "error EINVAL", "error EINVAL", "ok", "error EBUSY", "ok", "error EINVAL", "ok",
                "ok", "value 0000000000000000", "ok", "value 0100000000000000",
                "ok", "error EINVAL", "ok", "ok", "ret 1", "error EINVAL", "error ENOENT");
        assertThat(err).isEmpty();
    }

    @Test
    void deleteReplaceAndCloseRelease() throws Exception {
        run(MapType.HASH, 0, counters() + """
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 10ms
                update m u32:1 0x%s
                advance 20ms
                lookup c u32:0
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 10ms
                close m
                lookup m u32:1
                close m
                prog_lookup m u32:1
                advance 20ms
                lookup c u32:0
                timer_init m u32:1
                """.formatted("00".repeat(40)));
        assertThat(out.subList(5, out.size())).containsExactly(
                "ok", "ok", "ok", "ok", "ok", "value 0000000000000000",
                "ok", "ok", "ok", "ok", "error EBADF", "error EBADF",
                "value " + "00".repeat(40), "ok", "value 0000000000000000", "error EPERM");
    }

    @Test
    void callbacksRestartCancelThemselvesAndDeleteTheirElement() throws Exception {
        run(MapType.HASH, 0, counters() + """
                update c u32:1 u64:0
                action periodic count c u32:0 ; restart 10ms
                action selfcancel cancel c u32:1
                action suicide count c u32:0 ; delete self
                timer_init m u32:1
                timer_set_callback m u32:1 periodic
                timer_start m u32:1 10ms
                advance 35ms
                lookup c u32:0
                timer_set_callback m u32:1 selfcancel
                advance 10ms
                lookup c u32:1
                timer_set_callback m u32:1 suicide
                timer_start m u32:1 1ms
                advance 5ms
                lookup m u32:1
                lookup c u32:0
                wq_set_callback m u32:1 periodic
                """);
        assertThat(out.subList(5, out.size())).containsExactly(
                "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "value 0300000000000000",
                "ok", "ok", "value ddffffffffffffff", // -35: EDEADLK
                "ok", "ok", "ok", "error ENOENT", "value 0400000000000000", "error EINVAL");
        assertThat(err).singleElement().asString().contains("restart is a timer operation");
    }

    @Test
    void workqueueRunsAtTheNextAdvance() throws Exception {
        run(MapType.LRU_HASH, 0, counters() + """
                wq_start m u32:1
                wq_init m u32:1 flags=1
                wq_init m u32:1
                wq_init m u32:1
                wq_start m u32:1
                wq_set_callback m u32:1 tick
                wq_start m u32:1
                wq_start m u32:1
                lookup c u32:0
                advance 0
                lookup c u32:0
                delete m u32:1
                wq_start m u32:1
                """);
        assertThat(out.subList(5, out.size())).containsExactly(
                "error EINVAL", "error EINVAL", "ok", "error EBUSY", "error EINVAL", "ok", "ok", "ok",
                "value 0000000000000000", "ok", "value 0100000000000000", "ok", "error ENOENT");
    }

    @Test
    void badLinesNameTheReason() throws Exception {
        run(MapType.HASH, 0, counters() + """
                timer_start m u32:1 soon
                action x frobnicate
                timer_set_callback m u32:1 nosuch
                timer_init m u32:1 field=w
                advance -1
                action y count c
                """);
        assertThat(out.subList(5, out.size())).containsOnly("error EINVAL");
        assertThat(err).hasSize(6);
        assertThat(err.get(1)).contains("unknown action operation 'frobnicate'");
        assertThat(err.get(2)).contains("no action named 'nosuch'");
        assertThat(err.get(3)).contains("no struct bpf_timer named 'w'");
    }
}
