package io.htablab.hashtab.cfront.btf;

/**
 * One member of a BTF struct or union (struct btf_member).
 *
 * @param name         the member name, "" for an anonymous struct/union member
 * @param type         its type id
 * @param bitOffset    bit offset from the start of the record
 * @param bitfieldSize width of a bit-field, 0 for an ordinary member
 */
public record BtfMember(String name, int type, long bitOffset, int bitfieldSize) {

    public boolean isBitField() {
        return bitfieldSize > 0;
    }
}
