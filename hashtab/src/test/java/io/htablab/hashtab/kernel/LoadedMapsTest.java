package io.htablab.hashtab.kernel;

import com.sun.jna.Memory;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.HtabGeometry;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** LoadedMaps against maps this test loads into the live kernel, and its pure parts. */
class LoadedMapsTest {

    private static void needsBpf() {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, loaded-map tests skipped: " + refused);
        String listing = LoadedMaps.unavailableReason();
        assumeTrue(listing == null, () -> "listing loaded maps is not possible here, tests skipped: " + listing);
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** The map id the kernel prints in fdinfo, read without LoadedMaps' bpf() path. */
    private static long mapIdOf(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("map_id:")) {
                return Long.parseLong(line.substring("map_id:".length()).strip());
            }
        }
        throw new AssertionError("no map_id line in fdinfo of fd " + fd);
    }

    static Stream<Arguments> hashMaps() {
        return Stream.of(
                Arguments.of(MapType.HASH, 0),
                Arguments.of(MapType.HASH, MapFlag.NO_PREALLOC.bit()),
                Arguments.of(MapType.PERCPU_HASH, 0),
                Arguments.of(MapType.PERCPU_HASH, MapFlag.NO_PREALLOC.bit()),
                Arguments.of(MapType.LRU_HASH, 0),
                Arguments.of(MapType.LRU_HASH, MapFlag.NO_COMMON_LRU.bit()),
                Arguments.of(MapType.LRU_PERCPU_HASH, 0));
    }

    @ParameterizedTest(name = "{0} flags {1}")
    @MethodSource("hashMaps")
    void findsAMapThisProcessLoaded(MapType type, int flags) throws Exception {
        needsBpf();
        HtabAttr attr = new HtabAttr(type, 4, 12, 100, flags);
        long id;
        try (KernelBackend k = new KernelBackend()) {
            KernelBackend.KernelMap m = (KernelBackend.KernelMap) k.create("htablab_live_1", attr).map();
            assertThat(m).as("BPF_MAP_CREATE").isNotNull();
            byte[] value = new byte[m.userValueSize()];
            for (int key = 1; key <= 3; key++) {
                assertThat(k.update(m, u32(key), value, ElemFlag.BPF_ANY)).isEqualTo(Errno.OK);
            }
            id = mapIdOf(m.fd());
            long fdsBefore = openFds();

            LoadedMaps.LoadedMap found = LoadedMaps.list().stream().filter(l -> l.id() == id).findFirst()
                    .orElseThrow(() -> new AssertionError("map id " + id + " not listed"));
            assertThat(found).isEqualTo(new LoadedMaps.LoadedMap(id, "htablab_live_1", type.uapiValue(),
                    type.scenarioName(), 4, 12, 100, flags));
            assertThat(LoadedMaps.find(id)).contains(found);
            assertThat(LoadedMaps.countEntries(id)).isEqualTo(new LoadedMaps.EntryCount(3, true, null));
            // The engine's formula and the kernel's htab_map_mem_usage must agree; on demand maps count
            // their linked elements.
            HtabGeometry g = HtabGeometry.compute(attr, k.possibleCpus());
            long expected = attr.isPrealloc() ? g.memoryUsage() : g.memoryUsage(3);
            assertThat(LoadedMaps.memlock(id)).isEqualTo(expected);
            assertThat(LoadedMaps.memlockOfFd(m.fd())).isEqualTo(expected);

            assertThat(openFds()).as("descriptors left open by LoadedMaps").isEqualTo(fdsBefore);
        }
        // Closing the only descriptor frees the map and its id.
        assertThat(LoadedMaps.find(id)).isEmpty();
        assertThat(LoadedMaps.list()).noneMatch(l -> l.id() == id);
        assertThat(LoadedMaps.memlock(id)).isEqualTo(-1);
        assertThat(LoadedMaps.countEntries(id).known()).isFalse();
    }

    @Test
    void preallocatedHashMemlockIsTheEngineFormula() throws Exception {
        needsBpf();
        HtabAttr attr = new HtabAttr(MapType.HASH, 4, 8, 64, 0);
        try (KernelBackend k = new KernelBackend()) {
            KernelBackend.KernelMap m = (KernelBackend.KernelMap) k.create("htablab_live_1", attr).map();
            long id = mapIdOf(m.fd());
            for (int key = 10; key < 13; key++) {
                assertThat(k.update(m, u32(key), new byte[8], ElemFlag.BPF_ANY)).isEqualTo(Errno.OK);
            }
            assertThat(LoadedMaps.memlock(id))
                    .isEqualTo(HtabGeometry.compute(attr, k.possibleCpus()).memoryUsage());
            assertThat(LoadedMaps.countEntries(id).count()).isEqualTo(3);
        }
    }

    @Test
    void theWalkStopsAtTheCapAndSaysAtLeast() throws Exception {
        needsBpf();
        try (KernelBackend k = new KernelBackend()) {
            KernelBackend.KernelMap m = (KernelBackend.KernelMap) k
                    .create("htablab_live_c", new HtabAttr(MapType.HASH, 4, 4, 16, 0)).map();
            for (int key = 0; key < 5; key++) {
                k.update(m, u32(key), u32(key), ElemFlag.BPF_ANY);
            }
            long id = mapIdOf(m.fd());
            LoadedMaps.EntryCount capped = LoadedMaps.countEntries(id, 2, 0);
            assertThat(capped.count()).isEqualTo(2);
            assertThat(capped.exact()).isFalse();
            assertThat(capped).hasToString("at least 2");
            // a cap equal to the number of keys is still exact: the walk ends with ENOENT
            assertThat(LoadedMaps.countEntries(id, 5, 0)).isEqualTo(new LoadedMaps.EntryCount(5, true, null));
            assertThat(LoadedMaps.countEntries(id, 1_000, 60_000)).hasToString("5");
        }
    }

    @Test
    void arrayMapsCountEveryIndexAndUnnamedMapsHaveAnEmptyName() throws Exception {
        needsBpf();
        Bpf bpf = Bpf.open();
        long fd = bpf.mapCreate(Bpf.BPF_MAP_TYPE_ARRAY, 4, 8, 7, 0, 0, null);
        assertThat(fd).as("BPF_MAP_CREATE array").isNotNegative();
        try {
            long id = mapIdOf((int) fd);
            LoadedMaps.LoadedMap m = LoadedMaps.find(id).orElseThrow();
            assertThat(m.name()).isEmpty();
            assertThat(m.typeName()).isEqualTo("array");
            assertThat(m.type()).isEqualTo(2);
            assertThat(LoadedMaps.describe((int) fd)).contains(m);
            // every index of an array exists from creation on
            assertThat(LoadedMaps.countEntries(id)).isEqualTo(new LoadedMaps.EntryCount(7, true, null));
        } finally {
            Bpf.closeFd(fd);
        }
    }

    @Test
    void keylessMapsCannotBeCounted() throws Exception {
        needsBpf();
        Bpf bpf = Bpf.open();
        // BPF_MAP_TYPE_QUEUE (22): key_size must be 0
        long fd = bpf.mapCreate(22, 0, 4, 4, 0, 0, "htablab_queue");
        assumeTrue(fd >= 0, "this kernel has no queue maps");
        try {
            long id = mapIdOf((int) fd);
            assertThat(LoadedMaps.find(id).orElseThrow().typeLabel()).isEqualTo("queue");
            LoadedMaps.EntryCount c = LoadedMaps.countEntries(id);
            assertThat(c.known()).isFalse();
            assertThat(c.reason()).contains("queue");
        } finally {
            Bpf.closeFd(fd);
        }
    }

    @Test
    void whereListingIsRefusedEverythingIsEmpty() {
        String reason = LoadedMaps.unavailableReason();
        assumeTrue(reason != null, "bpf() listing works here; this test is for unprivileged runs");
        assertThat(LoadedMaps.list()).isEmpty();
        assertThat(LoadedMaps.find(1)).isEmpty();
        assertThat(LoadedMaps.memlock(1)).isEqualTo(-1);
        assertThat(LoadedMaps.countEntries(1).known()).isFalse();
    }

    @Test
    void typeNamesFollowTheUapiEnum() {
        assertThat(LoadedMaps.typeName(1)).isEqualTo("hash");
        assertThat(LoadedMaps.typeName(9)).isEqualTo("lru_hash");
        assertThat(LoadedMaps.typeName(13)).isEqualTo("hash_of_maps");
        assertThat(LoadedMaps.typeName(27)).isEqualTo("ringbuf");
        assertThat(LoadedMaps.typeName(33)).isEqualTo("arena");
        assertThat(LoadedMaps.typeName(34)).isNull();
        assertThat(LoadedMaps.typeName(-1)).isNull();
        for (MapType t : MapType.values()) {
            assertThat(LoadedMaps.typeName(t.uapiValue())).isEqualTo(t.scenarioName());
        }
        assertThat(new LoadedMaps.LoadedMap(1, "x", 77, null, 4, 4, 1, 0).typeLabel()).isEqualTo("77");
    }

    @Test
    void namesEndAtTheFirstNul() {
        byte[] raw = "abc\0junk\0\0\0\0\0\0\0\0".getBytes(StandardCharsets.US_ASCII);
        assertThat(LoadedMaps.name(raw)).isEqualTo("abc");
        assertThat(LoadedMaps.name("fifteen_chars_x\0".getBytes(StandardCharsets.US_ASCII))).isEqualTo("fifteen_chars_x");
        assertThat(LoadedMaps.name(new byte[16])).isEmpty();
    }

    @Test
    void idCommandAttrLayouts() {
        Memory next = Bpf.getNextIdAttr(41);
        assertThat(next.size()).isEqualTo(8);
        assertThat(next.getInt(0)).isEqualTo(41);
        assertThat(next.getInt(4)).isZero();
        Memory byId = Bpf.getFdByIdAttr(42, Bpf.BPF_F_RDONLY);
        assertThat(byId.size()).isEqualTo(12);
        assertThat(byId.getInt(0)).isEqualTo(42);
        assertThat(byId.getInt(4)).isZero();
        assertThat(byId.getInt(8)).isEqualTo(8);
        assertThat(Bpf.BPF_MAP_GET_NEXT_ID).isEqualTo(12);
        assertThat(Bpf.BPF_MAP_GET_FD_BY_ID).isEqualTo(14);
    }
}
