#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct i128_key {
	char c;
	__int128 x;
};

struct i128_val {
	unsigned __int128 u;
	int i;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct i128_key);
	__type(value, struct i128_val);
} i128 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
