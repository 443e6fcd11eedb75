package io.htablab.hashtab.cfront.btf;

import java.util.ArrayList;
import java.util.List;

/**
 * One BTF type as read from a blob: the common {@code struct btf_type} words and the kind's trailing data.
 *
 * @param id         the type id (from 1)
 * @param kind       its kind
 * @param name       its name, "" when anonymous
 * @param kindFlag   the info word's kind_flag (bit-field offsets in records, union for FWD, signed for enums)
 * @param vlen       the info word's vlen (members, enumerators, params, linkage of a FUNC)
 * @param sizeOrType the third word: a size (INT, ENUM, STRUCT, UNION, DATASEC, FLOAT) or a type id (the others)
 * @param data       the kind's trailing u32 words (names in them are resolved by the accessors below)
 * @param strings    the names the trailing data refers to, in order (members, enumerators, params)
 */
public record BtfType(int id, BtfKind kind, String name, boolean kindFlag, int vlen, int sizeOrType, int[] data,
                      List<String> strings) {

    public long size() {
        return sizeOrType & 0xFFFFFFFFL;
    }

    /** The referenced type of PTR, TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG, FUNC, VAR, DECL_TAG; the return type of FUNC_PROTO. */
    public int type() {
        return sizeOrType;
    }

    public boolean isStructOrUnion() {
        return kind == BtfKind.STRUCT || kind == BtfKind.UNION;
    }

    /** INT: BTF_INT_SIGNED / CHAR / BOOL bits. */
    public int intEncoding() {
        return data[0] >>> 24 & 0xF;
    }

    /** INT: the bit offset of the value. */
    public int intOffset() {
        return data[0] >>> 16 & 0xFF;
    }

    /** INT: the number of value bits. */
    public int intBits() {
        return data[0] & 0xFF;
    }

    public int arrayElemType() {
        return data[0];
    }

    public int arrayIndexType() {
        return data[1];
    }

    public long arrayNelems() {
        return data[2] & 0xFFFFFFFFL;
    }

    /** STRUCT/UNION members with bit offsets decoded as the kernel does (kind_flag: size in the top 8 bits). */
    public List<BtfMember> members() {
        List<BtfMember> out = new ArrayList<>(vlen);
        for (int i = 0; i < vlen; i++) {
            int type = data[i * 3 + 1];
            int off = data[i * 3 + 2];
            long bitOffset = kindFlag ? off & 0xFFFFFF : off & 0xFFFFFFFFL;
            int bitfieldSize = kindFlag ? off >>> 24 : 0;
            out.add(new BtfMember(strings.get(i), type, bitOffset, bitfieldSize));
        }
        return out;
    }

    /** ENUM/ENUM64 enumerators (a signed ENUM's values sign-extended, an unsigned one's zero-extended). */
    public List<BtfEnumerator> enumerators() {
        List<BtfEnumerator> out = new ArrayList<>(vlen);
        boolean wide = kind == BtfKind.ENUM64;
        for (int i = 0; i < vlen; i++) {
            long v;
            if (wide) {
                v = (data[i * 3 + 1] & 0xFFFFFFFFL) | (long) data[i * 3 + 2] << 32;
            } else {
                v = kindFlag ? data[i * 2 + 1] : data[i * 2 + 1] & 0xFFFFFFFFL;
            }
            out.add(new BtfEnumerator(strings.get(i), v));
        }
        return out;
    }

    /** FUNC_PROTO parameters, the empty variadic marker included. */
    public List<BtfParam> params() {
        List<BtfParam> out = new ArrayList<>(vlen);
        for (int i = 0; i < vlen; i++) {
            out.add(new BtfParam(strings.get(i), data[i * 2 + 1]));
        }
        return out;
    }

    /** FUNC: its linkage (vlen); VAR: its linkage word. */
    public int linkage() {
        return kind == BtfKind.VAR ? data[0] : vlen;
    }

    public List<BtfVarSecinfo> secinfos() {
        List<BtfVarSecinfo> out = new ArrayList<>(vlen);
        for (int i = 0; i < vlen; i++) {
            out.add(new BtfVarSecinfo(data[i * 3], data[i * 3 + 1] & 0xFFFFFFFFL, data[i * 3 + 2] & 0xFFFFFFFFL));
        }
        return out;
    }

    /** DECL_TAG: the member/parameter index it tags, -1 for the type itself. */
    public int declTagComponent() {
        return data[0];
    }

    @Override
    public String toString() {
        return "[" + id + "] " + kind + " '" + name + "'";
    }
}
