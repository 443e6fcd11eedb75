package io.htablab.hashtab.htab;

/**
 * The part of {@code union bpf_attr} that BPF_MAP_CREATE reads for the hash family.
 *
 * <p>Sizes and max_entries are the kernel's u32 fields held in a {@code long} (0..0xFFFFFFFF) so
 * that the size checks see the same values the kernel sees.
 *
 * @param type        the map type
 * @param keySize     key size in bytes
 * @param valueSize   value size in bytes
 * @param maxEntries  requested max_entries (before any NO_COMMON_LRU rounding)
 * @param mapFlags    BPF_F_* create flags as given (RDONLY/WRONLY included)
 * @param numaNode    the NUMA node; only meaningful with {@link MapFlag#NUMA_NODE}
 */
public record HtabAttr(MapType type, long keySize, long valueSize, long maxEntries, int mapFlags, int numaNode) {

    public HtabAttr(MapType type, long keySize, long valueSize, long maxEntries, int mapFlags) {
        this(type, keySize, valueSize, maxEntries, mapFlags, 0);
    }

    public boolean has(MapFlag flag) {
        return flag.isSetIn(mapFlags);
    }

    public boolean isPrealloc() {
        return !has(MapFlag.NO_PREALLOC);
    }

    public boolean isPercpuLru() {
        return has(MapFlag.NO_COMMON_LRU);
    }
}
