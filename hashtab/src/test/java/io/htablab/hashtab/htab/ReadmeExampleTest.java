package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The API example of README.md, kept compiling and true. */
class ReadmeExampleTest {

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    @Test
    void readmeExample() {
        // --- README example begins
        HtabAttr attr = new HtabAttr(MapType.HASH, 4, 8, 1024, MapFlag.ZERO_SEED.bit());
        BpfMap map = BpfMap.create(attr, MapOptions.defaults().withPossibleCpus(2)).map();

        List<HtabEvent> trace = new ArrayList<>();
        map.addListener(trace::add);                       // every internal step, as records

        CpuContext cpu0 = map.onCpu(0);
        Errno e = cpu0.update(u32(1), u64(100), ElemFlag.BPF_NOEXIST);      // Errno.OK
        Errno again = cpu0.update(u32(1), u64(101), ElemFlag.BPF_NOEXIST);  // Errno.EEXIST, as the kernel
        ValueResult hit = cpu0.lookup(u32(1));             // hit.value() = 100 as 8 LE bytes
        KeyResult first = cpu0.getNextKey(null);           // iteration in bucket order
        long memlock = map.memlock();                      // fdinfo memlock, by the kernel's formula
        // --- README example ends

        assertThat(e).isEqualTo(Errno.OK);
        assertThat(again).isEqualTo(Errno.EEXIST);
        assertThat(hit.value()).isEqualTo(u64(100));
        assertThat(first.key()).isEqualTo(u32(1));
        assertThat(memlock).isEqualTo(HtabGeometry.compute(attr, 2).memoryUsage());
        assertThat(trace).anySatisfy(ev -> assertThat(ev).isInstanceOf(BucketEvent.HashComputed.class));
        assertThat(trace).anySatisfy(ev -> assertThat(ev).isInstanceOf(BucketEvent.ElemLinked.class));
    }
}
