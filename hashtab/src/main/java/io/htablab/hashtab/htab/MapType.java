package io.htablab.hashtab.htab;

/** The four hash-map types of kernel/bpf/hashtab.c, with their uapi numbers and scenario names. */
public enum MapType {
    HASH(1, "hash"),
    PERCPU_HASH(5, "percpu_hash"),
    LRU_HASH(9, "lru_hash"),
    LRU_PERCPU_HASH(10, "lru_percpu_hash");

    private final int uapiValue;
    private final String scenarioName;

    MapType(int uapiValue, String scenarioName) {
        this.uapiValue = uapiValue;
        this.scenarioName = scenarioName;
    }

    /** The {@code BPF_MAP_TYPE_*} value. */
    public int uapiValue() {
        return uapiValue;
    }

    /** The lower-case name used by {@code .hts} scenarios and {@code info} output. */
    public String scenarioName() {
        return scenarioName;
    }

    public boolean isLru() {
        return this == LRU_HASH || this == LRU_PERCPU_HASH;
    }

    public boolean isPercpu() {
        return this == PERCPU_HASH || this == LRU_PERCPU_HASH;
    }

    public static MapType fromScenarioName(String name) {
        for (MapType t : values()) {
            if (t.scenarioName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    public static MapType fromUapiValue(int value) {
        for (MapType t : values()) {
            if (t.uapiValue == value) {
                return t;
            }
        }
        return null;
    }
}
