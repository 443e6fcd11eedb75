package io.htablab.visualizer.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The recorded event stream of a session and a cursor into it. Position {@code p} (0..size) means "the
 * first p events have happened"; {@link #state()} is exactly the fold of entries 0..p-1. Periodic
 * snapshots make seeking anywhere cheap: a seek copies the nearest snapshot at or before p and folds the
 * rest, so stepping back restores the true earlier state instead of undoing changes.
 *
 * <p>Not thread-safe: use it from one thread (the FX thread in the app).
 */
public final class Timeline {
    /** Snapshot at least this often; large maps snapshot less often (a copy costs their size). */
    private static final int MIN_SNAPSHOT_INTERVAL = 64;

    private WorldModel base = new WorldModel();
    private final List<TimelineEntry> entries = new ArrayList<>();
    private final List<OpRecord> ops = new ArrayList<>();
    private final TreeMap<Integer, WorldModel> snapshots = new TreeMap<>();
    /** The fold of all entries (the engine's present), kept so appending never refolds. */
    private WorldModel head = new WorldModel();
    private WorldModel current = new WorldModel();
    private int position;
    private int sinceSnapshot;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public Timeline() {
        snapshots.put(0, base.copy());
    }

    // ------------------------------------------------------------------ recording

    /** Appends an event at the end (the present); the cursor does not move (playback catches up). */
    public void append(TimelineEntry entry) {
        entries.add(entry);
        head.apply(entry);
        sinceSnapshot++;
        if (sinceSnapshot >= snapshotInterval()) {
            snapshots.put(entries.size(), head.copy());
            sinceSnapshot = 0;
        }
        fire();
    }

    /** Records a statement with its events {@code [firstEvent, endEvent)}; returns its index. */
    public int addOp(String source, List<String> comments, List<String> output, String map, Actor actor,
                     int firstEvent, boolean failed) {
        OpRecord r = new OpRecord(ops.size(), source, comments, output, map, actor, firstEvent, entries.size(),
                failed);
        ops.add(r);
        fire();
        return r.index();
    }

    /** The index the next op will get (events appended now should carry it). */
    public int nextOpIndex() {
        return ops.size();
    }

    /**
     * Forgets the history and makes {@code world} the new start (used after bulk fills of large maps,
     * whose per-event history would not fit in memory). The cursor moves to 0.
     */
    public void rebase(WorldModel world) {
        base = world.copy();
        entries.clear();
        ops.clear();
        snapshots.clear();
        snapshots.put(0, base.copy());
        head = base.copy();
        current = base.copy();
        position = 0;
        sinceSnapshot = 0;
        fire();
    }

    private int snapshotInterval() {
        int weight = 0;
        for (MapModel m : head.allMaps()) {
            weight += m.elemSlots() + m.nBuckets();
        }
        return Math.max(MIN_SNAPSHOT_INTERVAL, weight / 4);
    }

    // ------------------------------------------------------------------ cursor

    public int size() {
        return entries.size();
    }

    public int position() {
        return position;
    }

    /** The state after all events (the engine's present); read it, never change it. */
    public WorldModel present() {
        return head;
    }

    /** The state after the first {@link #position()} events; read it, never change it. */
    public WorldModel state() {
        return current;
    }

    /** Moves the cursor to {@code p} (clamped to 0..size). */
    public void seek(int p) {
        p = Math.max(0, Math.min(entries.size(), p));
        if (p == position) {
            return;
        }
        if (p == entries.size()) {
            current = head.copy();
        } else if (p > position && p - position <= snapshotInterval()) {
            for (int i = position; i < p; i++) {
                current.apply(entries.get(i));
            }
        } else {
            current = foldTo(p);
        }
        position = p;
        fire();
    }

    /** A fresh fold of entries 0..p-1 starting from the nearest snapshot. */
    public WorldModel foldTo(int p) {
        Map.Entry<Integer, WorldModel> snap = snapshots.floorEntry(p);
        WorldModel w = snap.getValue().copy();
        for (int i = snap.getKey(); i < p; i++) {
            w.apply(entries.get(i));
        }
        return w;
    }

    /** The fold of everything from the very start, ignoring snapshots (the reference for tests). */
    public WorldModel refold(int p) {
        WorldModel w = base.copy();
        for (int i = 0; i < p; i++) {
            w.apply(entries.get(i));
        }
        return w;
    }

    public boolean atEnd() {
        return position == entries.size();
    }

    public void stepForward() {
        seek(position + 1);
    }

    public void stepBack() {
        seek(position - 1);
    }

    /** To the end of the operation in progress at the cursor, or of the next one with events. */
    public void stepOpForward() {
        for (OpRecord op : ops) {
            if (op.endEvent() > position && op.eventCount() > 0) {
                seek(op.endEvent());
                return;
            }
        }
        seek(entries.size());
    }

    /** To the start of the operation the last applied event belongs to (or of the previous one). */
    public void stepOpBack() {
        for (int i = ops.size() - 1; i >= 0; i--) {
            OpRecord op = ops.get(i);
            if (op.firstEvent() < position && op.eventCount() > 0) {
                seek(op.firstEvent());
                return;
            }
        }
        seek(0);
    }

    /** Whether some operation with events ends exactly at position {@code p}. */
    public boolean isOpEnd(int p) {
        int lo = 0;
        int hi = ops.size() - 1;
        while (lo <= hi) { // ops are recorded in order, so their end positions are sorted
            int mid = (lo + hi) >>> 1;
            int end = ops.get(mid).endEvent();
            if (end < p) {
                lo = mid + 1;
            } else if (end > p) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The op whose events include the last applied event (position-1), else the last op before it. */
    public OpRecord currentOp() {
        if (position == 0) {
            return null;
        }
        TimelineEntry e = entries.get(position - 1);
        return e.op() >= 0 && e.op() < ops.size() ? ops.get(e.op()) : null;
    }

    public TimelineEntry entry(int i) {
        return entries.get(i);
    }

    /** The last applied event, or null at position 0. */
    public TimelineEntry lastApplied() {
        return position == 0 ? null : entries.get(position - 1);
    }

    public List<TimelineEntry> entries() {
        return Collections.unmodifiableList(entries);
    }

    public List<OpRecord> ops() {
        return Collections.unmodifiableList(ops);
    }

    int snapshotCount() {
        return snapshots.size();
    }

    // ------------------------------------------------------------------ change notification

    public void addListener(Runnable r) {
        listeners.add(r);
    }

    public void removeListener(Runnable r) {
        listeners.remove(r);
    }

    private void fire() {
        for (Runnable r : listeners) {
            r.run();
        }
    }
}
