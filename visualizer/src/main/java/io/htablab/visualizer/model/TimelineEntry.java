package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.event.HtabEvent;

/**
 * One recorded engine event, tagged with the map it belongs to (the map named by the statement that
 * caused it), who caused it, and the index of that statement in {@link Timeline#ops()}.
 */
public record TimelineEntry(String map, Actor actor, HtabEvent event, int op) {
}
