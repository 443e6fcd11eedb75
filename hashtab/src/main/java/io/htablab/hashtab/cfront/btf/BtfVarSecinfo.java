package io.htablab.hashtab.cfront.btf;

/** One variable of a DATASEC (struct btf_var_secinfo). */
public record BtfVarSecinfo(int type, long offset, long size) {
}
