#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "inc/common.h"
#include "inc/common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, COMMON_ENTRIES);
	__type(key, struct common_key);
	__type(value, __u64);
} inc_map SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
