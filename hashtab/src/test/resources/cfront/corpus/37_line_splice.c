/* Translation phase 2: backslash-newlines spliced inside identifiers, numbers, strings, directives and comments. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_FL\
OWS 40\
96

// a line comment that goes on \
struct not_a_struct { char x[100]; };

struct flow_k\
ey {
	__u32 sad\
dr;
	__u16 dport;  \

	__u8 pro\
to;
};

struct {
	__uint(type, BPF_MAP_TYPE_\
HASH);
	__uint(max_entries, MAX_FLOWS);
	__type(key, struct flow_key);
	__type(val\
ue, __u64);
} spl\
iced_flows SEC(".m\
aps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1\
6);
	__type(key, __u32);
	__type(value, struct flow_key);
} other SEC(".maps");

char LICENSE[] SEC("license") = "G\
PL";
