#ifndef COMMON_H
#define COMMON_H

#include "nested.h"

#define COMMON_ENTRIES 4096

struct common_key {
	__u32 ifindex;
	__u32 queue;
	struct nested_part part;
};

#endif
