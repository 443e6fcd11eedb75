package io.htablab.hashtab.htab;

import java.util.List;

/**
 * The map types of kernel/bpf/hashtab.c, with their uapi numbers and scenario names: the four hash maps and
 * BPF_MAP_TYPE_HASH_OF_MAPS, whose values are inner maps.
 */
public enum MapType {
    HASH(1, "hash"),
    PERCPU_HASH(5, "percpu_hash"),
    LRU_HASH(9, "lru_hash"),
    LRU_PERCPU_HASH(10, "lru_percpu_hash"),
    /** A hash map whose value (value_size 4: a descriptor in, a map id out) is another map (map_in_map.c). */
    HASH_OF_MAPS(13, "hash_of_maps");

    private static final List<MapType> HASH_TYPES = List.of(HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH);

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

    /** BPF_MAP_TYPE_HASH_OF_MAPS: the values are inner maps. */
    public boolean isMapInMap() {
        return this == HASH_OF_MAPS;
    }

    /** The four hash types whose values are plain bytes (every type but {@link #HASH_OF_MAPS}), in uapi order. */
    public static List<MapType> hashTypes() {
        return HASH_TYPES;
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
