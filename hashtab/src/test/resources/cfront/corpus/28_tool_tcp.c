/* Shaped like a connection tracer: several maps, helper macros, a local header. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "inc/tcp_common.h"

#define MAX_ENTRIES 8192
#define HIST_SLOTS 26
#define TASK_COMM_LEN 16

#define BPF_HASH(_name, _key, _value, _max) \
	struct { \
		__uint(type, BPF_MAP_TYPE_HASH); \
		__uint(max_entries, _max); \
		__type(key, _key); \
		__type(value, _value); \
	} _name SEC(".maps")

#define BPF_PERCPU_ARRAY(_name, _value, _max) \
	struct { \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); \
		__uint(max_entries, _max); \
		__type(key, __u32); \
		__type(value, _value); \
	} _name SEC(".maps")

struct hist {
	__u32 slots[HIST_SLOTS];
	char comm[TASK_COMM_LEN];
};

struct piddata {
	char comm[TASK_COMM_LEN];
	__u64 ts;
	__u32 tgid;
};

BPF_HASH(start, struct sock_id, struct piddata, MAX_ENTRIES);
BPF_HASH(hists, struct hist_key, struct hist, 1024);
BPF_HASH(ipv4_flows, struct flow4, struct flow_stats, MAX_ENTRIES * 2);
BPF_HASH(ipv6_flows, struct flow6, struct flow_stats, MAX_ENTRIES * 2);
BPF_PERCPU_ARRAY(heap, struct piddata, 1);

const volatile __u64 min_us = 0;
const volatile __s32 targ_tgid = 0;

static __always_inline __u64 log2l(__u64 v)
{
	__u32 hi = v >> 32;
	if (hi)
		return 32 + hi;
	return v;
}

SEC("kprobe/tcp_v4_connect")
int trace_connect(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
