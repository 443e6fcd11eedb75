#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct anon_key {
	__u8 kind;
	union {
		struct {
			__u32 src;
			__u32 dst;
		};
		__u64 both;
	};
	struct {
		__u16 sport, dport;
	} ports;
};

struct nested_val {
	struct anon_key k;
	struct {
		__u8 a;
		__u64 b;
	} arr[3];
	__u8 tail;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct anon_key);
	__type(value, struct nested_val);
} anonmap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
