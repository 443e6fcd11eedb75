#ifndef TCP_COMMON_H
#define TCP_COMMON_H

struct sock_id {
	__u64 sk;
	__u32 cpu;
};

struct hist_key {
	__u32 saddr;
	__u32 daddr;
	__u16 family;
};

struct flow4 {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

struct flow6 {
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

struct flow_stats {
	__u64 bytes;
	__u64 packets;
	__u32 retrans : 20, state : 4, dir : 1;
	__u64 last_seen;
};

#endif
