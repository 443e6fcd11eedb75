#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stddef.h>

struct so_inner { __u8 a; __u32 b; __u16 c; };

struct so_val {
	__u8 data[sizeof(struct so_inner)];
	__u8 more[_Alignof(struct so_inner) * 3];
	__u8 off[offsetof(struct so_inner, c)];
	__u8 ptrs[sizeof(void *) + sizeof(long) + sizeof(long long) + sizeof(short)];
	__u8 arr[sizeof(__u32[7]) / sizeof(__u32)];
	__u8 str[sizeof("abc")];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, sizeof(struct so_val) * 4);
	__uint(key_size, sizeof(struct so_inner));
	__uint(value_size, sizeof(struct so_val));
} somap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
