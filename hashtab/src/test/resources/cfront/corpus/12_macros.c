#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CAT(a, b) a ## b
#define STR(x) #x
#define XCAT(a, b) CAT(a, b)
#define PREFIX stats
#define FIELD(n) __u64 CAT(cnt_, n)
#define DEFINE_MAP(name, ktype, vtype, n) \
	struct { \
		__uint(type, BPF_MAP_TYPE_HASH); \
		__uint(max_entries, n); \
		__type(key, ktype); \
		__type(value, vtype); \
	} name SEC(".maps")
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define VA_COUNT(...) VA_COUNT_(__VA_ARGS__, 4, 3, 2, 1)
#define VA_COUNT_(a, b, c, d, N, ...) N

struct XCAT(PREFIX, _val) {
	FIELD(rx);
	FIELD(tx);
	char tag[sizeof(STR(hello))];
	__u8 n[VA_COUNT(x, y, z)];
	__u32 m[MAX(2, 5)];
};

DEFINE_MAP(by_cpu, __u32, struct stats_val, 128);
DEFINE_MAP(by_pid, __u64, struct stats_val, MAX(256, 512));

#undef MAX
#define MAX 77
DEFINE_MAP(after_undef, __u32, __u32, MAX);

char LICENSE[] SEC("license") = "GPL";
