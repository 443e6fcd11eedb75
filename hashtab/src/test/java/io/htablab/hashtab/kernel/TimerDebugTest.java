package io.htablab.hashtab.kernel;

import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.Interpreter;
import io.htablab.hashtab.scenario.ScenarioParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerDebugTest {
    @Test
    void debug() throws Exception {
        TimerKernelTest.probe();
        String script = System.getProperty("script").replace(";;", "\n");
        List<String> out = new ArrayList<>();
        List<String> diag = new ArrayList<>();
        Backend b = new KernelBackend(diag::add);
        try (Interpreter in = new Interpreter(b)) {
            HtabAttr attr = new HtabAttr(MapType.HASH, 4, 40, 4, MapFlag.ZERO_SEED.bit()).withBtf(TimerKernelTest.btf.mapBtf());
            in.adopt("m", b.create("m", attr, TimerKernelTest.btf).map());
            in.run(ScenarioParser.parse(TimerKernelTest.PROLOGUE + script), "d.hts", out::add, diag::add);
        }
        List<String> lines = ScenarioParser.parse(TimerKernelTest.PROLOGUE + script).stream().map(l -> l.text()).toList();
        for (int i = 0; i < out.size(); i++) {
            System.out.println("DBG " + (i < lines.size() ? lines.get(i) : "") + "  ->  " + out.get(i));
        }
        System.out.println("DBG diag " + diag);
    }
}
