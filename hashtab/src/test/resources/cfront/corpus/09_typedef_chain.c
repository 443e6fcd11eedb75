#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __u32 ip4_t;
typedef ip4_t addr_t;
typedef addr_t final_addr_t;
typedef struct tk { final_addr_t src; final_addr_t dst; __u8 proto; } tuple_t;
typedef tuple_t key_t;
typedef __u64 counter_t[4];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1000);
	__type(key, key_t);
	__type(value, counter_t);
} tdmap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
