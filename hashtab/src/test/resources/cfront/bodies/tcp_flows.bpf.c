// A flow counter in the style of many XDP programs: a padded key filled in several ways.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct flow_key {
    __u8 proto;
    __u32 saddr;
    __u32 daddr;
    __u16 sport;
    __u16 dport;
};

struct flow_counts {
    __u64 packets;
    __u64 bytes;
    struct bpf_spin_lock lock;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, struct flow_key);
    __type(value, struct flow_counts);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} drops SEC(".maps");

static __always_inline void count_drop(void)
{
    __u32 zero = 0;
    __u64 *d = bpf_map_lookup_elem(&drops, &zero);

    if (d)
        __sync_fetch_and_add(d, 1);
}

static __always_inline int parse(struct xdp_md *ctx, struct flow_key *key)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;

    if (data + 40 > end) {
        count_drop();
        return -1;
    }
    key->proto = *(__u8 *)(data + 9);
    key->saddr = *(__u32 *)(data + 12);
    key->daddr = *(__u32 *)(data + 16);
    key->sport = *(__u16 *)(data + 20);
    key->dport = *(__u16 *)(data + 22);
    return 0;
}

SEC("xdp")
int count_flows(struct xdp_md *ctx)
{
    struct flow_key key;
    struct flow_counts init = {}, *stats;

    __builtin_memset(&key, 0, sizeof(key));
    if (parse(ctx, &key) < 0)
        return XDP_PASS;

    stats = bpf_map_lookup_elem(&flows, &key);
    if (!stats) {
        init.packets = 1;
        init.bytes = ctx->data_end - ctx->data;
        bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
        return XDP_PASS;
    }
    bpf_spin_lock(&stats->lock);
    stats->packets++;
    stats->bytes += ctx->data_end - ctx->data;
    bpf_spin_unlock(&stats->lock);
    return XDP_PASS;
}

SEC("xdp")
int forget_flow(struct xdp_md *ctx)
{
    struct flow_key key;

    key.proto = 6;
    key.saddr = ctx->data;
    key.daddr = ctx->data_end;
    key.sport = 80;
    key.dport = 8080;
    bpf_map_delete_elem(&flows, &key);
    for (int i = 0; i < 4; i++) {
        if (i == ctx->rx_queue_index)
            break;
    }
    switch (ctx->ingress_ifindex) {
    case 1:
        return XDP_DROP;
    default:
        break;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
