// Tracks process starts by pid, with a per-CPU scratch value and an LRU of recent commands.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define MAX_ENTRIES 10240

struct event {
    __u32 pid;
    __u32 ppid;
    __u64 start_ns;
    char comm[TASK_COMM_LEN];
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, MAX_ENTRIES);
    __type(key, __u32);
    __type(value, struct event);
} recent SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct event);
} scratch SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 128);
    __type(value, __u32);
} pending SEC(".maps");

static const struct event empty_event = {};

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 pid = id >> 32, zero = 0;
    struct event *e;

    e = bpf_map_lookup_elem(&scratch, &zero);
    if (!e)
        return 0;
    e->pid = pid;
    e->start_ns = bpf_ktime_get_ns();
    bpf_get_current_comm(&e->comm, sizeof(e->comm));
    bpf_map_update_elem(&recent, &pid, e, BPF_ANY);
    bpf_map_push_elem(&pending, &pid, 0);
    return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int on_exit(void *ctx)
{
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    __u32 next;
    struct event *e = (struct event *)bpf_map_lookup_elem(&recent, &pid);

    if (e && e->pid == pid)
        bpf_map_delete_elem(&recent, &pid);
    while (bpf_map_pop_elem(&pending, &next) == 0) {
        if (next == pid)
            break;
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
