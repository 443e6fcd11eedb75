package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.HtabEvent;
import java.util.Arrays;

/**
 * The map's event sink: fans events out to the registered listeners.
 *
 * <p>Threading rule: a map is used by one thread at a time, and listeners are added or removed between
 * operations (not from inside a listener while an operation runs). Whatever hands the map from one thread to
 * another (a lock, an executor, a queue) also publishes its listener list. That is why {@link #attached} and
 * {@link #sinks} are plain fields: with nobody listening, {@link #enabled()} is one plain boolean read, which
 * the JIT can keep in a register across an inlined operation, so every event site costs nothing measurable.
 */
final class Listeners implements EventSink {

    /**
     * {@code -Dhtablab.events=compiled-out} makes every event site a constant {@code false} that the JIT
     * removes, as if the engine had no event code. It exists to measure what event support costs a map
     * nobody listens to (benchmarks/EventsCompiledOutBenchmark); attaching a listener then fails.
     */
    static final boolean EVENTS_SUPPORTED = !"compiled-out".equals(System.getProperty("htablab.events"));

    private static final EventSink[] EMPTY = new EventSink[0];

    private EventSink[] sinks = EMPTY;
    /** {@code sinks.length > 0}; changes only in {@link #add} and {@link #remove}. */
    private boolean attached;

    Listeners(EventSink initial) {
        if (initial != null && initial != EventSink.NONE) {
            requireEventsSupported();
            sinks = new EventSink[] {initial};
            attached = true;
        }
    }

    synchronized void add(EventSink sink) {
        requireEventsSupported();
        EventSink[] cur = sinks;
        EventSink[] grown = Arrays.copyOf(cur, cur.length + 1);
        grown[cur.length] = sink;
        sinks = grown;
        attached = true;
    }

    synchronized boolean remove(EventSink sink) {
        EventSink[] cur = sinks;
        for (int i = 0; i < cur.length; i++) {
            if (cur[i] == sink) {
                EventSink[] shrunk = new EventSink[cur.length - 1];
                System.arraycopy(cur, 0, shrunk, 0, i);
                System.arraycopy(cur, i + 1, shrunk, i, cur.length - i - 1);
                sinks = shrunk;
                attached = shrunk.length > 0;
                return true;
            }
        }
        return false;
    }

    /** Whether any listener is attached at all (cheaper than {@link #enabled()}, which also asks each sink). */
    boolean attached() {
        return EVENTS_SUPPORTED && attached;
    }

    @Override
    public boolean enabled() {
        return EVENTS_SUPPORTED && attached && anySinkEnabled();
    }

    private static void requireEventsSupported() {
        if (!EVENTS_SUPPORTED) {
            throw new IllegalStateException("events are compiled out in this JVM (-Dhtablab.events=compiled-out)");
        }
    }

    private boolean anySinkEnabled() {
        for (EventSink s : sinks) {
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
