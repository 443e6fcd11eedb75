/* A profile/offcputime-style tool: stack traces and per-CPU perf arrays that libbpf completes at load time. */
#define __TARGET_ARCH_x86
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define PERF_MAX_STACK_DEPTH 127
#define MAX_ENTRIES 10240

struct key_t {
	u32 pid;
	int user_stack_id;
	int kern_stack_id;
	char name[TASK_COMM_LEN];
};

typedef __u64 stack_trace_t[PERF_MAX_STACK_DEPTH];

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(u32));
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__type(key, u32);
	__type(value, stack_trace_t);
	__uint(max_entries, MAX_ENTRIES);
} stacks2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__type(key, u32);
	__type(value, u32);
} perf_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct key_t);
	__type(value, u64);
	__uint(max_entries, MAX_ENTRIES);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, typeof(((struct sock_common *)0)->skc_family));
	__type(value, typeof(((struct task_struct *)0)->se));
} by_family SEC(".maps");

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	struct key_t key = {};

	key.kern_stack_id = bpf_get_stackid(&ctx->regs, &stackmap, 0);
	bpf_get_current_comm(&key.name, sizeof(key.name));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
