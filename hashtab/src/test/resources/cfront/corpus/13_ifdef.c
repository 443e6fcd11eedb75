#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FEATURE_A
#define LEVEL 3

#ifdef FEATURE_A
#define A_ENTRIES 100
#else
#define A_ENTRIES 1
#endif

#ifndef FEATURE_B
#define B_ENTRIES 200
#endif

#if LEVEL > 2 && defined(FEATURE_A)
struct cond_val { __u64 a; __u64 b; };
#elif LEVEL > 1
struct cond_val { __u32 a; };
#else
#error "unreachable"
#endif

#if 0
this is not C at all ((
#endif

#if defined FEATURE_B || !defined(FEATURE_A)
#define C_FLAGS BPF_F_NO_PREALLOC
#elif (LEVEL * 2 == 6) && (0x10 >> 4)
#define C_FLAGS BPF_F_ZERO_SEED
#else
#define C_FLAGS 0
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ENDIAN_ENTRIES 11
#else
#define ENDIAN_ENTRIES 22
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, A_ENTRIES + B_ENTRIES + ENDIAN_ENTRIES);
	__uint(map_flags, C_FLAGS);
	__type(key, __u32);
	__type(value, struct cond_val);
} condmap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
