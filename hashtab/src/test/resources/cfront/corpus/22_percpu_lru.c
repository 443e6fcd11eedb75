#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pc_val { __u64 hits; __u32 misses; };

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 1 << 14);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, __u32);
	__type(value, struct pc_val);
} lru_pc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 100);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED);
	__type(key, __u64);
	__type(value, struct pc_val);
} pc_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[256]);
} scratch SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
