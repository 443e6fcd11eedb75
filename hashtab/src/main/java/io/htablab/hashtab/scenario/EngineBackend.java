package io.htablab.hashtab.scenario;

import io.htablab.hashtab.htab.BatchResult;
import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.BpfRuntime;
import io.htablab.hashtab.htab.ChainWalker;
import io.htablab.hashtab.htab.CreateResult;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.KeyResult;
import io.htablab.hashtab.htab.OpResult;
import io.htablab.hashtab.htab.lock.LockKind;
import io.htablab.hashtab.htab.MapInfo;
import io.htablab.hashtab.htab.MapOptions;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.ValueResult;
import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.fields.BpfCallback;
import io.htablab.hashtab.htab.fields.CallbackFrame;
import io.htablab.hashtab.htab.fields.HelperResult;

import java.util.List;

/**
 * The htab-lab engine as a scenario {@link Backend}: every map is a {@link BpfMap}, every statement
 * runs atomically on the scenario's current CPU (CPU 0 until a {@code cpu} statement).
 */
public final class EngineBackend implements Backend {
    public static final int MAX_CPUS = 64;

    private final EventSink events;
    /** One simulated kernel per run: map ids start at 1 in every scenario, as on a fresh machine. */
    private final BpfRuntime runtime = new BpfRuntime();
    private int possibleCpus = MapOptions.machinePossibleCpus();
    private Integer seed;
    private int cpu;

    /** An engine whose maps nobody listens to. */
    public EngineBackend() {
        this(EventSink.NONE);
    }

    /** An engine whose maps report every internal step to {@code events} (the visualizer's entry point). */
    public EngineBackend(EventSink events) {
        this.events = events == null ? EventSink.NONE : events;
    }

    /** The simulated kernel this backend's maps live in. */
    public BpfRuntime runtime() {
        return runtime;
    }

    /** The engine map behind a handle this backend created (read-only state for views and tests). */
    public BpfMap engineMap(MapHandle handle) {
        return ((EngineMap) handle).map;
    }

