#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flex {
	__u32 len;
	__u8 data[];
};

struct zero {
	__u64 a;
	__u32 b;
	__u32 pad[0];
};

struct zero2 {
	char c;
	__u64 z[0];
};

struct lpm_key {
	__u32 prefixlen;
	__u8 data[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct zero);
	__type(value, struct flex);
} fz SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct zero2);
	__type(value, struct lpm_key);
} fz2 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
