/* Shaped like a CO-RE tool: kernel-style u8..u64 typedefs written locally. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed int s32;
typedef _Bool bool;
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

enum bpf_map_type_local { LOCAL_HASH = 1, LOCAL_ARRAY = 2 };

struct event_key {
	u32 pid;
	u32 tid;
	bool kernel;
};

struct event_val {
	u64 count;
	s32 err;
	u8 flags;
	u16 cpu;
};

struct {
	__uint(type, LOCAL_HASH);
	__uint(max_entries, 4 * 1024);
	__type(key, struct event_key);
	__type(value, struct event_val);
} ev SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
