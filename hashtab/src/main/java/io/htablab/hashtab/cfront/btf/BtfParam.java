package io.htablab.hashtab.cfront.btf;

/** One parameter of a FUNC_PROTO (struct btf_param); name "" when unnamed, type 0 with name "" ends a variadic list. */
public record BtfParam(String name, int type) {
}
