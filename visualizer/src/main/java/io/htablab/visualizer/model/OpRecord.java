package io.htablab.visualizer.model;

import java.util.List;

/**
 * One statement of the session: its text, the comment lines written above it (the guided-mode caption),
 * its output lines, and the events it produced: {@code [firstEvent, endEvent)} in the timeline.
 */
public record OpRecord(int index, String source, List<String> comments, List<String> output, String map,
                       Actor actor, int firstEvent, int endEvent, boolean failed) {

    public OpRecord {
        comments = List.copyOf(comments);
        output = List.copyOf(output);
    }

    public int eventCount() {
        return endEvent - firstEvent;
    }
}
