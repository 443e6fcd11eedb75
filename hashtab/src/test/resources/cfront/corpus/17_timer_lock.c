#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct timer_val {
	struct bpf_timer t;
	struct bpf_spin_lock lock;
	__u64 deadline;
};

struct lock_val {
	__u32 cnt;
	struct bpf_spin_lock lock;
	__u8 flag;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 100);
	__type(key, __u32);
	__type(value, struct timer_val);
} timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_val);
} locks SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
