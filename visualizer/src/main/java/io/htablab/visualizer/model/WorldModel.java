package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.event.MapEvent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every map of the session as folded from the timeline, plus which map and CPU acted last. */
public final class WorldModel {
    private final LinkedHashMap<String, MapModel> maps = new LinkedHashMap<>();
    private String activeMap;
    private int cpu;

    public WorldModel copy() {
        WorldModel w = new WorldModel();
        maps.forEach((k, v) -> w.maps.put(k, v.copy()));
        w.activeMap = activeMap;
        w.cpu = cpu;
        return w;
    }

    public void apply(TimelineEntry entry) {
        MapModel m;
        if (entry.event() instanceof MapEvent.MapCreated) {
            m = new MapModel();
            maps.remove(entry.map());
            maps.put(entry.map(), m);
        } else {
            m = maps.get(entry.map());
        }
        if (m == null) {
            return;
        }
        if (entry.event() instanceof MapEvent.OpStarted s) {
            cpu = s.cpu();
        }
        m.apply(entry.event(), entry.actor());
        activeMap = entry.map();
    }

    public Map<String, MapModel> maps() {
        return Collections.unmodifiableMap(maps);
    }

    public MapModel map(String name) {
        return maps.get(name);
    }

    /** The map the latest applied event belongs to, or null. */
    public String activeMap() {
        return activeMap;
    }

    /** The CPU of the latest operation. */
    public int cpu() {
        return cpu;
    }

    public String fingerprint() {
        StringBuilder sb = new StringBuilder("active=" + activeMap + " cpu=" + cpu + "\n");
        maps.forEach((k, v) -> sb.append("== ").append(k).append('\n').append(v.fingerprint()).append('\n'));
        return sb.toString();
    }
}
