#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum color { RED, GREEN = 5, BLUE };
enum big { BIG1 = 0x80000000 };
enum negbig { NB1 = -1, NB2 = 0x80000000 };
enum huge { H1 = 0x100000000ULL };
enum __attribute__((packed)) small_e { S1 = 1, S2 = 200 };
enum __attribute__((packed)) small_s { SS1 = -1, SS2 = 100 };
enum __attribute__((packed)) medium { M1 = 300 };
enum typed_e : unsigned char { T1, T2 };
enum typed_l : long { TL1 = 1 };

struct ekey {
	enum color c;
	enum small_e s;
	enum small_s ss;
	enum medium m;
	enum typed_e t;
};

struct evalue {
	enum big b;
	enum negbig n;
	enum huge h;
	enum typed_l l;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BLUE * 10);
	__type(key, struct ekey);
	__type(value, struct evalue);
} emap SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
