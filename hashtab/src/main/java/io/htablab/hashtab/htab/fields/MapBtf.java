package io.htablab.hashtab.htab.fields;

import io.htablab.hashtab.htab.Errno;

/**
 * What BPF_MAP_CREATE learns from {@code btf_fd}, {@code btf_key_type_id} and {@code btf_value_type_id}, as the
 * engine needs it for map_check_btf: whether the BTF loaded at all, the sizes of the two types and the value's special
 * fields (btf_parse_fields). {@code cfront.btf.MapBtfs} builds one from C types exactly as the kernel would see them.
 *
 * @param keyType        the key type's C spelling, for messages; null when {@code btf_key_type_id} is 0
 * @param keyTypeSize    its size in bytes (must equal key_size), -1 when it has none (or no key type)
 * @param valueType      the value type's C spelling, for messages; null when {@code btf_value_type_id} is 0
 * @param valueTypeSize  its size in bytes (must equal value_size), -1 when it has none (void, a function, ...)
 * @param record         the value's special fields; {@link FieldRecord#EMPTY} when it has none or parsing failed
 * @param recordError    {@link Errno#OK}, or the errno btf_parse_fields failed with for the value type (two timers,
 *                       an array of timers, a value that is not a struct). The kernel keeps such a map and treats the
 *                       value as having no special fields, so this never fails the create
 * @param recordReason   why it failed, null when it did not
 * @param loadError      {@link Errno#OK}, or the errno BPF_BTF_LOAD refuses the types with (btf_parse_struct_metas:
 *                       two spin locks in one struct, a misaligned spin lock, a list head without {@code contains}).
 *                       The map is then never created: the create reports this errno
 * @param loadReason     why the load failed, null when it did not
 */
public record MapBtf(String keyType, long keyTypeSize, String valueType, long valueTypeSize, FieldRecord record,
                     Errno recordError, String recordReason, Errno loadError, String loadReason) {

    public MapBtf {
        if (record == null) {
            record = FieldRecord.EMPTY;
        }
        if (recordError == null) {
            recordError = Errno.OK;
        }
        if (loadError == null) {
            loadError = Errno.OK;
        }
    }

    /** BTF that loads. */
    public MapBtf(String keyType, long keyTypeSize, String valueType, long valueTypeSize, FieldRecord record,
                  Errno recordError, String recordReason) {
        this(keyType, keyTypeSize, valueType, valueTypeSize, record, recordError, recordReason, Errno.OK, null);
    }

    /** Key and value types of the given sizes whose value holds {@code record}. */
    public static MapBtf of(String keyType, long keySize, String valueType, long valueSize, FieldRecord record) {
        return new MapBtf(keyType, keySize, valueType, valueSize, record, Errno.OK, null);
    }

    /** Whether {@code btf_key_type_id} is set. */
    public boolean hasKeyType() {
        return keyType != null;
    }
}
