#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FLAGS_OCT 01
#define ENTRIES_OCT 0777
#define ENTRIES_HEX 0XfF

struct co_val {
	char a['\n'];
	char b['\x10'];
	char c['\020' + 1];
	char d[(char)-1 + 2];
	char e[0b101];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENTRIES_OCT + ENTRIES_HEX);
	__uint(map_flags, FLAGS_OCT);
	__type(key, long long);
	__type(value, struct co_val);
} comap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
