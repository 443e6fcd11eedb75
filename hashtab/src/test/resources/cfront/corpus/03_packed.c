#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct packed_key {
	__u8 proto;
	__u32 addr;
	__u16 port;
} __attribute__((packed));

struct __attribute__((packed)) packed_val {
	__u8 a;
	__u64 b;
	struct {
		__u8 c;
		__u32 d;
	} inner;
};

struct mixed {
	char c;
	int i __attribute__((packed));
	short s;
};

struct packed_bits {
	unsigned char a : 3;
	unsigned int b : 30;
	unsigned char c;
} __attribute__((packed));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, struct packed_key);
	__type(value, struct packed_val);
} pk SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, struct mixed);
	__type(value, struct packed_bits);
} pk2 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
