#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct al_key {
	__u32 a;
	__u32 b __attribute__((aligned(16)));
};

struct al_val {
	char c;
} __attribute__((aligned(8)));

typedef __u64 u64_a4 __attribute__((aligned(4)));

struct lowered {
	char c;
	u64_a4 x;
};

struct al_packed {
	char c;
	__u32 x __attribute__((aligned(2)));
} __attribute__((packed));

struct __attribute__((aligned(32))) big_align {
	int x;
	_Alignas(8) char y;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct al_key);
	__type(value, struct al_val);
} aligned_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct lowered);
	__type(value, struct big_align);
} aligned_map2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct al_packed);
} aligned_map3 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
