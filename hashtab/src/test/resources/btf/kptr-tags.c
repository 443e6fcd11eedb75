/* Pointer members with BTF type tags, as BPF programs declare kptrs; compiled by clang in BtfEncoderTest. */
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))

struct bpf_spin_lock { unsigned int val; };
struct obj { unsigned long long x; };
struct task_struct;

struct val {
	unsigned long long a;
	struct obj __kptr *owned;
	struct obj __kptr_untrusted *seen;
	struct obj __percpu_kptr *pc;
	struct task_struct __kptr *task;
	struct obj *plain;
	struct bpf_spin_lock lock;
};

struct val v;
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
