package io.htablab.hashtab.htab.fields;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated kernel's time: nanoseconds since the runtime started, on the three clocks a BPF timer may use,
 * with the queue of armed timers (the hrtimer bases) and of started work items (the system workqueue).
 *
 * <p>Time moves only when {@link #advance} (or {@link #suspend}) is called. Everything that falls due then runs
 * in order, each callback on its timer's CPU: first the queued work items (work runs as soon as a worker is free,
 * long before any timer of a millisecond), then the timers by expiry, ties in arming order; work items queued by a
 * callback run right after it. While a callback runs the clock reads the timer's expiry, so a callback that
 * re-arms its timer by N ns makes it expire N ns after the previous expiry, as hrtimers do.
 *
 * <p>MONOTONIC is the reference. BOOTTIME and REALTIME equal it plus offsets that only {@link #suspend} (both)
 * and {@link #setRealtime} (REALTIME) change. Timers run on MONOTONIC or BOOTTIME only
 * ({@link ClockId#timerBase()}).
 *
 * <p>Not thread-safe: the runtime's maps are used by one thread at a time, and so is their clock.
 */
public final class VirtualClock {

    /**
     * At most this many callbacks run in one {@link #advance}: a timer that re-arms itself with 0 ns would
     * otherwise run forever (on a kernel it would keep its CPU busy). The rest stay queued for the next advance.
     */
    public static final int MAX_CALLBACKS_PER_ADVANCE = 1_000_000;

    private long monotonicNs;
    private long bootOffsetNs;
    private long realtimeOffsetNs;
    private long nextSeq;

    private final List<BpfAsync> armed = new ArrayList<>();
    private final ArrayDeque<BpfAsync> work = new ArrayDeque<>();
    /** hrtimer_running: the timer whose callback runs now (one at a time: the model runs callbacks in turn). */
    private BpfAsync runningTimer;
    /** Maps that hold timers or work items, by id, to be told when the clock moves. */
    private final Map<Integer, WeakReference<AsyncFields>> subscribers = new TreeMap<>();

    /** The current time on {@code clock}. */
    public long now(ClockId clock) {
        return switch (clock) {
            case MONOTONIC -> monotonicNs;
            case BOOTTIME -> monotonicNs + bootOffsetNs;
            case REALTIME -> monotonicNs + realtimeOffsetNs;
        };
    }

    /** CLOCK_MONOTONIC now. */
    public long nowNs() {
        return monotonicNs;
    }

    /** The timer whose callback is running, or null (hrtimer_running of the CPU it runs on). */
    public BpfAsync runningTimer() {
        return runningTimer;
    }

    /** Timers queued now, in the order they will fire. */
    public List<BpfAsync> armedTimers() {
        List<BpfAsync> out = new ArrayList<>(armed);
        out.sort((a, b) -> compareDue(a, b));
        return out;
    }

    /** Work items queued now, in the order they will run. */
    public List<BpfAsync> pendingWork() {
        return List.copyOf(work);
    }

    void subscribe(AsyncFields fields) {
        subscribers.put(fields.mapId(), new WeakReference<>(fields));
    }

    void unsubscribe(AsyncFields fields) {
        subscribers.remove(fields.mapId());
    }

    // ---------------------------------------------------------------------------------------------------------
    // The queues (hrtimer_start / hrtimer_cancel, queue_work / cancel_work)

    /** hrtimer_start: (re)queue {@code t} to expire at {@code expiresNs} on its clock. */
    void enqueue(BpfAsync t, long expiresNs) {
        if (!t.armed) {
            armed.add(t);
        }
        t.armed = true;
        t.expiresNs = expiresNs;
        t.seq = nextSeq++;
    }

    /** hrtimer_cancel / hrtimer_try_to_cancel: whether it was queued. */
    boolean dequeue(BpfAsync t) {
        boolean was = t.armed;
        if (was) {
            armed.remove(t);
            t.armed = false;
        }
        return was;
    }

    void queueWork(BpfAsync w) {
        work.addLast(w);
    }

    void cancelWork(BpfAsync w) {
        work.remove(w);
    }

    /** The timer's expiry as a MONOTONIC time (BOOTTIME/REALTIME expiries move when their offsets change). */
    private long dueMonotonic(BpfAsync t) {
        long offset = switch (t.baseClock()) {
            case MONOTONIC -> 0;
            case BOOTTIME -> bootOffsetNs;
            case REALTIME -> realtimeOffsetNs;
        };
        long due = t.expiresNs - offset;
        // an expiry beyond KTIME_MAX minus the offset never comes
        return (offset < 0 && due < t.expiresNs) ? Long.MAX_VALUE : due;
    }

    private int compareDue(BpfAsync a, BpfAsync b) {
        int c = Long.compare(dueMonotonic(a), dueMonotonic(b));
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Moving time

    /**
     * Let {@code ns} nanoseconds pass: run every work item, then every timer that falls due, in order.
     *
     * @return the number of callbacks that ran
     */
    public int advance(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("time does not run backwards: " + ns + " ns");
        }
        long from = monotonicNs;
        long target = from + ns < from ? Long.MAX_VALUE : from + ns;
        int ran = runDue(target);
        monotonicNs = target;
        announce(from, 0);
        return ran;
    }

    /**
     * The machine sleeps for {@code ns}: BOOTTIME and REALTIME move on, MONOTONIC does not. Timers on the first
     * two that fall due meanwhile fire at resume, MONOTONIC ones later than their nominal time.
     */
    public int suspend(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("cannot suspend for " + ns + " ns");
        }
        bootOffsetNs += ns;
        realtimeOffsetNs += ns;
        int ran = runDue(monotonicNs);
        announce(monotonicNs, ns);
        return ran;
    }

    /** clock_settime(CLOCK_REALTIME): REALTIME timers move with the wall clock (they may fall due at once). */
    public void setRealtime(long realtimeNs) {
        realtimeOffsetNs = realtimeNs - monotonicNs;
    }

    private int runDue(long target) {
        int ran = 0;
        ran += drainWork(MAX_CALLBACKS_PER_ADVANCE);
        while (ran < MAX_CALLBACKS_PER_ADVANCE) {
            BpfAsync next = null;
            for (BpfAsync t : armed) {
                if (dueMonotonic(t) <= target && (next == null || compareDue(t, next) < 0)) {
                    next = t;
                }
            }
            if (next == null) {
                break;
            }
            monotonicNs = Math.max(monotonicNs, dueMonotonic(next));
            dequeue(next);
            runningTimer = next;
            try {
                next.owner().fireTimer(next);
            } finally {
                runningTimer = null;
            }
            ran++;
            ran += drainWork(MAX_CALLBACKS_PER_ADVANCE - ran);
        }
        return ran;
    }

    private int drainWork(int budget) {
        int ran = 0;
        while (ran < budget && !work.isEmpty()) {
            BpfAsync w = work.pollFirst();
            w.owner().runWork(w);
            ran++;
        }
        return ran;
    }

    private void announce(long from, long suspended) {
        Iterator<Map.Entry<Integer, WeakReference<AsyncFields>>> it = subscribers.entrySet().iterator();
        while (it.hasNext()) {
            AsyncFields f = it.next().getValue().get();
            if (f == null) {
                it.remove();
            } else {
                f.clockAdvanced(from, monotonicNs, suspended);
            }
        }
    }
}
