package io.htablab.hashtab.cfront.btf;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.MapBtf;

/**
 * From a map's key and value C types to what BPF_MAP_CREATE learns from their BTF: the entry point for the engine's
 * scenario layer, the kernel harness and the language server.
 *
 * <p>The types are encoded as libbpf would hand them to the kernel ({@link BtfEncoder}), then read back and searched
 * exactly as the kernel searches them ({@link BtfFields}): first as BPF_BTF_LOAD does (btf_parse_struct_metas), then
 * as map_check_btf does for the value (btf_parse_fields). The language server calls
 * {@link #mapBtf(CType, CType)} and hands the result to {@code HtabGeometry} (as {@code HtabAttr.withBtf}) to get the
 * kernel's verdict and reason; {@link #encode} also returns the blob and type ids for the kernel harness.
 */
public final class MapBtfs {

    private MapBtfs() {
    }

    /**
     * The BTF of one map: the blob, the ids BPF_MAP_CREATE is given, and the engine's view of them.
     *
     * @param blob        what BPF_BTF_LOAD receives
     * @param keyTypeId   btf_key_type_id (0 when no key type was given)
     * @param valueTypeId btf_value_type_id
     * @param mapBtf      sizes, the value's special fields and the load verdict
     */
    public record Encoded(byte[] blob, int keyTypeId, int valueTypeId, MapBtf mapBtf) {
    }

    /**
     * What map creation learns from these types.
     *
     * @param keyType   the key type, or null for {@code btf_key_type_id = 0}
     * @param valueType the value type, or null for {@code btf_value_type_id = 0} (the kernel refuses a key type
     *                  without one)
     */
    public static MapBtf mapBtf(CType keyType, CType valueType) {
        return encode(keyType, valueType).mapBtf();
    }

    /**
     * {@link #mapBtf(CType, CType)} with kptrs: {@code textOf} gives the source text of a file by the URI cfront
     * recorded (the language server's open documents, or the file system), so {@code __kptr} and friends are seen.
     */
    public static MapBtf mapBtf(CType keyType, CType valueType, java.util.function.Function<String, String> textOf) {
        return encode(keyType, valueType, PointerTags.fromSource(textOf)).mapBtf();
    }

    /** The special fields of a value type (empty when it has none or the kernel would not recognise them). */
    public static FieldRecord fieldRecord(CType valueType) {
        return mapBtf(null, valueType).record();
    }

    /**
     * The {@link MapBtf} of BTF built by other means (by hand with {@link BtfEncoder}'s type-by-type methods, or
     * clang's), for key type {@code keyTypeId} (0: none) and value type {@code valueTypeId}.
     */
    public static Encoded fromBlob(byte[] blob, int keyTypeId, int valueTypeId) {
        BtfReader r = BtfReader.parse(blob);
        long keySize = keyTypeId == 0 ? -1 : r.typeIdSize(keyTypeId);
        long valueSize = r.typeIdSize(valueTypeId);
        BtfFields.Result load = BtfFields.btfParseStructMetas(r);
        BtfFields.Result rec = valueTypeId == 0 || !r.isValidId(valueTypeId)
                ? BtfFields.Result.fail(Errno.EINVAL, "no value type")
                : BtfFields.parseMapValue(r, valueTypeId, Math.max(valueSize, 0));
        MapBtf mb = new MapBtf(keyTypeId == 0 ? null : r.describe(keyTypeId), keySize,
                valueTypeId == 0 ? null : r.describe(valueTypeId), valueSize, rec.record(), rec.error(),
                rec.reason(), load.error(), load.reason());
        return new Encoded(blob, keyTypeId, valueTypeId, mb);
    }

    /** Encodes both types into one BTF and derives the {@link MapBtf}. */
    public static Encoded encode(CType keyType, CType valueType) {
        return encode(keyType, valueType, PointerTags.NONE);
    }

    /** {@link #encode(CType, CType)} with the pointer members' type tags (kptrs) read by {@code tags}. */
    public static Encoded encode(CType keyType, CType valueType, PointerTags tags) {
        BtfEncoder enc = new BtfEncoder(tags);
        int keyId = keyType == null ? 0 : enc.encode(keyType);
        int valueId = valueType == null ? 0 : enc.encode(valueType);
        if (enc.typeCount() == 0) {
            // void types only: BTF needs at least one type to load; the sizes below make the create fail anyway
            enc.addInt("int", 4, BtfEncoder.INT_SIGNED);
        }
        Encoded e = fromBlob(enc.toBytes(), keyId, valueId);
        MapBtf b = e.mapBtf();
        // Name the types as the C source spells them.
        MapBtf mb = new MapBtf(keyType == null ? null : keyType.spelling(), b.keyTypeSize(),
                valueType == null ? null : valueType.spelling(),
                b.valueTypeSize(), b.record(), b.recordError(), b.recordReason(), b.loadError(), b.loadReason());
        return new Encoded(e.blob(), keyId, valueId, mb);
    }
}
