/* The event a tool sends to user space (shared with its user-space half). */
#ifndef __SCHED_EVENT_H
#define __SCHED_EVENT_H

#define TASK_COMM_LEN 16

struct sched_event {
	char task[TASK_COMM_LEN];
	__u32 pid;
	__u32 prev_pid;
	__u64 delta_us;
	__u8 : 8;
	__u8 cpu_hint;
};

#endif
