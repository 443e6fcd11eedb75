package io.htablab.benchmarks;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.CreateResult;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.MapOptions;
import io.htablab.hashtab.htab.MapType;

/** Creating the engine maps the benchmarks use: 4-byte keys, 8-byte values, preallocated, 2 possible CPUs. */
final class Engine {

    static final int KEY_SIZE = 4;
    static final int VALUE_SIZE = 8;
    static final int CPUS = 2;
    /** A fixed hash seed so that runs are repeatable. */
    static final int HASH_SEED = 0x1234_5678;

    private Engine() {
    }

    static BpfMap create(MapType type, int maxEntries) {
        CreateResult r = BpfMap.create(new HtabAttr(type, KEY_SIZE, VALUE_SIZE, maxEntries, 0),
                MapOptions.defaults().withPossibleCpus(CPUS).withSeed(HASH_SEED));
        if (!r.isOk()) {
            throw new IllegalStateException("creating " + type + " with " + maxEntries + " entries failed: "
                    + r.errno() + " " + r.detail());
        }
        return r.map();
    }

    /** Throw unless the engine reported success; used only in setup, never in a measured method. */
    static void check(Errno errno, String what) {
        if (!errno.isOk()) {
            throw new IllegalStateException(what + " failed: " + errno);
        }
    }
}
