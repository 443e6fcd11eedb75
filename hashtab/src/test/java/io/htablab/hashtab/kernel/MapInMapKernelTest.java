package io.htablab.hashtab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.CreateResult;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapOptions;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.EngineBackend;
import io.htablab.hashtab.scenario.gen.MapInMapScenarioGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * hash_of_maps, engine against the live kernel: creation verdicts (template rules, the order of the checks),
 * updates with matching and mismatching inner maps, lookups (ids), deletes, lookup_and_delete, next_key, dumps, the
 * four batch commands, program lookups of the inner map and through it, inner maps that outlive their descriptor,
 * and {@code htablab.diff.mapinmap} (default 60) random scenarios; plus the fdinfo memlock of outer maps.
 */
class MapInMapKernelTest {

    private static final int RANDOM = Integer.getInteger("htablab.diff.mapinmap", 60);
    private static final long FIRST_SEED = Long.getLong("htablab.diff.seed", 1L);
    private static final Supplier<Backend> ENGINE = EngineBackend::new;
    private static final Supplier<Backend> KERNEL = Differential.kernel(m -> { });

    private static void needsKernel() {
        String refused = KernelBackend.probe();
        assumeTrue(refused == null, () -> "bpf() is not usable here, kernel tests skipped: " + refused);
    }

    private static void agree(String text, String name) {
        Differential.Outcome o = Differential.compare(text, name, ENGINE, KERNEL);
        assumeTrue(o.verdict() != Differential.Verdict.CANNOT_RUN, () -> name + " cannot run here: " + o.why());
        if (o.verdict() == Differential.Verdict.DIFFER) {
            Differential.Minimised m = Differential.minimise(o, name, ENGINE, KERNEL, 100);
            fail(Differential.describe(o, name) + "minimised (" + m.lines() + " statements):\n" + m.text());
        }
    }

    @Test
    void creationVerdicts() {
        needsKernel();
        agree("""
                create t type=hash key=4 value=8 max=4 flags=zero_seed
                create o type=hash_of_maps key=4 value=8 max=4 inner=t
                create o type=hash_of_maps key=4 value=4 max=4
                create o type=hash_of_maps key=0 value=4 max=4
                create o type=hash_of_maps key=4 value=4 max=0 inner=t
                create o type=hash_of_maps key=4 value=4 max=4 inner=t flags=inner_map
                create o type=hash_of_maps key=4 value=4 max=4 inner=t flags=no_common_lru
                create o type=hash_of_maps key=4 value=4 max=4 inner=t flags=rdonly,wronly
                create o type=hash_of_maps key=4 value=4 max=4 inner=t flags=rdonly_prog,wronly_prog
                create o type=hash_of_maps key=4 value=4 max=2147483649 inner=t
                create o type=hash_of_maps key=4 value=4 max=268435456 inner=t
                create o type=hash_of_maps key=4 value=4 max=4 inner=t flags=numa_node numa=0
                create o type=hash_of_maps key=4 value=4 max=4 inner=t flags=numa_node numa=7
                create o type=hash_of_maps key=4 value=4 max=4 inner=t flags=zero_seed,no_prealloc
                info o
                create n type=hash_of_maps key=4 value=4 max=4 inner=o
                create h type=hash key=4 value=4 max=4 inner=t
                create l type=lru_hash key=4 value=8 max=4 flags=no_common_lru
                create o2 type=hash_of_maps key=4 value=4 max=4 inner=l
                info o2
                create p type=lru_percpu_hash key=4 value=8 max=3
                create o3 type=hash_of_maps key=2 value=4 max=3 inner=p
                info o3
                """, "creation");
    }

