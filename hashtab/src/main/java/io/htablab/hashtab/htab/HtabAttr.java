package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.MapBtf;

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
 * @param btf         the key/value BTF types (btf_key_type_id/btf_value_type_id), or null for a map without BTF
 * @param innerMapFd  inner_map_fd: the descriptor of a hash_of_maps map's inner map template (0 when not given;
 *                    the engine's descriptors are those of {@link BpfRuntime#mapByFd}). Other types ignore it.
 */
public record HtabAttr(MapType type, long keySize, long valueSize, long maxEntries, int mapFlags, int numaNode,
                       MapBtf btf, int innerMapFd) {

    public HtabAttr(MapType type, long keySize, long valueSize, long maxEntries, int mapFlags, int numaNode,
                    MapBtf btf) {
        this(type, keySize, valueSize, maxEntries, mapFlags, numaNode, btf, 0);
    }

    public HtabAttr(MapType type, long keySize, long valueSize, long maxEntries, int mapFlags, int numaNode) {
        this(type, keySize, valueSize, maxEntries, mapFlags, numaNode, null);
    }

    public HtabAttr(MapType type, long keySize, long valueSize, long maxEntries, int mapFlags) {
        this(type, keySize, valueSize, maxEntries, mapFlags, 0, null);
    }

    /** The same attributes with BTF types. */
    public HtabAttr withBtf(MapBtf newBtf) {
        return new HtabAttr(type, keySize, valueSize, maxEntries, mapFlags, numaNode, newBtf, innerMapFd);
    }

    /** The same attributes with inner_map_fd {@code fd}. */
    public HtabAttr withInnerMapFd(int fd) {
        return new HtabAttr(type, keySize, valueSize, maxEntries, mapFlags, numaNode, btf, fd);
    }

    /** The value's special fields; empty without BTF. */
    public FieldRecord record() {
        return btf == null ? FieldRecord.EMPTY : btf.record();
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
