package io.htablab.hashtab.htab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class HtabGeometryTest {

    private static HtabAttr attr(MapType type, long key, long value, long max, MapFlag... flags) {
        int f = 0;
        for (MapFlag flag : flags) {
            f |= flag.bit();
        }
        return new HtabAttr(type, key, value, max, f);
    }

    /** The memlock figures the spec measured on the live kernel (P = 2). */
    @Test
    void memoryUsageMatchesTheKernelExamples() {
        assertThat(HtabGeometry.compute(attr(MapType.HASH, 4, 8, 4), 2).memoryUsage()).isEqualTo(1360);
        assertThat(HtabGeometry.compute(attr(MapType.HASH, 5, 3, 100), 2).memoryUsage()).isEqualTo(9488);
        assertThat(HtabGeometry.compute(attr(MapType.PERCPU_HASH, 4, 12, 10), 2).memoryUsage()).isEqualTo(2112);
        assertThat(HtabGeometry.compute(attr(MapType.LRU_HASH, 4, 4, 7), 2).memoryUsage()).isEqualTo(1472);
        assertThat(HtabGeometry.compute(attr(MapType.LRU_HASH, 4, 4, 7, MapFlag.NO_COMMON_LRU), 2).memoryUsage())
                .isEqualTo(1536);
        assertThat(HtabGeometry.compute(attr(MapType.HASH, 4, 4, 300, MapFlag.NO_PREALLOC), 2).memoryUsage(5))
                .isEqualTo(9448);
    }

    @ParameterizedTest
    @CsvSource({
        // type, key, value, max, flags, errno
        "LRU_HASH, 4, 4, 4, 1, ENOTSUPP",
        "HASH, 4, 4, 4, 2, EINVAL",
        "PERCPU_HASH, 4, 4, 0, 0, EINVAL",
        "HASH, 0, 4, 4, 0, EINVAL",
        "HASH, 4, 0, 4, 0, EINVAL",
        "PERCPU_HASH, 4, 32776, 4, 0, E2BIG",
        "LRU_PERCPU_HASH, 4, 32768, 4, 0, OK",
        "HASH, 4, 4, 4, 24, EINVAL",
        "HASH, 4, 4, 4, 384, EINVAL",
        "PERCPU_HASH, 4, 4, 4, 4, EINVAL",
        "LRU_HASH, 4, 4, 4, 6, EINVAL",
        "HASH, 4, 4, 4, 32, EINVAL",
        "HASH, 4194000, 300, 4, 0, E2BIG",
        "HASH, 4, 4, 2147483649, 0, E2BIG",
        "HASH, 4, 4, 134217729, 0, E2BIG",
        "HASH, 4, 4, 134217728, 0, OK",
    })
    void creationChecksGiveTheKernelsErrno(MapType type, long key, long value, long max, int flags, Errno expected) {
        HtabGeometry g = HtabGeometry.compute(new HtabAttr(type, key, value, max, flags), 2);
        assertThat(g.errno()).isEqualTo(expected);
        assertThat(g.reason() == null).isEqualTo(expected == Errno.OK);
        assertThat(g.field() == null).isEqualTo(expected == Errno.OK);
    }

    @Test
    void refusalsNameTheAttributeTheKernelObjectsTo() {
        assertThat(HtabGeometry.compute(attr(MapType.LRU_HASH, 4, 4, 4, MapFlag.NO_PREALLOC), 2).field())
                .isEqualTo(HtabGeometry.Field.MAP_FLAGS);
        assertThat(HtabGeometry.compute(attr(MapType.HASH, 0, 4, 4), 2).field()).isEqualTo(HtabGeometry.Field.KEY_SIZE);
        assertThat(HtabGeometry.compute(attr(MapType.HASH, 4, 4, 0), 2).field()).isEqualTo(HtabGeometry.Field.MAX_ENTRIES);
        assertThat(HtabGeometry.compute(attr(MapType.PERCPU_HASH, 4, 40000, 4), 2).field())
                .isEqualTo(HtabGeometry.Field.VALUE_SIZE);
    }

    @Test
    void noCommonLruRoundsMaxEntriesToTheCpuCount() {
        assertThat(HtabGeometry.compute(attr(MapType.LRU_HASH, 4, 4, 3, MapFlag.NO_COMMON_LRU), 2).maxEntries()).isEqualTo(4);
        assertThat(HtabGeometry.compute(attr(MapType.LRU_HASH, 4, 4, 1, MapFlag.NO_COMMON_LRU), 2).maxEntries()).isEqualTo(2);
        assertThat(HtabGeometry.compute(attr(MapType.LRU_HASH, 4, 4, 5, MapFlag.NO_COMMON_LRU), 3).maxEntries()).isEqualTo(6);
    }

    @Test
    void geometryOfAPlainHashMap() {
        HtabGeometry g = HtabGeometry.compute(attr(MapType.HASH, 5, 3, 100), 2);
        assertThat(g.nBuckets()).isEqualTo(128);
        assertThat(g.elemSize()).isEqualTo(48 + 8 + 8);
        assertThat(g.numEntries()).isEqualTo(102);
        HtabGeometry percpu = HtabGeometry.compute(attr(MapType.PERCPU_HASH, 5, 3, 100), 2);
        assertThat(percpu.elemSize()).isEqualTo(48 + 8 + 8);
        assertThat(percpu.numEntries()).isEqualTo(100);
        assertThat(percpu.userValueSize()).isEqualTo(16);
    }
}
