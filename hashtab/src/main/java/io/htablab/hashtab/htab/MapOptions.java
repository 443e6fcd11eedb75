package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.event.EventSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Simulation settings for creating a map: the machine it pretends to run on and what it reports to.
 *
 * @param possibleCpus    number of possible CPUs P (1..64)
 * @param creatingCpu     CPU the creating thread runs on (start of the extra-element pops, spec 8.2)
 * @param seed            explicit hash seed for demos; empty = random unless ZERO_SEED (then 0)
 * @param onlineNumaNodes NUMA nodes 0..n-1 are online
 * @param capBpf          the caller has CAP_BPF (else EPERM, spec 2.2 step 10)
 * @param capSysAdmin     the caller has CAP_SYS_ADMIN (ZERO_SEED needs it)
 * @param memoryLimit     bytes the engine may allocate for one map before reporting ENOMEM
 * @param events          where the map reports its steps ({@link EventSink#NONE} for nobody)
 * @param runtime         the simulated kernel the map lives in (its id comes from there)
 * @param name            the map's name ("" for none); the scenario layer passes the scenario's map name
 */
public record MapOptions(int possibleCpus, int creatingCpu, OptionalInt seed, int onlineNumaNodes, boolean capBpf,
                         boolean capSysAdmin, long memoryLimit, EventSink events, BpfRuntime runtime, String name) {

    public MapOptions {
        if (seed == null) {
            seed = OptionalInt.empty();
        }
        if (events == null) {
            events = EventSink.NONE;
        }
        if (runtime == null) {
            runtime = BpfRuntime.defaultRuntime();
        }
        if (name == null) {
            name = "";
        }
    }

    public MapOptions(int possibleCpus, int creatingCpu, OptionalInt seed, int onlineNumaNodes, boolean capBpf,
                      boolean capSysAdmin, long memoryLimit, EventSink events) {
        this(possibleCpus, creatingCpu, seed, onlineNumaNodes, capBpf, capSysAdmin, memoryLimit, events, null, "");
    }

    /** This machine's possible CPUs (from sysfs, else the available processors), CPU 0, privileged, one node. */
    public static MapOptions defaults() {
        return new MapOptions(machinePossibleCpus(), 0, OptionalInt.empty(), 1, true, true,
                Runtime.getRuntime().maxMemory() / 2, EventSink.NONE);
    }

    public MapOptions withPossibleCpus(int p) {
        return new MapOptions(p, creatingCpu, seed, onlineNumaNodes, capBpf, capSysAdmin, memoryLimit, events, runtime, name);
    }

    public MapOptions withCreatingCpu(int cpu) {
        return new MapOptions(possibleCpus, cpu, seed, onlineNumaNodes, capBpf, capSysAdmin, memoryLimit, events, runtime, name);
    }

    public MapOptions withSeed(int s) {
        return new MapOptions(possibleCpus, creatingCpu, OptionalInt.of(s), onlineNumaNodes, capBpf, capSysAdmin,
                memoryLimit, events, runtime, name);
    }

    public MapOptions withOnlineNumaNodes(int n) {
        return new MapOptions(possibleCpus, creatingCpu, seed, n, capBpf, capSysAdmin, memoryLimit, events, runtime, name);
    }

    public MapOptions withCapabilities(boolean bpf, boolean sysAdmin) {
        return new MapOptions(possibleCpus, creatingCpu, seed, onlineNumaNodes, bpf, sysAdmin, memoryLimit, events, runtime, name);
    }

    public MapOptions withMemoryLimit(long bytes) {
        return new MapOptions(possibleCpus, creatingCpu, seed, onlineNumaNodes, capBpf, capSysAdmin, bytes, events, runtime, name);
    }

    public MapOptions withEvents(EventSink sink) {
        return new MapOptions(possibleCpus, creatingCpu, seed, onlineNumaNodes, capBpf, capSysAdmin, memoryLimit,
                sink, runtime, name);
    }

    public MapOptions withRuntime(BpfRuntime r) {
        return new MapOptions(possibleCpus, creatingCpu, seed, onlineNumaNodes, capBpf, capSysAdmin, memoryLimit,
                events, r, name);
    }

    public MapOptions withName(String n) {
        return new MapOptions(possibleCpus, creatingCpu, seed, onlineNumaNodes, capBpf, capSysAdmin, memoryLimit,
                events, runtime, n);
    }

    /** Number of possible CPUs of this machine: the highest id in /sys/devices/system/cpu/possible plus one. */
    public static int machinePossibleCpus() {
        try {
            String s = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
            int max = -1;
            for (String part : s.split(",")) {
                String[] range = part.split("-");
                max = Math.max(max, Integer.parseInt(range[range.length - 1].trim()));
            }
            if (max >= 0 && max < 64) {
                return max + 1;
            }
        } catch (Exception e) {
            // not Linux or unreadable: fall back below
        }
        return Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors()));
    }
}
