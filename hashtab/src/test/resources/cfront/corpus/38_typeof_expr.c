/* typeof of expressions: member access through a cast pointer, arithmetic, calls, sizeof, conditionals. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sample {
	__u8 small;
	__u16 port;
	__u64 big;
	char comm[16];
	struct { __u32 lo, hi; } pair;
	int *ptr;
};

static __u64 make_id(__u32 a, __u32 b) { return ((__u64)a << 32) | b; }
unsigned short pick(int x);

#define member_type(T, m) typeof(((T *)0)->m)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, typeof(((struct sample *)0)->port));
	__type(value, typeof(((struct sample *)0)->comm));
} by_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, member_type(struct sample, pair));
	__type(value, typeof(((struct sample *)0)->small + ((struct sample *)0)->port));
} by_pair SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, typeof(make_id(1, 2)));
	__type(value, typeof(sizeof(struct sample)));
} by_call SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, typeof(pick(0) * 2));
	__type(value, typeof(*((struct sample *)0)->ptr));
} by_arith SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, typeof(((struct sample *)0)->pair.hi));
	__type(value, typeof(1 ? ((struct sample *)0)->big : 0));
	__uint(map_flags, sizeof(((struct sample *)0)->comm) > 8 ? BPF_F_NO_PREALLOC : 0);
} by_member SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
