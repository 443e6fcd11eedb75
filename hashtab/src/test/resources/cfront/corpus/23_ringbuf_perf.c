#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event { __u32 pid; char comm[16]; __u64 ts; };

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

const volatile struct event *unused_event;

char LICENSE[] SEC("license") = "GPL";