    @Test
    void templateMatching() {
        needsKernel();
        agree("""
                create t type=hash key=4 value=8 max=4 flags=zero_seed
                create o type=hash_of_maps key=4 value=4 max=16 inner=t flags=zero_seed
                create same type=hash key=4 value=8 max=4 flags=zero_seed
                create bigger type=hash key=4 value=8 max=1000 flags=zero_seed
                create noseed type=hash key=4 value=8 max=4
                create prealloc0 type=hash key=4 value=8 max=4 flags=zero_seed,no_prealloc
                create key8 type=hash key=8 value=8 max=4 flags=zero_seed
                create val4 type=hash key=4 value=4 max=4 flags=zero_seed
                create pc type=percpu_hash key=4 value=8 max=4 flags=zero_seed
                create lru type=lru_hash key=4 value=8 max=4 flags=zero_seed
                create ro type=hash key=4 value=8 max=4 flags=zero_seed,rdonly
                create wo type=hash key=4 value=8 max=4 flags=zero_seed,wronly
                create rop type=hash key=4 value=8 max=4 flags=zero_seed,rdonly_prog
                update o u32:1 map:same
                update o u32:2 map:bigger
                update o u32:3 map:noseed
                update o u32:4 map:prealloc0
                update o u32:5 map:key8
                update o u32:6 map:val4
                update o u32:7 map:pc
                update o u32:8 map:lru
                update o u32:9 map:ro
                update o u32:10 map:wo
                update o u32:11 map:rop
                update o u32:12 map:t
                update o u32:13 map:o
                update o u32:1 map:same lock
                update o u32:1 map:same noexist
                update o u32:14 map:same exist
                dump o
                """, "template");
    }

    @Test
    void operationsOnBothLayouts() {
        needsKernel();
        for (String flags : List.of("zero_seed", "zero_seed,no_prealloc")) {
            agree("""
                    cpus %d
                    create t type=percpu_hash key=4 value=8 max=4 flags=zero_seed
                    create a type=percpu_hash key=4 value=8 max=4 flags=zero_seed
                    create b type=percpu_hash key=4 value=8 max=9 flags=zero_seed
                    update a u32:1 u64:11
                    update b u32:1 u64:21
                    create o type=hash_of_maps key=8 value=4 max=3 inner=t flags=%s
                    update o u64:1 map:a
                    update o u64:2 map:b
                    update o u64:3 map:a
                    update o u64:4 map:b
                    update o u64:3 map:b
                    dump o
                    next_key o u64:9
                    next_key o u64:2
                    lookup o u64:3
                    lookup_and_delete o u64:3
                    prog_lookup o u64:1
                    prog_lookup o u64:4
                    prog_lookup o u64:1 inner=u32:1
                    prog_lookup o u64:2 inner=u32:1
                    prog_lookup o u64:2 inner=u32:2
                    prog_update o u64:1 map:a
                    prog_delete o u64:1
                    lookup_batch o count=1
                    lookup_batch o count=3
                    lookup_batch o count=3 in=02000000
                    lookup_batch o count=3 in=04000000
                    update_batch o u64:5=map:a u64:6=map:b
                    update_batch o u64:2=map:a u64:7=map:t
                    update_batch o u64:2=map:a flags=noexist
                    delete_batch o u64:2 u64:9
                    lookup_and_delete_batch o count=8
                    dump o
                    info o
                    """.formatted(KernelBackend.possibleCpuIds().size(), flags), "operations-" + flags);
        }
    }

    @Test
    void innerMapsOutliveTheirDescriptors() {
        needsKernel();
        agree("""
                create t type=hash key=4 value=8 max=4 flags=zero_seed
                create o type=hash_of_maps key=4 value=4 max=8 inner=t flags=zero_seed
                create i type=hash key=4 value=8 max=4 flags=zero_seed
                update i u32:1 u64:100
                update o u32:1 map:i
                update o u32:2 map:i
                create i type=hash key=4 value=8 max=4 flags=zero_seed
                update i u32:1 u64:200
                update o u32:3 map:i
                dump o
                prog_lookup o u32:1 inner=u32:1
                prog_lookup o u32:3 inner=u32:1
                create i type=hash key=4 value=8 max=4 flags=zero_seed
                dump o
                delete o u32:1
                lookup_and_delete_batch o count=1
                dump o
                """, "outlive");
    }

