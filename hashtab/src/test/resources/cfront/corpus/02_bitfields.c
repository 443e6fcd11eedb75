#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bf_key {
	char a;
	int b : 3;
	int : 0;
	char c;
	long d : 40;
	char e;
};

struct bf_val {
	char a;
	int : 5;
	char c;
	unsigned int flags : 4, kind : 4, level : 24;
	unsigned long long big : 60;
	int tail : 7;
};

struct bf_small {
	unsigned char x : 1;
	unsigned char y : 7;
	unsigned short z : 9;
	unsigned char w;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct bf_key);
	__type(value, struct bf_val);
} bitmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct bf_small);
} small SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
