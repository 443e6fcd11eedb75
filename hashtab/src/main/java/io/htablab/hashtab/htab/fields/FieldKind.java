package io.htablab.hashtab.htab.fields;

/**
 * The special fields the kernel recognises in a BTF-typed map value (enum btf_field_type). They are found by
 * their C type ({@code struct bpf_spin_lock}, {@code struct bpf_timer}, ...) or, for kptrs, by a BTF type tag.
 */
public enum FieldKind {
    SPIN_LOCK("bpf_spin_lock"),
    RES_SPIN_LOCK("bpf_res_spin_lock"),
    TIMER("bpf_timer"),
    WORKQUEUE("bpf_wq"),
    TASK_WORK("bpf_task_work"),
    KPTR_UNREF("kptr_untrusted"),
    KPTR_REF("kptr"),
    KPTR_PERCPU("percpu_kptr"),
    UPTR("uptr"),
    REFCOUNT("bpf_refcount"),
    LIST_HEAD("bpf_list_head"),
    LIST_NODE("bpf_list_node"),
    RB_ROOT("bpf_rb_root"),
    RB_NODE("bpf_rb_node");

    private final String cName;

    FieldKind(String cName) {
        this.cName = cName;
    }

    /** btf_field_type_size: the bytes the kernel's own struct (or a kptr) occupies. */
    public int size() {
        return switch (this) {
            case SPIN_LOCK, RES_SPIN_LOCK, REFCOUNT -> 4;
            case TIMER, WORKQUEUE, LIST_HEAD, RB_ROOT -> 16;
            case TASK_WORK, KPTR_UNREF, KPTR_REF, KPTR_PERCPU, UPTR -> 8;
            case LIST_NODE -> 24;
            case RB_NODE -> 32;
        };
    }

    /** btf_field_type_align: a field at an offset that is not a multiple of this is not recognised. */
    public int align() {
        return switch (this) {
            case SPIN_LOCK, RES_SPIN_LOCK, REFCOUNT -> 4;
            default -> 8;
        };
    }

    /** Kptrs and uptrs are found by a type tag on a pointer, the others by their struct's name. */
    public boolean isKptr() {
        return this == KPTR_UNREF || this == KPTR_REF || this == KPTR_PERCPU || this == UPTR;
    }

    /** A struct of this kind may appear at most once per struct level (bpf_spin_lock, bpf_timer, ...). */
    public boolean isUnique() {
        return this == SPIN_LOCK || this == RES_SPIN_LOCK || this == TIMER || this == WORKQUEUE || this == TASK_WORK;
    }

    /** The struct tag ({@code bpf_timer}) or, for kptrs and uptrs, the BTF type tag that marks the field. */
    public String cName() {
        return cName;
    }
}
