#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum { SLOTS = 27, SHIFT = 3 };
#define KB 1024
#define ENTRIES ((KB << 2) | 0x10)

struct ce_val {
	__u64 slots[SLOTS];
	char name[16 - sizeof(int) * 2];
	__u8 octal[010];
	__u8 hex[0x1f & ~0x10];
	__u8 ch['A' - '0'];
	__u8 tern[SHIFT > 2 ? 3 : 7];
	__u8 casted[(unsigned char)260];
	__u8 ul[2UL + 1ull];
	__u8 neg[-(-3)];
	__u8 shifted[(1 << SHIFT) >> 1];
	__u8 logic[(5 && 0) + (0 || 3) + !0 + (4 != 4) + (3 >= 2)];
	__u8 al[_Alignof(__u64) + __alignof__(short)];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENTRIES * 2 + sizeof(struct ce_val) % 7);
	__uint(key_size, sizeof(__u32) * 2);
	__uint(value_size, sizeof(struct ce_val));
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cemap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 0x100 + 0100 + 'a' + (1U << 31 >> 28));
	__type(key, __u32);
	__type(value, struct ce_val);
} cemap2 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
