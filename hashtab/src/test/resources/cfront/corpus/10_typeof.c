#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct base { __u32 a; __u64 b; };
static struct base sample;
typedef typeof(sample) base_copy_t;

struct wrap {
	typeof(sample.a) x;
	typeof(struct base) nested;
	__typeof__(__u16) y;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, typeof(sample));
	__type(value, struct wrap);
} tmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, base_copy_t);
	__type(value, __u32);
} tmap2 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
