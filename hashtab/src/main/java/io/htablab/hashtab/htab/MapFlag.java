package io.htablab.hashtab.htab;

/**
 * Map-creation flags the hash family knows, in the order the scenario format lists them
 * (which is also the order {@code info} prints them in).
 */
public enum MapFlag {
    NO_PREALLOC(0x1, "no_prealloc"),
    NO_COMMON_LRU(0x2, "no_common_lru"),
    ZERO_SEED(0x40, "zero_seed"),
    RDONLY(0x8, "rdonly"),
    WRONLY(0x10, "wronly"),
    RDONLY_PROG(0x80, "rdonly_prog"),
    WRONLY_PROG(0x100, "wronly_prog"),
    NUMA_NODE(0x4, "numa_node"),
    /** BPF_F_INNER_MAP: lets an array inner map differ in max_entries; no hash map accepts it (EINVAL). */
    INNER_MAP(0x1000, "inner_map");

    /** Every create flag the hash family accepts (BPF_F_* mask 0x1DF). */
    public static final int HTAB_CREATE_FLAG_MASK = 0x1DF;
    /** Flags that restrict only the returned descriptor and are not stored in the map. */
    public static final int FD_ONLY_FLAGS = 0x8 | 0x10;
    /** BPF_F_TOKEN_FD: stripped before any type check. */
    public static final int TOKEN_FD = 0x10000;

    private final int bit;
    private final String scenarioName;

    MapFlag(int bit, String scenarioName) {
        this.bit = bit;
        this.scenarioName = scenarioName;
    }

    public int bit() {
        return bit;
    }

    public String scenarioName() {
        return scenarioName;
    }

    public boolean isSetIn(int flags) {
        return (flags & bit) != 0;
    }

    public static MapFlag fromScenarioName(String name) {
        for (MapFlag f : values()) {
            if (f.scenarioName.equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** Scenario names of the flags set in {@code flags}, comma-joined in list order, or "-" when none. */
    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder();
        for (MapFlag f : values()) {
            if (f.isSetIn(flags)) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(f.scenarioName);
            }
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
