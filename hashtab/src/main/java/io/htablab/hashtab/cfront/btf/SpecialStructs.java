package io.htablab.hashtab.cfront.btf;

/**
 * The kernel's special structs as C, with the sizes and alignments the running kernel's BTF gives them (the uapi
 * {@code linux/bpf.h} definitions: opaque, so only size, alignment and name matter). A scenario's translation unit
 * starts with these so that every special field can be declared; a later definition of the same name replaces one.
 */
public final class SpecialStructs {

    private SpecialStructs() {
    }

    public static final String C_DECLARATIONS = String.join("\n",
            "struct bpf_spin_lock { __u32 val; };",
            "struct bpf_res_spin_lock { __u32 val; };",
            "struct bpf_timer { __u64 __opaque[2]; } __attribute__((aligned(8)));",
            "struct bpf_wq { __u64 __opaque[2]; } __attribute__((aligned(8)));",
            "struct bpf_task_work { __u64 __opaque; } __attribute__((aligned(8)));",
            "struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));",
            "struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));",
            "struct bpf_rb_root { __u64 __opaque[2]; } __attribute__((aligned(8)));",
            "struct bpf_rb_node { __u64 __opaque[4]; } __attribute__((aligned(8)));",
            "struct bpf_refcount { __u32 __opaque[1]; } __attribute__((aligned(4)));",
            "#define __uptr __attribute__((btf_type_tag(\"uptr\")))",
            "#define __kptr __attribute__((btf_type_tag(\"kptr\")))",
            "#define __kptr_untrusted __attribute__((btf_type_tag(\"kptr_untrusted\")))",
            "#define __percpu_kptr __attribute__((btf_type_tag(\"percpu_kptr\")))",
            "");
}
