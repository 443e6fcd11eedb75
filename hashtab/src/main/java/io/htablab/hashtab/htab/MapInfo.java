package io.htablab.hashtab.htab;

/**
 * What BPF_OBJ_GET_INFO_BY_FD reports (spec 5.12).
 *
 * @param maxEntries effective max_entries (after NO_COMMON_LRU rounding)
 * @param mapFlags   stored flags: the create flags without RDONLY, WRONLY and TOKEN_FD
 */
public record MapInfo(MapType type, int keySize, int valueSize, long maxEntries, int mapFlags) {
}
