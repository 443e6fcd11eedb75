#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

union addr {
	__u32 v4;
	__u8 v6[16];
	__u64 halves[2];
};

struct ukey {
	__u8 family;
	union addr a;
	union {
		__u16 port;
		__u8 icmp_type;
	};
};

union uval {
	char c;
	int i : 20;
	struct {
		short s;
		char t;
	} st;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ukey);
	__type(value, union uval);
} umap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
