#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* linux/bpf.h of this distribution predates bpf_wq, so define it as newer kernels do */
struct bpf_wq {
	__u64 :64;
	__u64 :64;
} __attribute__((aligned(8)));

struct wq_val {
	__u8 state;
	struct bpf_wq work;
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, int);
	__type(value, struct wq_val);
} wqs SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
