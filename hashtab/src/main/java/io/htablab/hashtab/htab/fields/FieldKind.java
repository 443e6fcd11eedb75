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

    /** The struct tag ({@code bpf_timer}) or, for kptrs and uptrs, the BTF type tag that marks the field. */
    public String cName() {
        return cName;
    }
}
