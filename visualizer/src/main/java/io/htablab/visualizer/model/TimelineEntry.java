package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.visualizer.model.fields.MapTypes;

/**
 * One recorded engine event, who caused it, and the index of the statement that caused it in
 * {@link Timeline#ops()}. The map it belongs to is the event's own {@link HtabEvent#mapId()}: one statement may
 * touch several maps (a nested program, a timer callback, a map of maps and its inner maps).
 *
 * @param types the key/value C types of the map, known to the session when it created the map; only on a
 *              {@code MapCreated} entry, null everywhere else (folding it gives the map its types, so every
 *              snapshot and refold sees the same types)
 */
public record TimelineEntry(Actor actor, HtabEvent event, int op, MapTypes types) {

    public TimelineEntry(Actor actor, HtabEvent event, int op) {
        this(actor, event, op, null);
    }

    /** The id of the map the event belongs to. */
    public int mapId() {
        return event.mapId();
    }
}
