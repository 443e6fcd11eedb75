#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stddef.h>

struct ki_key {
	__s8 a; __u8 b; __s16 c; __u16 d; __s32 e; __u32 f; __s64 g; __u64 h;
	__be16 i; __be32 j; __be64 k; __le16 l; __le32 m; __le64 n; __wsum o; __sum16 p;
};

struct ki_val {
	size_t s;
	signed char sc;
	unsigned short us;
	short int si;
	long int li;
	unsigned long long int ulli;
	long unsigned lu;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 100);
	__type(key, struct ki_key);
	__type(value, struct ki_val);
} kimap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
