#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct hdr_bits {
	__u8 ihl : 4, version : 4;
	__u8 tos;
	__u16 frag_off : 13, flags : 3;
};

struct outer_bits {
	struct hdr_bits h;
	__u32 a : 1;
	__u64 b : 33;
	__u16 c : 15;
	__u8 : 3;
	__u8 d;
	__u64 e : 1;
};

struct zero_width {
	__u8 a : 2;
	__u64 : 0;
	__u8 b;
	__u16 : 0;
	__u8 c : 4;
	char : 0;
	__u8 d;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct outer_bits);
	__type(value, struct zero_width);
} nbmap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
