package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.HtabEvent;
import java.util.Arrays;

/**
 * The map's event sink: fans events out to the registered listeners. {@link #enabled()} is a single array-length
 * test, so a map nobody listens to builds no event objects.
 */
final class Listeners implements EventSink {

    private static final EventSink[] EMPTY = new EventSink[0];

    private volatile EventSink[] sinks = EMPTY;

    Listeners(EventSink initial) {
        if (initial != null && initial != EventSink.NONE) {
            sinks = new EventSink[] {initial};
        }
    }

    synchronized void add(EventSink sink) {
        EventSink[] cur = sinks;
        EventSink[] grown = Arrays.copyOf(cur, cur.length + 1);
        grown[cur.length] = sink;
        sinks = grown;
    }

    synchronized boolean remove(EventSink sink) {
        EventSink[] cur = sinks;
        for (int i = 0; i < cur.length; i++) {
            if (cur[i] == sink) {
                EventSink[] shrunk = new EventSink[cur.length - 1];
                System.arraycopy(cur, 0, shrunk, 0, i);
                System.arraycopy(cur, i + 1, shrunk, i, cur.length - i - 1);
                sinks = shrunk;
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean enabled() {
        EventSink[] cur = sinks;
        if (cur.length == 0) {
            return false;
        }
        for (EventSink s : cur) {
            if (s.enabled()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void accept(HtabEvent event) {
        for (EventSink s : sinks) {
            if (s.enabled()) {
                s.accept(event);
            }
        }
    }
}
