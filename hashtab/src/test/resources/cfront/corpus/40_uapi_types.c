/* Types from the system's real uapi headers (linux/types.h, asm/types.h, linux/bpf.h), not a built-in list. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct csum_key {
	__be32 daddr;
	__be16 dport;
	__sum16 check;
	__wsum partial;
	__aligned_u64 cookie;
	__poll_t events;
};

struct lpm_v4 {
	struct bpf_lpm_trie_key_hdr hdr;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct csum_key);
	__type(value, struct bpf_spin_lock);
} csums SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 512);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4);
	__type(value, struct bpf_cpumap_val);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, __BPF_FUNC_MAX_ID);
	__type(key, __u32);
	__type(value, struct bpf_timer);
} per_helper SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
