package io.htablab.hashtab.kernel;

import io.htablab.hashtab.htab.BatchResult;
import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.CpusMismatchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** KernelBackend against the live kernel: results, per-CPU slots, descriptors and pinning. */
class KernelBackendTest {

    private static final int ZERO_SEED = MapFlag.ZERO_SEED.bit();

    @BeforeEach
    void needsBpf() {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, kernel tests skipped: " + refused);
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /**
     * Only the process's bpf descriptors (maps, programs, links, BTF objects): the JVM may open other files on any
     * thread at any time (a jar for a class loaded by the cleaner thread), which a count of all descriptors would
     * take for a leak.
     */
    private static long openBpfFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(KernelBackendTest::isBpfFd).count();
        }
    }

    private static boolean isBpfFd(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("anon_inode:bpf");
        } catch (IOException e) {
            return false; // closed while we listed it
        }
    }

    @Test
    void elementCommandsReturnTheKernelsResults() throws Exception {
        try (KernelBackend k = new KernelBackend()) {
            Backend.MapHandle m = k.create("t", new HtabAttr(MapType.HASH, 4, 4, 2, ZERO_SEED)).map();
            assertThat(k.update(m, u32(1), u32(10), ElemFlag.BPF_ANY)).isEqualTo(Errno.OK);
            assertThat(k.update(m, u32(1), u32(11), ElemFlag.BPF_NOEXIST)).isEqualTo(Errno.EEXIST);
            assertThat(k.update(m, u32(2), u32(20), ElemFlag.BPF_EXIST)).isEqualTo(Errno.ENOENT);
            assertThat(k.update(m, u32(2), u32(20), ElemFlag.BPF_ANY)).isEqualTo(Errno.OK);
            assertThat(k.update(m, u32(3), u32(30), ElemFlag.BPF_ANY)).isEqualTo(Errno.E2BIG);
            assertThat(k.lookup(m, u32(1), 0).value()).isEqualTo(u32(10));
            assertThat(k.lookup(m, u32(1), ElemFlag.BPF_F_LOCK).errno()).isEqualTo(Errno.EINVAL);
            assertThat(k.lookupAndDelete(m, u32(2), 0).value()).isEqualTo(u32(20));
            assertThat(k.delete(m, u32(2)).name()).isEqualTo("ENOENT");
            assertThat(k.getNextKey(m, null).key()).isEqualTo(u32(1));
            assertThat(k.getNextKey(m, u32(1)).errno()).isEqualTo(Errno.ENOENT);
            Backend.InfoReply info = k.info(m);
            assertThat(info.type()).isEqualTo(MapType.HASH);
            assertThat(info.maxEntries()).isEqualTo(2);
            assertThat(info.mapFlags()).isEqualTo(ZERO_SEED);
        }
    }

    @Test
    void createErrorsAreTheKernelsErrno() throws Exception {
        try (KernelBackend k = new KernelBackend()) {
            assertThat(k.create("z", new HtabAttr(MapType.HASH, 4, 4, 0, 0)).errno()).isEqualTo(Errno.EINVAL);
            assertThat(k.create("z", new HtabAttr(MapType.LRU_HASH, 4, 4, 4, MapFlag.NO_PREALLOC.bit())).errno())
                    .isEqualTo(Errno.ENOTSUPP);
            assertThat(k.create("z", new HtabAttr(MapType.PERCPU_HASH, 4, 40_000, 4, 0)).errno()).isEqualTo(Errno.E2BIG);
            assertThat(k.openDescriptorCount()).isZero();
        }
    }

    @Test
    void programUpdateWritesOnlyTheCurrentCpusSlot() throws Exception {
        try (KernelBackend k = new KernelBackend()) {
            int cpus = k.possibleCpus();
            assumeTrue(cpus >= 2, "needs two possible CPUs");
            Backend.MapHandle m = k.create("p", new HtabAttr(MapType.PERCPU_HASH, 4, 4, 4, ZERO_SEED)).map();
            assertThat(k.selectCpu(1)).isEqualTo(Errno.OK);
            assertThat(Bpf.schedGetcpu()).isEqualTo(KernelBackend.possibleCpuIds().get(1));
            assertThat(k.progUpdate(m, u32(7), u32(0x77), ElemFlag.BPF_ANY)).isEqualTo(Errno.OK);
            assertThat(k.progLookup(m, u32(7)).value()).isEqualTo(u32(0x77));
            byte[] all = k.lookup(m, u32(7), 0).value();
            // one 8-byte slot per possible CPU: only CPU 1's holds the value
            assertThat(all).hasSize(8 * cpus);
            assertThat(java.util.Arrays.copyOfRange(all, 0, 4)).isEqualTo(u32(0));
            assertThat(java.util.Arrays.copyOfRange(all, 8, 12)).isEqualTo(u32(0x77));
            assertThat(k.progLookup(m, u32(8)).errno()).isEqualTo(Errno.ENOENT);
            assertThat(k.progDelete(m, u32(8))).isEqualTo(Errno.ENOENT);
            assertThat(k.progDelete(m, u32(7))).isEqualTo(Errno.OK);
            assertThat(k.selectCpu(cpus)).isEqualTo(Errno.EINVAL);
        }
    }

    @Test
    void verifierRefusalIsEaccesAndIsExplained() throws Exception {
        List<String> diagnostics = new ArrayList<>();
        try (KernelBackend k = new KernelBackend(diagnostics::add)) {
            Backend.MapHandle m = k.create("wp", new HtabAttr(MapType.HASH, 4, 4, 4,
                    ZERO_SEED | MapFlag.WRONLY_PROG.bit())).map();
            assertThat(k.update(m, u32(1), u32(1), 0)).isEqualTo(Errno.OK);
            assertThat(k.progLookup(m, u32(1)).errno()).isEqualTo(Errno.EACCES);
            assertThat(k.progUpdate(m, u32(1), u32(2), 0)).isEqualTo(Errno.OK);
        }
        assertThat(diagnostics).singleElement().asString().contains("verifier rejected the lookup program");
    }

    @Test
    void batchReportsCountAndCursorAsTheKernelLeftThem() throws Exception {
        try (KernelBackend k = new KernelBackend()) {
            Backend.MapHandle m = k.create("b", new HtabAttr(MapType.HASH, 4, 4, 8, ZERO_SEED)).map();
            // the spec's worked example: keys 1,2,3,4,5,9,12 on max 8 with zero_seed
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int key : new int[] {1, 2, 3, 4, 5, 9, 12}) {
                keys.add(u32(key));
                values.add(u32(key * 10));
            }
            BatchResult put = k.updateBatch(m, keys, values, 0);
            assertThat(put.errno()).isEqualTo(Errno.OK);
            assertThat(put.count()).isEqualTo(7);
            BatchResult first = k.lookupBatch(m, false, null, 3, 0);
            assertThat(first.errno()).isEqualTo(Errno.OK);
            assertThat(first.count()).isEqualTo(3);
            assertThat(first.outBatch()).isEqualTo(u32(5));
            assertThat(first.keys()).containsExactly(u32(4), u32(2), u32(1));
            BatchResult nospc = k.lookupBatch(m, false, u32(5), 1, 0);
            assertThat(nospc.errno()).isEqualTo(Errno.ENOSPC);
            assertThat(nospc.count()).isZero();
            assertThat(nospc.outBatch()).isEqualTo(u32(5));
            BatchResult past = k.lookupBatch(m, false, u32(8), 1, 0);
            assertThat(past.errno()).isEqualTo(Errno.ENOENT);
            assertThat(past.outBatch()).isNull();
            BatchResult untouched = k.lookupBatch(m, false, null, 0, 0);
            assertThat(untouched.errno()).isEqualTo(Errno.OK);
            assertThat(untouched.outBatch()).isNull();
            BatchResult badFlags = k.updateBatch(m, keys.subList(0, 2), values.subList(0, 2), ElemFlag.BPF_NOEXIST);
            assertThat(badFlags.errno()).isEqualTo(Errno.EINVAL);
            assertThat(badFlags.count()).isEqualTo(2);
            BatchResult del = k.deleteBatch(m, List.of(u32(1), u32(99), u32(2)), 0);
            assertThat(del.errno()).isEqualTo(Errno.ENOENT);
            assertThat(del.count()).isEqualTo(1);
        }
    }

    @Test
    void everyDescriptorIsClosedAndAffinityRestored() throws Exception {
        byte[] affinityBefore = Bpf.getAffinity();
        long before = openFds();
        KernelBackend k = new KernelBackend();
        Backend.MapHandle a = k.create("a", new HtabAttr(MapType.HASH, 4, 4, 4, ZERO_SEED)).map();
        Backend.MapHandle b = k.create("b", new HtabAttr(MapType.LRU_HASH, 4, 4, 4, ZERO_SEED)).map();
        k.progUpdate(a, u32(1), u32(1), 0);
        k.progLookup(a, u32(1));
        k.progDelete(b, u32(1));
        // two maps, a's scratch map and two programs, b's scratch and one program
        assertThat(k.openDescriptorCount()).isEqualTo(7);
        assertThat(openFds()).isEqualTo(before + 7);
        k.close(a);
        assertThat(openFds()).isEqualTo(before + 3);
        k.close();
        k.close();
        assertThat(openFds()).isEqualTo(before);
        assertThat(Bpf.getAffinity()).isEqualTo(affinityBefore);
        assertThatThrownBy(() -> k.lookup(b, u32(1), 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anUnclosedBackendReleasesItsDescriptorsWhenCollected() throws Exception {
        long before = openBpfFds();
        byte[] affinity = Bpf.getAffinity();
        openAndForget(before);
        // only close() can give the thread its affinity back; the cleaner runs on another thread
        Bpf.setAffinity(affinity);
        for (int i = 0; i < 50 && openBpfFds() != before; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(openBpfFds()).isEqualTo(before);
    }

    private static void openAndForget(long bpfFdsBefore) throws Exception {
        KernelBackend k = new KernelBackend();
        Backend.MapHandle m = k.create("f", new HtabAttr(MapType.HASH, 4, 4, 4, ZERO_SEED)).map();
        k.progUpdate(m, u32(1), u32(1), 0);
        assertThat(k.openDescriptorCount()).isEqualTo(3);
        assertThat(openBpfFds()).as("the map, its scratch map and the update program").isEqualTo(bpfFdsBefore + 3);
    }

    @Test
    void aDifferentCpuCountCannotRunHere() throws Exception {
        try (KernelBackend k = new KernelBackend()) {
            k.setPossibleCpus(k.possibleCpus());
            assertThatThrownBy(() -> k.setPossibleCpus(k.possibleCpus() + 1))
                    .isInstanceOf(CpusMismatchException.class)
                    .hasMessageContaining("this kernel has " + k.possibleCpus());
        }
    }

    @Test
    void startsPinnedToTheFirstPossibleCpu() throws Exception {
        try (KernelBackend k = new KernelBackend()) {
            assertThat(Bpf.schedGetcpu()).isEqualTo(KernelBackend.possibleCpuIds().get(0));
            assertThat(k.possibleCpus()).isEqualTo(KernelBackend.possibleCpuIds().size());
        }
    }
}
