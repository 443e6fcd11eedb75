#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ROWS 3
#define COLS 5

struct grid {
	__u8 cells[ROWS][COLS];
	__u16 weights[2][3][4];
	char c;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ROWS * COLS);
	__type(key, __u8[2][3]);
	__type(value, struct grid);
} gridmap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
