package io.htablab.lsp;

import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.HtabGeometry;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.kernel.KernelBackend;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Hover over a map definition whose namesake this test loads into the running kernel. */
class LiveMapsKernelTest {

    private static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    /** The kernel's id for a map descriptor, from fdinfo (not through the code under test). */
    private static long mapIdOf(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("map_id:")) {
                return Long.parseLong(line.substring("map_id:".length()).strip());
            }
        }
        throw new AssertionError("no map_id line in fdinfo of fd " + fd);
    }

    private static String definition(String name) {
        return "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "struct {\n    __uint(type, BPF_MAP_TYPE_HASH);\n    __uint(max_entries, 64);\n"
                + "    __type(key, __u32);\n    __type(value, __u64);\n"
                + "} " + name + " SEC(\".maps\");\n";
    }

    @Test
    void hoverShowsTheKernelsIdEntriesAndMemlock() throws Exception {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, live-map hover test skipped: " + refused);
        // A unique prefix keeps concurrent runs apart; the C name is longer than the 15 characters the
        // kernel keeps, so matching must use the truncated name.
        String prefix = String.format(Locale.ROOT, "hl%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        String cName = prefix + "_live_hover_map";
        String kernelName = cName.substring(0, 15);
        String text = definition(cName);
        HtabAttr attr = new HtabAttr(MapType.HASH, 4, 8, 64, 0);
        LiveMaps live = new LiveMaps(new LiveMaps.KernelSource(2000), 0);
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2), live);
        try (KernelBackend k = new KernelBackend()) {
            KernelBackend.KernelMap m = (KernelBackend.KernelMap) k.create(kernelName, attr).map();
            assertThat(m).as("BPF_MAP_CREATE").isNotNull();
            for (int key = 1; key <= 3; key++) {
                assertThat(k.update(m, u32(key), new byte[8], ElemFlag.BPF_ANY)).isEqualTo(Errno.OK);
            }
            long id = mapIdOf(m.fd());
            long memlock = HtabGeometry.compute(attr, k.possibleCpus()).memoryUsage();

            service.prefetchLiveMaps(Dsl.URI, text);
            live.awaitIdle(10_000);
            String hover = service.hover(Dsl.URI, text, 7, 4).orElseThrow();
            assertThat(hover).contains("**Loaded on this machine**: id " + id + ", 3 entries of 64, memlock "
                    + String.format(Locale.ROOT, "%,d B", memlock), "(hash, key 4 B, value 8 B)");
        }
        // Once the map is gone, the next refresh forgets it (wait out a refresh the hover may have started
        // while the map still existed).
        live.awaitIdle(10_000);
        service.prefetchLiveMaps(Dsl.URI, text);
        live.awaitIdle(10_000);
        assertThat(service.hover(Dsl.URI, text, 7, 4).orElseThrow()).doesNotContain("Loaded on this machine");
    }

    @Test
    void anIncompleteCountIsShownAsALowerBound() throws Exception {
        LiveMaps live = new LiveMaps(new LiveMaps.Source() {
            @Override
            public List<LiveMaps.LiveMap> list() {
                return List.of(new LiveMaps.LiveMap(5, "big_map", "hash", 4, 8, 64, 9_000, -1));
            }

            @Override
            public long countEntries(long id) {
                throw new AssertionError("count(id) is overridden");
            }

            @Override
            public LiveMaps.Count count(long id) {
                return new LiveMaps.Count(40, true);
            }
        }, 60_000);
        HtabLanguageService service = new HtabLanguageService(LspSettings.defaults().withPossibleCpus(2), live);
        String text = definition("big_map");
        service.prefetchLiveMaps(Dsl.URI, text);
        live.awaitIdle(5000);
        assertThat(service.hover(Dsl.URI, text, 7, 4).orElseThrow())
                .contains("**Loaded on this machine**: id 5, at least 40 entries of 64, memlock 9,000 B");
    }
}
