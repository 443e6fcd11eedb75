#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key {
	__u32 saddr;
	__u16 port;
};

struct value {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct key);
	__type(value, struct value);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	struct key k = {};
	struct value *v = bpf_map_lookup_elem(&flows, &k);
	if (v)
		v->packets++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
