package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.MapEvent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeSet;

/**
 * Every map of the session as folded from the timeline, each event into the map it names ({@code mapId}), plus
 * what each CPU is doing (operations, bucket locks held, failed acquisitions) and which map acted last.
 *
 * <p>A map whose scenario name is taken by a later {@code create} is <em>retired</em>: it keeps its state (a map
 * of maps may still hold it and its events still fold) but it is no longer listed under that name.
 */
public final class WorldModel {
    public static final int NONE = -1;

    /** By map id, in creation order. */
    private final LinkedHashMap<Integer, MapModel> maps = new LinkedHashMap<>();
    private final TreeSet<Integer> retired = new TreeSet<>();
    private int activeMap = NONE;
    private int cpu;
    private CpuState[] cpus = new CpuState[0];

    public WorldModel copy() {
        WorldModel w = new WorldModel();
        maps.forEach((k, v) -> w.maps.put(k, v.copy()));
        w.retired.addAll(retired);
        w.activeMap = activeMap;
        w.cpu = cpu;
        w.cpus = cpus.clone(); // the states are immutable
        return w;
    }

    public void apply(TimelineEntry entry) {
        HtabEvent event = entry.event();
        int id = event.mapId();
        MapModel m;
        if (event instanceof MapEvent.MapCreated c) {
            if (!c.name().isEmpty()) {
                for (var e : maps.entrySet()) {
                    if (c.name().equals(e.getValue().name())) {
                        retired.add(e.getKey());
                    }
                }
            }
            m = new MapModel();
            maps.remove(id);
            maps.put(id, m);
            retired.remove(id);
            ensureCpus(c.possibleCpus());
        } else {
            m = maps.get(id);
        }
        if (m == null) {
            return; // a map this world never saw created (cannot happen in a recorded session)
        }
        foldCpus(event, id);
        m.apply(event, entry.actor());
        if (event instanceof MapEvent.MapCreated && entry.types() != null) {
            m.setTypes(entry.types());
        }
        activeMap = id;
    }

    private void foldCpus(HtabEvent event, int mapId) {
        if (event instanceof MapEvent.OpStarted s) {
            cpu = s.cpu();
            set(s.cpu(), state(s.cpu()).started(new CpuState.Frame(mapId, s.op(), s.key())));
        } else if (event instanceof MapEvent.OpFinished f) {
            set(f.cpu(), state(f.cpu()).finished(mapId, f.op()));
            MapModel m = maps.get(mapId);
            if (m != null) {
                m.clearLockFailure(f.cpu());
            }
        } else if (event instanceof BucketEvent.BucketLocked l) {
            int c = lockCpu(l.cpu(), mapId);
            set(c, state(c).locked(mapId, l.bucket()));
        } else if (event instanceof BucketEvent.BucketUnlocked u) {
            int c = lockCpu(u.cpu(), mapId);
            set(c, state(c).unlocked(mapId, u.bucket()));
        } else if (event instanceof BucketEvent.BucketLockFailed f) {
            // a failed acquisition (EDEADLK/ETIMEDOUT from the resilient lock, EBUSY from the 6.14 guard)
            lockFailed(mapId, f.bucket(), f.cpu(), f.errno(), f.reason());
        }
    }

    /**
     * The CPU a lock event belongs to. The LRU's eviction callback locks the victim's bucket inside another
     * operation and reports no CPU (-1): it is the CPU of the operation running on the map.
     */
    private int lockCpu(int reported, int mapId) {
        if (reported >= 0) {
            return reported;
        }
        MapModel m = maps.get(mapId);
        return m != null && m.op().cpu() >= 0 ? m.op().cpu() : cpu;
    }

