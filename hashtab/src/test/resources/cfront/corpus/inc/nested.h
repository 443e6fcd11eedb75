#pragma once

struct nested_part {
	__u16 a;
	__u8 b;
};
