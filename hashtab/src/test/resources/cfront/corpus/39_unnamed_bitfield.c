/* Unnamed bit-fields occupy bytes that BTF does not describe: in a key they are padding. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct conn_key {
	__u32 saddr;
	__u32 : 16;
	__u16 dport;
	__u8 proto : 4;
	__u8 : 4;
	__u8 flags;
	__u16 : 16;
};

struct reserved_key {
	__u64 id;
	__u32 : 32;
	__u32 : 0;
	__u32 tag;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct conn_key);
	__type(value, __u64);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct reserved_key);
	__type(value, __u32);
} reserved SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
