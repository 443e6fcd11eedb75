package io.htablab.hashtab.htab.fields;

import io.htablab.hashtab.htab.Errno;

/**
 * What BPF_MAP_CREATE learns from {@code btf_fd}, {@code btf_key_type_id} and {@code btf_value_type_id}, as the
 * engine needs it for map_check_btf: the sizes of the two types and the value's special fields (btf_parse_fields).
 *
 * @param keyType        the key type's C spelling, for messages
 * @param keyTypeSize    its size in bytes (must equal key_size)
 * @param valueType      the value type's C spelling, for messages
 * @param valueTypeSize  its size in bytes (must equal value_size)
 * @param record         the value's special fields; {@link FieldRecord#EMPTY} when it has none
 * @param recordError    {@link Errno#OK}, or the errno btf_parse_fields fails with (a duplicate or misaligned field)
 * @param recordReason   why it failed, null when it did not
 */
public record MapBtf(String keyType, long keyTypeSize, String valueType, long valueTypeSize, FieldRecord record,
                     Errno recordError, String recordReason) {

    public MapBtf {
        if (record == null) {
            record = FieldRecord.EMPTY;
        }
        if (recordError == null) {
            recordError = Errno.OK;
        }
    }
}
