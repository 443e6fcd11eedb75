package io.htablab.hashtab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.btf.MapBtfs;
import io.htablab.hashtab.cfront.btf.SpecialStructs;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.EngineBackend;
import io.htablab.hashtab.scenario.Interpreter;
import io.htablab.hashtab.scenario.ScenarioParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Timers and workqueues, engine output == live kernel output: the kernel side runs each statement as a small
 * program the harness assembles (with BTF and func_info for the callback), the engine on its virtual clock.
 * Map {@code m} holds {@code struct val { __u64 n; struct bpf_timer t; struct bpf_wq w; }}; callbacks count into
 * map {@code c}. The machine may be loaded (CI shares two cores): softirq and kworker latencies of 10 ms and
 * more were seen, so every deadline lies at least 40 ms from the end of any advance, and the periodic timer's
 * drift (it re-arms relative to when its callback actually runs) stays inside that margin.
 */
class TimerKernelTest {

    static final String C = SpecialStructs.C_DECLARATIONS
            + "struct val { __u64 n; struct bpf_timer t; struct bpf_wq w; };\n";
    static MapBtfs.Encoded btf;

    @BeforeAll
    static void probe() {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, "bpf() refused here (" + refused + "); skipping the timer comparison");
        CFrontResult r = CFront.parse("timers.c", C);
        btf = MapBtfs.encode(r.types().typedef("__u32"), r.types().struct("val"));
    }

    static final String PROLOGUE = """
            create c type=hash key=4 value=8 max=8
            update c u32:0 u64:0
            update c u32:1 u64:0
            action tick count c u32:0
            """;

    /** Runs {@code script} after creating m (type, flags) on both backends and returns both outputs. */
    static List<List<String>> both(MapType type, int flags, String script) throws Exception {
        List<List<String>> outs = new ArrayList<>();
        List<String> diag = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            List<String> out = new ArrayList<>();
            Backend b = side == 0 ? new EngineBackend() : new KernelBackend(diag::add);
            try (Interpreter in = new Interpreter(b)) {
                HtabAttr attr = new HtabAttr(type, 4, 40, 4, flags | MapFlag.ZERO_SEED.bit()).withBtf(btf.mapBtf());
                Backend.Created created = b.create("m", attr, btf);
                assertThat(created.errno().isOk()).as(b.name() + " create: " + diag).isTrue();
                in.adopt("m", created.map());
                in.run(ScenarioParser.parse(PROLOGUE + script), "timers.hts", out::add, diag::add);
            }
            outs.add(out);
        }
        assertThat(outs.get(1)).as("kernel == engine; diagnostics " + diag).containsExactlyElementsOf(outs.get(0));
        return outs;
    }

    /** Runs a whole scenario (its maps typed with ctype/btf_value=) on both backends. */
    static List<String> bothScript(String script) throws Exception {
        List<List<String>> outs = new ArrayList<>();
        List<String> diag = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            List<String> out = new ArrayList<>();
            Backend b = side == 0 ? new EngineBackend() : new KernelBackend(diag::add);
            try (Interpreter in = new Interpreter(b)) {
                in.run(ScenarioParser.parse(script), "timers.hts", out::add, diag::add);
            }
            outs.add(out);
        }
        assertThat(outs.get(1)).as("kernel == engine; diagnostics " + diag).containsExactlyElementsOf(outs.get(0));
        return outs.get(0);
    }

    @Test
    void inPlaceLockedUpdateKeepsTheTimerAPlainOneCancelsIt() throws Exception {
        List<String> out = bothScript("""
                ctype struct lv { struct bpf_spin_lock l; __u32 n; struct bpf_timer t; };
                create m type=hash max=4 flags=zero_seed btf_key=__u32 btf_value=struct:lv
                create c type=hash key=4 value=8 max=4 flags=zero_seed
                update c u32:0 u64:0
                action tick count c u32:0
                update m u32:1 {.n=1}
                update m u32:2 {.n=2}
                timer_init m u32:1
                timer_init m u32:2
                timer_set_callback m u32:1 tick
                timer_set_callback m u32:2 tick
                timer_start m u32:1 60ms
                timer_start m u32:2 60ms
                update m u32:1 {.n=10} lock
                update m u32:2 {.n=20}
                advance 120ms
                lookup c u32:0
                lookup m u32:1
                """);
        assertThat(out.get(out.size() - 2)).isEqualTo("value 0100000000000000");
    }

    @Test
    void nonPreallocatedCloseAndLruPercpuRefusal() throws Exception {
        List<String> out = bothScript("""
                ctype struct tv { __u64 n; struct bpf_timer t; };
                create m type=hash max=4 flags=zero_seed,no_prealloc btf_key=__u32 btf_value=struct:tv
                create p type=percpu_hash max=4 flags=zero_seed btf_key=__u32 btf_value=struct:tv
                create c type=hash key=4 value=8 max=4 flags=zero_seed
                update c u32:0 u64:0
                action tick count c u32:0
                update m u32:1 {.n=1}
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 60ms
                close m
                timer_init m u32:1
                prog_update m u32:5 {.n=5}
                timer_init m u32:5
                advance 120ms
                lookup c u32:0
                """);
        assertThat(out.get(2)).isEqualTo("error EOPNOTSUPP");
        assertThat(out.subList(out.size() - 5, out.size())).containsExactly("error EPERM", "ok", "error EPERM", "ok",
                "value 0000000000000000");
    }

    static String zeroValue() {
        return "0x" + "00".repeat(40);
    }

    @Test
    void initStartCancelReturnCodes() throws Exception {
        List<String> out = both(MapType.HASH, 0, """
                timer_init m u32:1
                update m u32:1 %1$s
                timer_set_callback m u32:1 tick
                timer_start m u32:1 1ms
                timer_init m u32:1 clock=2
                timer_init m u32:1 clock=16
                timer_init m u32:1
                timer_init m u32:1 clock=boottime
                timer_start m u32:1 1ms
                timer_cancel m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 1ms flags=4
                timer_start m u32:1 500ms
                timer_cancel m u32:1
                timer_cancel m u32:1
                timer_start m u32:1 1ms
                timer_set_callback m u32:1 tick
                timer_start m u32:1 500ms pinned
                timer_cancel m u32:1
                """.formatted(zeroValue())).get(0);
        assertThat(out.subList(4, out.size())).containsExactly("error ENOENT", "ok", "error EINVAL",
                "error EINVAL", "error EINVAL", "error EINVAL", "ok", "error EBUSY", "error EINVAL", "ok", "ok",
                "error EINVAL", "ok", "ret 1", "ok", "error EINVAL", "ok", "ok", "ret 1");
    }

    @Test
    void callbacksFireCountedInAnotherMap() throws Exception {
        List<String> out = both(MapType.HASH, 0, """
                update m u32:1 %1$s
                update m u32:2 %1$s
                action periodic count c u32:1 ; restart 100ms
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_init m u32:2 clock=realtime
                timer_set_callback m u32:2 periodic
                timer_start m u32:1 110ms
                timer_start m u32:2 30ms
                advance 70ms
                lookup c u32:0
                lookup c u32:1
                advance 100ms
                lookup c u32:0
                lookup c u32:1
                advance 230ms
                lookup c u32:1
                timer_cancel m u32:2
                timer_cancel m u32:1
                """.formatted(zeroValue())).get(0);
        assertThat(out.subList(14, 19)).containsExactly("value 0000000000000000", "value 0100000000000000",
                "ok", "value 0100000000000000", "value 0200000000000000");
        assertThat(out.get(20)).isEqualTo("value 0400000000000000");
    }

    @Test
    void deleteReplaceAndLookupAndDeleteCancel() throws Exception {
        both(MapType.HASH, 0, """
                update m u32:1 %1$s
                update m u32:2 %1$s
                update m u32:3 %1$s
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 60ms
                timer_init m u32:2
                timer_set_callback m u32:2 tick
                timer_start m u32:2 60ms
                timer_init m u32:3
                timer_set_callback m u32:3 tick
                timer_start m u32:3 60ms
                delete m u32:1
                update m u32:2 %1$s
                lookup_and_delete m u32:3
                advance 120ms
                lookup c u32:0
                timer_init m u32:2
                timer_cancel m u32:2
                """.formatted(zeroValue()));
    }

    @Test
    void noPreallocReplaceAndBatchDeleteCancel() throws Exception {
        both(MapType.HASH, MapFlag.NO_PREALLOC.bit(), """
                update m u32:1 %1$s
                update m u32:2 %1$s
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 60ms
                timer_init m u32:2
                timer_set_callback m u32:2 tick
                timer_start m u32:2 60ms
                update m u32:1 %1$s exist
                delete_batch m u32:2
                advance 120ms
                lookup c u32:0
                """.formatted(zeroValue()));
    }

    @Test
    void lruReplaceAndEvictionCancel() throws Exception {
        // max 4 on 2 CPUs: the common LRU's local lists make a small map evict early; fill it from CPU 0 and keep
        // inserting until key 1 (armed, never referenced again) is evicted on both sides alike
        StringBuilder s = new StringBuilder("""
                update m u32:1 %1$s
                update m u32:2 %1$s
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 60ms
                timer_init m u32:2
                timer_set_callback m u32:2 tick
                timer_start m u32:2 60ms
                update m u32:2 %1$s
                """.formatted(zeroValue()));
        for (int k = 10; k < 30; k++) {
            s.append("update m u32:").append(k).append(' ').append(zeroValue()).append('\n');
        }
        s.append("lookup m u32:1\nadvance 120ms\nlookup c u32:0\n");
        List<String> out = both(MapType.LRU_HASH, 0, s.toString()).get(0);
        assertThat(out.get(out.size() - 3)).isEqualTo("error ENOENT");
        assertThat(out.get(out.size() - 1)).isEqualTo("value 0000000000000000");
    }

    @Test
    void closeReleasesTimersAndForbidsInitButProgramsStillRun() throws Exception {
        List<String> out = both(MapType.HASH, 0, """
                update m u32:1 %1$s
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 60ms
                close m
                lookup m u32:1
                prog_delete m u32:3
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 1ms
                timer_cancel m u32:1
                prog_update m u32:2 %1$s
                timer_init m u32:2
                advance 120ms
                lookup c u32:0
                close m
                """.formatted(zeroValue())).get(0);
        assertThat(out.subList(out.size() - 12, out.size())).containsExactly("ok", "error EBADF",
                "error ENOENT", "error EPERM", "error EINVAL", "error EINVAL", "error EINVAL", "ok",
                "error EPERM", "ok", "value 0000000000000000", "error EBADF");
    }

    @Test
    void callbacksCancelThemselvesAndDeleteTheirElement() throws Exception {
        List<String> out = both(MapType.HASH, 0, """
                update m u32:1 %1$s
                update m u32:2 %1$s
                action selfcancel cancel c u32:1
                action suicide count c u32:0 ; restart 20ms ; delete self
                timer_init m u32:1
                timer_set_callback m u32:1 selfcancel
                timer_init m u32:2
                timer_set_callback m u32:2 suicide
                timer_start m u32:1 40ms
                timer_start m u32:2 40ms
                advance 120ms
                lookup c u32:1
                lookup c u32:0
                lookup m u32:2
                """.formatted(zeroValue())).get(0);
        assertThat(out.subList(out.size() - 3, out.size())).containsExactly("value ddffffffffffffff",
                "value 0100000000000000", "error ENOENT");
    }

    @Test
    void workqueueRunsAndIsCancelledOnDelete() throws Exception {
        List<String> out = both(MapType.HASH, 0, """
                update m u32:1 %1$s
                wq_start m u32:1
                wq_init m u32:1 flags=1
                wq_init m u32:1
                wq_init m u32:1
                wq_start m u32:1
                wq_set_callback m u32:1 tick flags=1
                wq_set_callback m u32:1 tick
                wq_start m u32:1 flags=1
                prog_update m u32:2 %1$s
                wq_start m u32:1
                advance 50ms
                lookup c u32:0
                wq_start m u32:1
                advance 50ms
                lookup c u32:0
                close m
                wq_init m u32:1
                """.formatted(zeroValue())).get(0);
        assertThat(out.subList(5, out.size())).containsExactly("error EINVAL", "error EINVAL", "ok",
                "error EBUSY", "error EINVAL", "error EINVAL", "ok", "error EINVAL", "ok", "ok", "ok",
                "value 0100000000000000", "ok", "ok", "value 0200000000000000", "ok", "error EPERM");
    }

    @Test
    void mapFreeByRecreatingTheName() throws Exception {
        both(MapType.HASH, 0, """
                update m u32:1 %1$s
                timer_init m u32:1
                timer_set_callback m u32:1 tick
                timer_start m u32:1 60ms
                create m type=hash key=4 value=8 max=4
                advance 120ms
                lookup c u32:0
                """.formatted(zeroValue()));
    }

    @Test
    void absoluteStartOnTheTimersClock() throws Exception {
        both(MapType.HASH, 0, """
                update m u32:1 %1$s
                update m u32:2 %1$s
                timer_init m u32:1 clock=boottime
                timer_set_callback m u32:1 tick
                timer_init m u32:2 clock=realtime
                timer_set_callback m u32:2 tick
                advance 50ms
                timer_start m u32:1 150ms abs
                timer_start m u32:2 150ms abs
                advance 60ms
                lookup c u32:0
                advance 90ms
                lookup c u32:0
                """.formatted(zeroValue()));
    }

    @Test
    void realtimeTimerTakesMonotonicAbsoluteTimes() throws Exception {
        List<String> out = both(MapType.HASH, 0, """
                update m u32:1 %1$s
                timer_init m u32:1 clock=realtime
                timer_set_callback m u32:1 tick
                advance 50ms
                timer_start m u32:1 100ms abs
                advance 100ms
                lookup c u32:0
                """.formatted(zeroValue())).get(0);
        assertThat(out.get(out.size() - 1)).isEqualTo("value 0100000000000000");
    }
}
