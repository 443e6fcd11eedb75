/* A USDT tool: libbpf's usdt.bpf.h defines two maps of its own, which the object carries. */
#define __TARGET_ARCH_x86
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, u64);
} latencies SEC(".maps");

SEC("usdt")
int BPF_USDT(query_start, void *query)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&latencies, &id, &ts, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