    /** Sets the possible-CPU count without a statement (the command line's --cpus). */
    public void setPossibleCpusDirect(int cpus) {
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("possible CPUs must be 1.." + MAX_CPUS + ", got " + cpus);
        }
        possibleCpus = cpus;
        cpu = Math.min(cpu, cpus - 1);
    }

    /** Uses {@code seed} as hashrnd for maps created without zero_seed (demos want a chosen seed). */
    public void setSeed(int seed) {
        this.seed = seed;
    }

    /** The CPU later operations run on. */
    public int currentCpu() {
        return cpu;
    }

    @Override
    public String name() {
        return "engine";
    }

    @Override
    public int possibleCpus() {
        return possibleCpus;
    }

    @Override
    public void setPossibleCpus(long count) throws ScenarioException {
        if (count < 1 || count > MAX_CPUS) {
            throw new ScenarioException("the engine models 1.." + MAX_CPUS + " possible CPUs, not " + count);
        }
        setPossibleCpusDirect((int) count);
    }

    @Override
    public Errno selectCpu(int cpu) {
        if (cpu < 0 || cpu >= possibleCpus) {
            return Errno.EINVAL;
        }
        this.cpu = cpu;
        return Errno.OK;
    }

    @Override
    public Created create(String name, HtabAttr attr) {
        MapOptions options = MapOptions.defaults().withPossibleCpus(possibleCpus).withCreatingCpu(cpu)
                .withEvents(events).withRuntime(runtime).withName(name);
        if (seed != null) {
            options = options.withSeed(seed);
        }
        CreateResult r = BpfMap.create(attr, options);
        return new Created(r.errno(), r.isOk() ? new EngineMap(r.map()) : null);
    }

    @Override
    public void close(MapHandle map) {
        // The scenario lets go of the map (a re-created name, the end of the run): with it go the programs that
        // held it, so the map is freed (its descriptor closed first if a close statement has not) -- unless a map
        // of maps still holds it: then only the descriptor goes, and the last outer reference frees it.
        BpfMap m = m(map);
        if (m.outerRefs() == 0) {
            m.mapFree();
            return;
        }
        if (m.progRefs() > 0) {
            m.bpfProgReleaseMap();
        }
        if (m.hasUserRefs()) {
            m.closeFd();
        }
    }

    // ------------------------------------------------------------------ extensions

    @Override
    public void setProfile(KernelProfile profile) {
        runtime.setProfile(profile);
    }

    @Override
    public int descriptor(MapHandle map) {
        return m(map).fd();
    }

    @Override
    public ValueResult progLookupInner(MapHandle outer, byte[] key, byte[] innerKey) throws ScenarioException {
        BpfMap o = m(outer);
        MapInfo template = o.innerMapTemplate();
        if (innerKey.length != template.keySize()) {
            throw new ScenarioException("inner key has " + innerKey.length + " bytes, the inner map template has key_size "
                    + template.keySize());
        }
        BpfMap inner = o.progLookupInnerMap(cpu, key);
        if (inner == null) {
            return ValueResult.error(Errno.ENOENT);
        }
        return inner.progLookup(cpu, innerKey);
    }

    @Override
    public NestedRun armNested(String attachPoint, NestedCall call) throws ScenarioException {
        BpfRuntime.AttachPoint at = BpfRuntime.AttachPoint.fromKernelName(attachPoint);
        if (at == null) {
            throw new ScenarioException("unknown attach point '" + attachPoint + "'");
        }
        BpfMap target = m(call.map());
        String description = call.helper() + " " + (target.name().isEmpty() ? "#" + target.id() : target.name());
        BpfRuntime.NestedProgram p = runtime.armNestedProgram(at, cpu, description, c -> switch (call.helper()) {
            case "prog_update" -> done(target.progUpdate(c, call.key(), call.value(), call.flags()));
            case "prog_delete" -> done(target.progDelete(c, call.key()));
            default -> target.progLookup(c, call.key());
        });
        return new NestedRun() {
            @Override
            public ValueResult result() {
                return p.result();
            }

            @Override
            public void disarm() {
                if (!p.fired()) {
                    runtime.disarmNestedProgram();
                }
            }
        };
    }

    private static ValueResult done(Errno e) {
        return e.isOk() ? ValueResult.ok(null) : ValueResult.error(e);
    }

    @Override
    public void injectLockFailure(MapHandle map, String lock, int nth, Errno errno) throws ScenarioException {
        LockKind kind = LockKind.fromScenarioName(lock);
        if (kind == null) {
            throw new ScenarioException("unknown lock '" + lock + "' (lock, lru_lock, freelist_lock)");
        }
        OpResult r = m(map).injectLockFailure(kind, nth, errno);
        if (!r.errno().isOk()) {
            throw new ScenarioException("inject: " + r.detail());
        }
    }

    @Override
    public ValueResult lookup(MapHandle map, byte[] key, long flags) {
        return m(map).lookup(cpu, key, flags);
    }

    @Override
    public Errno update(MapHandle map, byte[] key, byte[] value, long flags) {
        return m(map).update(cpu, key, value, flags);
    }

    @Override
    public Errno delete(MapHandle map, byte[] key) {
        return m(map).delete(cpu, key);
    }

    @Override
    public ValueResult lookupAndDelete(MapHandle map, byte[] key, long flags) {
        return m(map).lookupAndDelete(cpu, key, flags);
    }

    @Override
    public KeyResult getNextKey(MapHandle map, byte[] key) {
        return m(map).getNextKey(cpu, key);
    }

    @Override
    public BatchResult lookupBatch(MapHandle map, boolean andDelete, byte[] in, long count, long elemFlags) {
        BpfMap bpfMap = m(map);
        return andDelete ? bpfMap.lookupAndDeleteBatch(cpu, in, count, elemFlags, 0)
                : bpfMap.lookupBatch(cpu, in, count, elemFlags, 0);
    }

    @Override
    public BatchResult updateBatch(MapHandle map, List<byte[]> keys, List<byte[]> values, long elemFlags) {
        return m(map).updateBatch(cpu, keys, values, elemFlags);
    }

    @Override
    public BatchResult deleteBatch(MapHandle map, List<byte[]> keys, long elemFlags) {
        return m(map).deleteBatch(cpu, keys, elemFlags);
    }

    @Override
    public InfoReply info(MapHandle map) {
        MapInfo i = m(map).info();
        return new InfoReply(Errno.OK, i.type(), i.keySize(), i.valueSize(), i.maxEntries(), i.mapFlags());
    }

    @Override
    public ValueResult progLookup(MapHandle map, byte[] key) {
        return m(map).progLookup(cpu, key);
    }

    @Override
    public Errno progUpdate(MapHandle map, byte[] key, byte[] value, long flags) {
        return m(map).progUpdate(cpu, key, value, flags);
    }

    @Override
    public Errno progDelete(MapHandle map, byte[] key) {
        return m(map).progDelete(cpu, key);
    }

    @Override
    public Reader beginReader(MapHandle map, byte[] key) {
        BpfMap bpfMap = m(map);
        ChainWalker walker = bpfMap.beginLookup(cpu, key);
        return () -> describe(bpfMap, walker.step());
    }

    /** One output line per chain step: what a lock-free reader saw. */
    private static String describe(BpfMap map, ChainWalker.Step step) {
        if (step instanceof ChainWalker.Visited v) {
            return "visit elem=" + v.elem() + " bucket=" + v.bucket() + (v.hashMatch() ? " hash=same" : " hash=other");
        } else if (step instanceof ChainWalker.Matched m) {
            return "found elem=" + m.elem() + " bucket=" + m.bucket();
        } else if (step instanceof ChainWalker.ReachedNulls n) {
            return "miss nulls=" + n.marker() + " bucket=" + n.bucket();
        } else if (step instanceof ChainWalker.Restarted r) {
            return "restart nulls=" + r.marker() + " bucket=" + r.bucket();
        } else if (step instanceof ChainWalker.Finished f) {
            return f.result() >= 0 ? "done found elem=" + f.result() : "done miss";
        }
        throw new IllegalStateException("unknown walker step " + step);
    }

    @Override
    public void close() {
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers, workqueues, the clock, close

    @Override
    public HelperResult timerInit(MapHandle map, byte[] key, String field, long flags) throws ScenarioException {
        return helper(m(map).bpfTimerInit(cpu, key, field, flags));
    }

    @Override
    public HelperResult timerSetCallback(MapHandle map, byte[] key, String field, Callback callback)
            throws ScenarioException {
        return helper(m(map).bpfTimerSetCallback(cpu, key, field, engineCallback(callback)));
    }

    @Override
    public HelperResult timerStart(MapHandle map, byte[] key, String field, long nsecs, long flags)
            throws ScenarioException {
        return helper(m(map).bpfTimerStart(cpu, key, field, nsecs, flags));
    }

    @Override
    public HelperResult timerCancel(MapHandle map, byte[] key, String field) throws ScenarioException {
        return helper(m(map).bpfTimerCancel(cpu, key, field));
    }

    @Override
    public HelperResult wqInit(MapHandle map, byte[] key, String field, long flags) throws ScenarioException {
        return helper(m(map).bpfWqInit(cpu, key, field, flags));
    }

    @Override
    public HelperResult wqSetCallback(MapHandle map, byte[] key, String field, Callback callback, long flags)
            throws ScenarioException {
        return helper(m(map).bpfWqSetCallback(cpu, key, field, engineCallback(callback), flags));
    }

    @Override
    public HelperResult wqStart(MapHandle map, byte[] key, String field, long flags) throws ScenarioException {
        return helper(m(map).bpfWqStart(cpu, key, field, flags));
    }

    @Override
    public void advance(long nsecs) {
        runtime.clock().advance(nsecs);
    }

    @Override
    public Errno closeFd(MapHandle map) {
        BpfMap m = m(map);
        if (m.hasUserRefs() && m.progRefs() == 0) {
            // the statements after a close reach the map through the scenario's programs, which hold it (the
            // kernel backend loads them before it closes the descriptor): a map of maps letting go of it later
            // does not free it
            m.bpfProgUseMap();
        }
        return m.closeFd();
    }

    /** A Java-side refusal (no such field, ...) is the scenario's EINVAL with its reason on standard error. */
    private static HelperResult helper(HelperResult r) throws ScenarioException {
        if (r.detail() != null) {
            throw new ScenarioException(r.detail());
        }
        return r;
    }

    /** The callback subprogram a scenario action stands for, running each operation in turn. */
    private BpfCallback engineCallback(Callback spec) {
        List<CallbackOp> ops = spec.ops();
        return BpfCallback.named(spec.name(), frame -> {
            for (CallbackOp op : ops) {
                runOp(op, frame);
            }
        });
    }

    private void runOp(CallbackOp op, CallbackFrame f) {
        if (op instanceof CallbackOp.Count c) {
            m(c.map()).progValueAdd(f.cpu(), c.key(), 0, 1);
        } else if (op instanceof CallbackOp.Update u) {
            BpfMap target = u.map() == null ? runtime.mapById(f.mapId()) : m(u.map());
            if (target != null) {
                target.progUpdate(f.cpu(), u.map() == null ? f.key() : u.key(), u.value(), u.flags());
            }
        } else if (op instanceof CallbackOp.Delete d) {
            BpfMap target = d.map() == null ? runtime.mapById(f.mapId()) : m(d.map());
            if (target != null) {
                target.progDelete(f.cpu(), d.map() == null ? f.key() : d.key());
            }
        } else if (op instanceof CallbackOp.Restart r) {
            f.timerStart(r.nsecs(), r.flags());
        } else if (op instanceof CallbackOp.Cancel c) {
            m(c.map()).progValueStore(f.cpu(), c.key(), 0, f.timerCancel().value());
        }
    }

    private static BpfMap m(MapHandle handle) {
        return ((EngineMap) handle).map;
    }



    private record EngineMap(BpfMap map) implements MapHandle {
        @Override
        public MapType type() {
            return map.type();
        }

        @Override
        public int keySize() {
            return map.keySize();
        }

        @Override
        public int valueSize() {
            return map.valueSize();
        }

        @Override
        public int id() {
            return map.id();
        }
    }
}
