package io.htablab.hashtab.htab.event;

/**
 * Receives engine events. The engine tests {@link #enabled()} before it builds an event record, so
 * a map with the {@link #NONE} sink pays one predictable branch per step and allocates nothing.
 */
public interface EventSink {

    /** The sink of a map nobody listens to. */
    EventSink NONE = new EventSink() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void accept(HtabEvent event) {
        }
    };

    /** Whether events should be built at all. */
    default boolean enabled() {
        return true;
    }

    void accept(HtabEvent event);
}
