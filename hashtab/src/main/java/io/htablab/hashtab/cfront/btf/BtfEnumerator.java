package io.htablab.hashtab.cfront.btf;

/** One enumerator of an ENUM or ENUM64 (its value sign-extended for a signed 32-bit ENUM). */
public record BtfEnumerator(String name, long value) {
}
