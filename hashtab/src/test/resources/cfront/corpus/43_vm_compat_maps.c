/* A tool whose ring buffer and scratch heap come from a shared header (compat.bpf.h style). */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "inc/compat.bpf.h"

struct exec_key {
	pid_t pid;
	u64 mntns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct exec_key);
	__type(value, u64);
} execs SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int enter_execve(void *ctx)
{
	struct exec_key k = {};
	void *buf = reserve_buf(64);

	if (buf)
		bpf_ringbuf_discard(buf, 0);
	k.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_update_elem(&execs, &k, &k.mntns, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
