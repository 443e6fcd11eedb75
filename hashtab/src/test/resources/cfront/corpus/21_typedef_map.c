#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, __u64);
	__type(value, __u32);
} lru_map_t;

lru_map_t conn_a SEC(".maps");
lru_map_t conn_b SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