    /**
     * CPU {@code cpu} failed to take bucket {@code bucket} of map {@code mapId} with {@code errno}. The failure shows
     * on the CPU's lane and on the bucket until that CPU's operation on the map finishes. This is the fold of the
     * engine's lock-failure event; call it only from {@link #apply} (and tests), so that state stays a fold.
     */
    public void lockFailed(int mapId, int bucket, int cpu, Errno errno, String reason) {
        int holder = NONE;
        for (int c = 0; c < cpus.length; c++) {
            if (state(c).holds(mapId, bucket)) {
                holder = c;
            }
        }
        CpuState.LockFailure f = new CpuState.LockFailure(mapId, bucket, cpu, errno, holder, reason);
        set(cpu, state(cpu).failed(f));
        MapModel m = maps.get(mapId);
        if (m != null) {
            m.lockFailed(f);
        }
    }

    private void ensureCpus(int n) {
        if (n > cpus.length) {
            int old = cpus.length;
            cpus = Arrays.copyOf(cpus, n);
            Arrays.fill(cpus, old, n, CpuState.IDLE);
        }
    }

    private CpuState state(int c) {
        ensureCpus(c + 1);
        return cpus[c];
    }

    private void set(int c, CpuState s) {
        ensureCpus(c + 1);
        cpus[c] = s;
    }

    // ------------------------------------------------------------------ reading

    /** The map with this id (retired or not), or null. */
    public MapModel map(int id) {
        return maps.get(id);
    }

    /** The map currently bound to scenario name {@code name} (the latest created, not retired), or null. */
    public MapModel map(String name) {
        MapModel found = null;
        for (var e : maps.entrySet()) {
            if (!retired.contains(e.getKey()) && name.equals(e.getValue().name())) {
                found = e.getValue();
            }
        }
        return found;
    }

    /** The id of the map bound to {@code name}, or {@link #NONE}. */
    public int idOf(String name) {
        int found = NONE;
        for (var e : maps.entrySet()) {
            if (!retired.contains(e.getKey()) && name.equals(e.getValue().name())) {
                found = e.getKey();
            }
        }
        return found;
    }

    /** Ids of the maps that are listed (not retired), in creation order. */
    public List<Integer> mapIds() {
        List<Integer> out = new ArrayList<>();
        for (Integer id : maps.keySet()) {
            if (!retired.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** Names of the listed maps, in creation order. */
    public List<String> mapNames() {
        List<String> out = new ArrayList<>();
        for (int id : mapIds()) {
            out.add(displayName(id));
        }
        return out;
    }

    /** Every map, retired ones included (snapshot sizing). */
    public Collection<MapModel> allMaps() {
        return Collections.unmodifiableCollection(maps.values());
    }

    public boolean isRetired(int id) {
        return retired.contains(id);
    }

    /** The map's scenario name, or {@code map#ID} when it has none. */
    public String displayName(int id) {
        MapModel m = maps.get(id);
        return m == null || m.name().isEmpty() ? "map#" + id : m.name();
    }

    /** The id of the map the latest applied event belongs to, or {@link #NONE}. */
    public int activeMapId() {
        return activeMap;
    }

    /** The name of the map the latest applied event belongs to, or null. */
    public String activeMap() {
        return activeMap == NONE ? null : displayName(activeMap);
    }

    /** The CPU of the latest operation. */
    public int cpu() {
        return cpu;
    }

    /** How many CPUs the lanes know of (the largest possible-CPU count of any map, or any CPU seen). */
    public int cpuCount() {
        return cpus.length;
    }

    /** What CPU {@code c} is doing ({@link CpuState#IDLE} for a CPU never seen). */
    public CpuState cpuState(int c) {
        return c >= 0 && c < cpus.length ? cpus[c] : CpuState.IDLE;
    }

    public String fingerprint() {
        StringBuilder sb = new StringBuilder("active=" + activeMap + " cpu=" + cpu + " retired=" + retired + "\n");
        for (int c = 0; c < cpus.length; c++) {
            sb.append("cpu").append(c).append(": ").append(cpus[c]).append('\n');
        }
        maps.forEach((k, v) -> sb.append("== ").append(k).append(' ').append(v.name()).append('\n')
                .append(v.fingerprint()).append('\n'));
        return sb.toString();
    }
}
