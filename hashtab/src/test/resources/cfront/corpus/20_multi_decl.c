#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 50);
	__type(key, __u32);
	__type(value, __u32);
} first SEC(".maps"), second SEC(".maps"), third SEC(".maps");

struct shared_def {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct shared_def fourth SEC(".maps");
SEC(".maps") struct shared_def fifth;

char LICENSE[] SEC("license") = "GPL";
