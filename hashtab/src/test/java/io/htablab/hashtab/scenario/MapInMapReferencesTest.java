package io.htablab.hashtab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.MapEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who holds an inner map in a scenario: its descriptor, the elements of maps of maps, and the scenario's programs.
 * The printed lines of these runs agree with the live kernel ({@code hashtab verify}); what the output cannot show
 * is when a map is freed, which the events must tell truthfully.
 */
class MapInMapReferencesTest {

    private final List<HtabEvent> events = new ArrayList<>();
    private final EngineBackend backend = new EngineBackend(events::add);
    private final Interpreter interpreter = new Interpreter(backend);
    private final List<String> out = new ArrayList<>();

    private void run(String text) throws Exception {
        interpreter.run(ScenarioParser.parse(text), "t", out::add, e -> out.add("ERR " + e));
    }

    private List<Integer> freed() {
        return events.stream().filter(e -> e instanceof MapEvent.MapFreed).map(HtabEvent::mapId).toList();
    }

    private static final String SETUP = """
            cpus 2
            create i type=hash key=4 value=8 max=4 flags=zero_seed
            update i u32:0 u64:7
            create o type=hash_of_maps key=4 value=4 max=4 inner=i flags=zero_seed
            update o u32:1 map:i
            """;

    @Test
    void afterACloseTheScenariosProgramsStillHoldTheInnerMap() throws Exception {
        run(SETUP + """
                close i
                delete o u32:1
                prog_lookup i u32:0
                """);
        assertThat(out.subList(out.size() - 3, out.size())).containsExactly("ok", "ok", "value 0700000000000000");
        assertThat(freed()).as("the programs hold i after its descriptor is closed").isEmpty();
        interpreter.close();
        assertThat(freed()).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void aReCreatedNameLeavesTheOldMapToTheMapOfMapsAlone() throws Exception {
        run(SETUP + """
                create i type=hash key=4 value=8 max=4 flags=zero_seed
                lookup o u32:1
                delete o u32:1
                """);
        assertThat(out.subList(out.size() - 3, out.size())).containsExactly("ok", "value map:i@1", "ok");
        assertThat(freed()).as("the old i goes with its last outer reference").containsExactly(1);
    }

    @Test
    void theEndOfTheRunFreesTheOuterMapAndWithItsElementsItsInnerMaps() throws Exception {
        run(SETUP);
        interpreter.close();
        assertThat(freed()).containsExactlyInAnyOrder(1, 2);
        MapEvent.MapRefsChanged last = null;
        for (HtabEvent e : events) {
            if (e instanceof MapEvent.MapRefsChanged r && r.mapId() == 1) {
                last = r;
            }
        }
        assertThat(last).isNotNull();
        assertThat(last.outerRefs()).isZero();
        assertThat(last.userRef()).isFalse();
        assertThat(last.progRefs()).isZero();
    }
}
