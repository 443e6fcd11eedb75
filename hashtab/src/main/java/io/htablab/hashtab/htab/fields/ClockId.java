package io.htablab.hashtab.htab.fields;

/**
 * The clocks {@code bpf_timer_init} accepts (the low four bits of its flags are a clockid_t). The kernel refuses
 * every other clock, the _ALARM variants included, with EINVAL.
 *
 * <p>How they differ for a timer: MONOTONIC stops while the machine is suspended, BOOTTIME goes on counting. A
 * REALTIME bpf_timer is in fact a MONOTONIC one: bpf_timer_init sets its hrtimer up in relative mode, and the
 * hrtimer core turns a relative CLOCK_REALTIME timer into a CLOCK_MONOTONIC one. So its absolute expiries
 * (BPF_F_TIMER_ABS) are MONOTONIC times, and setting the wall clock does not move it (checked on the live kernel:
 * a REALTIME timer started with an absolute wall-clock time never fires). {@link #timerBase()} says which clock
 * a timer really runs on.
 */
public enum ClockId {
    REALTIME(0, "realtime"),
    MONOTONIC(1, "monotonic"),
    BOOTTIME(7, "boottime");

    /** MAX_CLOCKS: flags at or above it are refused. */
    public static final int MAX_CLOCKS = 16;

    private final int id;
    private final String scenarioName;

    ClockId(int id, String scenarioName) {
        this.id = id;
        this.scenarioName = scenarioName;
    }

    /** The clockid_t value (CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7). */
    public int id() {
        return id;
    }

    public String scenarioName() {
        return scenarioName;
    }

    /** The clock a bpf_timer initialised with this clock runs on (REALTIME: MONOTONIC, see above). */
    public ClockId timerBase() {
        return this == REALTIME ? MONOTONIC : this;
    }

    /** The clock with this clockid_t, or null when a timer cannot use it. */
    public static ClockId fromId(long id) {
        for (ClockId c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }

    /** The clock named as in a scenario ({@code monotonic}), or null. */
    public static ClockId fromScenarioName(String name) {
        for (ClockId c : values()) {
            if (c.scenarioName.equals(name)) {
                return c;
            }
        }
        return null;
    }
}