    /** The close statement: the descriptor goes, the scenario's programs keep the map after the outer lets it go. */
    @Test
    void aClosedInnerMapLivesOnThroughThePrograms() {
        needsKernel();
        agree("""
                create i type=hash key=4 value=8 max=4 flags=zero_seed
                update i u32:0 u64:7
                create o type=hash_of_maps key=4 value=4 max=4 inner=i flags=zero_seed
                update o u32:1 map:i
                close i
                lookup o u32:1
                prog_lookup o u32:1 inner=u32:0
                lookup i u32:0
                delete o u32:1
                prog_lookup i u32:0
                prog_update i u32:1 u64:9
                prog_lookup i u32:1
                update o u32:2 map:i
                dump o
                """, "closed-inner");
    }

    static Stream<Long> seeds() {
        return LongStream.range(FIRST_SEED, FIRST_SEED + RANDOM).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomScenarios(long seed) {
        needsKernel();
        String text = MapInMapScenarioGenerator.generate(seed, KernelBackend.possibleCpuIds().size(),
                MapInMapScenarioGenerator.DEFAULT_STATEMENTS);
        agree(text, "random-hash_of_maps-seed" + seed);
    }

    /** fdinfo memlock of outer maps against the engine's: prealloc (no extra elements on 6.18) and not. */
    @ParameterizedTest(name = "key {0}")
    @ValueSource(ints = {1, 4, 5, 8, 64})
    void memlockEqualsTheKernels(int keySize) throws Exception {
        needsKernel();
        Bpf bpf = Bpf.open();
        long inner = bpf.mapCreate(MapType.HASH.uapiValue(), 4, 8, 4, 0, 0, null);
        assertThat(inner).isNotNegative();
        List<Long> open = new ArrayList<>(List.of(inner));
        try {
            BpfRuntime rt = new BpfRuntime();
            int p = KernelBackend.possibleCpuIds().size();
            MapOptions opts = MapOptions.defaults().withPossibleCpus(p).withRuntime(rt);
            BpfMap engineInner = BpfMap.create(new HtabAttr(MapType.HASH, 4, 8, 4, 0), opts).map();
            for (long max : new long[] {1, 3, 100, 1024}) {
                for (int flags : new int[] {0, MapFlag.NO_PREALLOC.bit()}) {
                    com.sun.jna.Memory a = Bpf.mapCreateAttr(MapType.HASH_OF_MAPS.uapiValue(), keySize, 4, (int) max,
                            flags, 0, null);
                    a.setInt(Bpf.INNER_MAP_FD_OFFSET, (int) inner);
                    long fd = bpf.call(Bpf.BPF_MAP_CREATE, a);
                    assertThat(fd).as("kernel create").isNotNegative();
                    open.add(fd);
                    CreateResult e = BpfMap.create(new HtabAttr(MapType.HASH_OF_MAPS, keySize, 4, max, flags)
                            .withInnerMapFd(engineInner.fd()), opts);
                    assertThat(e.errno()).isEqualTo(Errno.OK);
                    long kernelMemlock = LoadedMaps.memlockOfFd((int) fd);
                    assertThat(e.map().memlock()).as("max %d flags %d", max, flags).isEqualTo(kernelMemlock);
                    if (flags != 0) {
                        // one element more: (elem_size + 8) on both sides
                        com.sun.jna.Memory k = Bpf.copyOf(new byte[keySize]);
                        com.sun.jna.Memory v = Bpf.copyOf(le32((int) inner));
                        assertThat(bpf.mapUpdateElem((int) fd, k, v, 0)).isZero();
                        assertThat(e.map().update(0, new byte[keySize], le32(engineInner.fd()), 0))
                                .isEqualTo(Errno.OK);
                        assertThat(e.map().memlock()).isEqualTo(LoadedMaps.memlockOfFd((int) fd));
                    }
                }
            }
        } finally {
            open.forEach(Bpf::closeFd);
        }
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
