package io.htablab.hashtab.htab.fields;

/**
 * A timer's or workqueue item's callback subprogram ({@code int cb(void *map, void *key, void *value)}). It runs
 * when its timer fires or its work item runs, on that timer's CPU, and may call helpers: touch any map of the
 * runtime, re-arm or cancel its own timer through the frame, delete its own element. The verifier makes it return
 * 0, so it returns nothing here.
 */
@FunctionalInterface
public interface BpfCallback {

    void call(CallbackFrame frame);

    /** A name for events and views (the scenario's action name). */
    default String name() {
        return "callback";
    }

    /** A callback with a name. */
    static BpfCallback named(String name, BpfCallback body) {
        return new BpfCallback() {
            @Override
            public void call(CallbackFrame frame) {
                body.call(frame);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
