// Keys of several shapes, filled in every way the call-site check distinguishes. Each program is straight-line
// code, so the bytes clang stores before the helper call can be read off the object (ClangCallSiteTest).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow {
    __u8 proto;
    __u32 addr;
    __u16 port;
};

struct nested {
    __u16 vlan;
    struct flow inner;
    __u64 cookie;
};

struct bits {
    __u32 kind : 4;
    __u32 rsvd : 12;
    __u32 flags : 8;
    __u8 tail;
    __u64 id;
};

struct pairs {
    struct { __u32 a; __u8 b; } pair[2];
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct flow);
    __type(value, __u64);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct nested);
    __type(value, __u64);
} nesteds SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct bits);
    __type(value, __u64);
} bitses SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct pairs);
    __type(value, __u64);
} pairses SEC(".maps");

SEC("xdp")
int flow_member_stores(struct xdp_md *ctx)
{
    struct flow k;

    k.proto = ctx->data;
    k.addr = ctx->data_end;
    k.port = ctx->ingress_ifindex;
    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_empty_braces(struct xdp_md *ctx)
{
    struct flow k = {};

    k.proto = ctx->data;
    k.addr = ctx->data_end;
    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_zero(struct xdp_md *ctx)
{
    struct flow k = {0};

    k.addr = ctx->data_end;
    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_designated_runtime(struct xdp_md *ctx)
{
    struct flow k = {.proto = ctx->data, .addr = ctx->data_end, .port = ctx->ingress_ifindex};

    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_designated_partial(struct xdp_md *ctx)
{
    struct flow k = {.proto = 17, .addr = ctx->data_end};

    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_positional_runtime(struct xdp_md *ctx)
{
    struct flow k = {ctx->data, ctx->data_end, ctx->ingress_ifindex};

    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_constant_list(struct xdp_md *ctx)
{
    struct flow k = {.proto = 6, .addr = 1, .port = 80};

    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_constant_then_store(struct xdp_md *ctx)
{
    struct flow k = {.proto = 6};

    k.addr = ctx->data_end;
    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_memset(struct xdp_md *ctx)
{
    struct flow k;

    __builtin_memset(&k, 0, sizeof(k));
    k.proto = ctx->data;
    k.addr = ctx->data_end;
    k.port = ctx->ingress_ifindex;
    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int flow_compound_assign(struct xdp_md *ctx)
{
    struct flow k;

    k = (struct flow){};
    k.addr = ctx->data_end;
    return bpf_map_lookup_elem(&flows, &k) != 0;
}

SEC("xdp")
int nested_member_stores(struct xdp_md *ctx)
{
    struct nested k;

    k.vlan = ctx->rx_queue_index;
    k.inner.proto = ctx->data;
    k.inner.addr = ctx->data_end;
    k.inner.port = ctx->ingress_ifindex;
    k.cookie = ctx->data;
    return bpf_map_lookup_elem(&nesteds, &k) != 0;
}

SEC("xdp")
int nested_empty_braces(struct xdp_md *ctx)
{
    struct nested k = {};

    k.inner.addr = ctx->data_end;
    k.cookie = ctx->data;
    return bpf_map_lookup_elem(&nesteds, &k) != 0;
}

SEC("xdp")
int bits_member_stores(struct xdp_md *ctx)
{
    struct bits k;

    k.kind = ctx->data;
    k.rsvd = 0;
    k.flags = ctx->data_end;
    k.tail = ctx->ingress_ifindex;
    k.id = ctx->data;
    return bpf_map_lookup_elem(&bitses, &k) != 0;
}

SEC("xdp")
int pairs_member_stores(struct xdp_md *ctx)
{
    struct pairs k;

    k.pair[0].a = ctx->data;
    k.pair[0].b = ctx->data_end;
    k.pair[1].a = ctx->ingress_ifindex;
    k.pair[1].b = ctx->rx_queue_index;
    return bpf_map_lookup_elem(&pairses, &k) != 0;
}

SEC("xdp")
int pairs_memset(struct xdp_md *ctx)
{
    struct pairs k;

    __builtin_memset(&k, 0, sizeof(k));
    k.pair[1].a = ctx->ingress_ifindex;
    return bpf_map_lookup_elem(&pairses, &k) != 0;
}

char LICENSE[] SEC("license") = "GPL";
