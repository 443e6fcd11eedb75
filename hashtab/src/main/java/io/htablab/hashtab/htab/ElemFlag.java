package io.htablab.hashtab.htab;

/** Element-operation flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK). */
public final class ElemFlag {
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;
    public static final long BPF_F_LOCK = 4;

    private ElemFlag() {
    }
}
