#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

typedef int (*handler_fn)(void *ctx, int arg);

struct pf_val {
	void *ptr;
	handler_fn fn;
	int (*raw)(char);
	char *names[4];
	const char *const *pp;
	_Bool on;
	bool also;
	float f;
	double d;
	long double ld;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, unsigned long);
	__type(value, struct pf_val);
} pfmap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
