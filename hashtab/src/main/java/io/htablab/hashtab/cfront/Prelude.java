package io.htablab.hashtab.cfront;

/**
 * Built-in knowledge of the well-known BPF headers, written as C and read before every file (as file 0, once
 * per JVM: it is the root {@link HeaderUnit}). Values follow the kernel's uapi linux/bpf.h and libbpf's
 * bpf_helpers.h; names defined here may be redefined by the user or a real header without a diagnostic.
 */
final class Prelude {
    private Prelude() {
    }

    /** What clang -target bpf predefines (generated with clang, see the resource's first line). */
    static final String COMPILER = compilerPredefines();

    private static String compilerPredefines() {
        try (java.io.InputStream in = Prelude.class.getResourceAsStream("clang-bpf-predefines.h")) {
            if (in != null) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        } catch (java.io.IOException e) {
            // fall through to the minimum below
        }
        return "#define __bpf__ 1\n#define __BPF__ 1\n#define __clang__ 1\n#define __LP64__ 1\n";
    }

    /**
     * The headers whose relevant content is built in below. An {@code #include} of one of them reads the real file
     * when the include paths find it; only when none is found does the built-in part stand in (and a diagnostic
     * says so). The built-in names are always visible underneath (a snippet without includes still works); a real
     * header's definitions shadow them.
     */
    static final java.util.Set<String> BUILTIN_HEADERS = java.util.Set.of("vmlinux.h", "bpf/bpf_helpers.h",
            "bpf/bpf_tracing.h", "bpf/bpf_endian.h", "bpf/bpf_core_read.h", "linux/bpf.h", "linux/types.h",
            "bpf_helpers.h", "bpf_tracing.h", "bpf_endian.h", "bpf_core_read.h", "bpf/bpf_helper_defs.h",
            "bpf_helper_defs.h", "stdbool.h", "stdint.h", "stddef.h", "linux/stddef.h", "asm/types.h",
            "asm-generic/int-ll64.h", "linux/bpf_common.h");

    static final String TEXT = String.join("\n",
            COMPILER,
            "#define __LITTLE_ENDIAN_BITFIELD 1",
            "#define NULL ((void *)0)",
            "enum { false = 0, true = 1 };",
            "#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)",
            // libbpf bpf_helpers.h
            "#define __uint(name, val) int (*name)[val]",
            "#define __type(name, val) typeof(val) *name",
            "#define __array(name, val) typeof(val) *name[]",
            "#define __ulong(name, val) enum { ___bpf_concat(__unique_value, __COUNTER__) = val } name",
            "#define ___bpf_concat(a, b) a ## b",
            "#define SEC(name) __attribute__((section(name), used))",
            "#define __always_inline inline __attribute__((always_inline))",
            "#define __noinline __attribute__((noinline))",
            "#define __weak __attribute__((weak))",
            "#define __hidden __attribute__((visibility(\"hidden\")))",
            "#define __kconfig __attribute__((section(\".kconfig\")))",
            "#define __ksym __attribute__((section(\".ksyms\")))",
            "#define __kptr __attribute__((btf_type_tag(\"kptr\")))",
            "#define __kptr_untrusted __attribute__((btf_type_tag(\"kptr_untrusted\")))",
            "#define __percpu_kptr __attribute__((btf_type_tag(\"percpu_kptr\")))",
            "#define __arg_ctx __attribute__((btf_decl_tag(\"arg:ctx\")))",
            "#define __arena __attribute__((address_space(1)))",
            "#define __packed __attribute__((packed))",
            "#define __aligned(x) __attribute__((aligned(x)))",
            "#define likely(x) __builtin_expect(!!(x), 1)",
            "#define unlikely(x) __builtin_expect(!!(x), 0)",
            "#define barrier() asm volatile(\"\" ::: \"memory\")",
            "#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))",
            "enum { BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2, BPF_F_LOCK = 4 };",
            // linux/types.h, asm-generic/int-ll64.h
            "typedef signed char __s8; typedef unsigned char __u8;",
            "typedef short __s16; typedef unsigned short __u16;",
            "typedef int __s32; typedef unsigned int __u32;",
            "typedef long long __s64; typedef unsigned long long __u64;",
            "typedef __s8 s8; typedef __u8 u8; typedef __s16 s16; typedef __u16 u16;",
            "typedef __s32 s32; typedef __u32 u32; typedef __s64 s64; typedef __u64 u64;",
            "typedef __u16 __le16; typedef __u16 __be16; typedef __u32 __le32; typedef __u32 __be32;",
            "typedef __u64 __le64; typedef __u64 __be64; typedef __u16 __sum16; typedef __u32 __wsum;",
            "typedef __u32 __poll_t;",
            "typedef unsigned long __kernel_ulong_t; typedef long __kernel_long_t;",
            "typedef __kernel_ulong_t __kernel_size_t; typedef __kernel_long_t __kernel_ssize_t;",
            "typedef unsigned long size_t; typedef long ssize_t; typedef long ptrdiff_t;",
            "typedef unsigned long uintptr_t; typedef long intptr_t;",
            "typedef signed char int8_t; typedef unsigned char uint8_t; typedef short int16_t;",
            "typedef unsigned short uint16_t; typedef int int32_t; typedef unsigned int uint32_t;",
            "typedef long int64_t; typedef unsigned long uint64_t;",
            "typedef int pid_t; typedef unsigned int uid_t; typedef unsigned int gid_t;",
            "typedef long long loff_t; typedef unsigned short umode_t; typedef __u32 dev_t;",
            "typedef unsigned int gfp_t; typedef unsigned long phys_addr_t; typedef long long time64_t;",
            "typedef unsigned char __kernel_sa_family_t;",
            "typedef __builtin_va_list va_list;",
            "typedef _Bool bool;",
            // linux/bpf.h
            "enum bpf_map_type { BPF_MAP_TYPE_UNSPEC, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,",
            "  BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,",
            "  BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_LRU_HASH,",
            "  BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_ARRAY_OF_MAPS,",
            "  BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_CPUMAP,",
            "  BPF_MAP_TYPE_XSKMAP, BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_CGROUP_STORAGE,",
            "  BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, BPF_MAP_TYPE_QUEUE,",
            "  BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_SK_STORAGE, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_STRUCT_OPS,",
            "  BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_TASK_STORAGE,",
            "  BPF_MAP_TYPE_BLOOM_FILTER, BPF_MAP_TYPE_USER_RINGBUF, BPF_MAP_TYPE_CGRP_STORAGE,",
            "  BPF_MAP_TYPE_ARENA };",
            "enum { BPF_F_NO_PREALLOC = (1U << 0), BPF_F_NO_COMMON_LRU = (1U << 1), BPF_F_NUMA_NODE = (1U << 2),",
            "  BPF_F_RDONLY = (1U << 3), BPF_F_WRONLY = (1U << 4), BPF_F_STACK_BUILD_ID = (1U << 5),",
            "  BPF_F_ZERO_SEED = (1U << 6), BPF_F_RDONLY_PROG = (1U << 7), BPF_F_WRONLY_PROG = (1U << 8),",
            "  BPF_F_CLONE = (1U << 9), BPF_F_MMAPABLE = (1U << 10), BPF_F_PRESERVE_ELEMS = (1U << 11),",
            "  BPF_F_INNER_MAP = (1U << 12), BPF_F_LINK = (1U << 13), BPF_F_PATH_FD = (1U << 14),",
            "  BPF_F_VTYPE_BTF_OBJ_FD = (1U << 15), BPF_F_TOKEN_FD = (1U << 16),",
            "  BPF_F_SEGV_ON_FAULT = (1U << 17), BPF_F_NO_USER_CONV = (1U << 18) };",
            "enum { BPF_F_INDEX_MASK = 0xffffffffULL, BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK };",
            "enum { BPF_F_USER_STACK = (1ULL << 8), BPF_F_FAST_STACK_CMP = (1ULL << 9),",
            "  BPF_F_REUSE_STACKID = (1ULL << 10), BPF_F_USER_BUILD_ID = (1ULL << 11) };",
            "enum { BPF_RB_NO_WAKEUP = 1, BPF_RB_FORCE_WAKEUP = 2 };",
            "enum { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };",
            "enum { TC_ACT_UNSPEC = -1, TC_ACT_OK = 0, TC_ACT_SHOT = 2 };",
            "struct bpf_spin_lock { __u32 val; };",
            "struct bpf_timer { __u64 :64; __u64 :64; } __attribute__((aligned(8)));",
            "struct bpf_wq { __u64 :64; __u64 :64; } __attribute__((aligned(8)));",
            "struct bpf_dynptr { __u64 :64; __u64 :64; } __attribute__((aligned(8)));",
            "struct bpf_list_head { __u64 :64; __u64 :64; } __attribute__((aligned(8)));",
            "struct bpf_rb_root { __u64 :64; __u64 :64; } __attribute__((aligned(8)));",
            "struct bpf_refcount { __u32 :32; } __attribute__((aligned(4)));",
            "struct bpf_lpm_trie_key { __u32 prefixlen; __u8 data[0]; };",
            "struct xdp_md { __u32 data; __u32 data_end; __u32 data_meta; __u32 ingress_ifindex;",
            "  __u32 rx_queue_index; __u32 egress_ifindex; };",
            "struct bpf_devmap_val { __u32 ifindex; union { int fd; __u32 id; } bpf_prog; };",
            "struct bpf_cpumap_val { __u32 qsize; union { int fd; __u32 id; } bpf_prog; };",
            "struct bpf_map_def { unsigned int type; unsigned int key_size; unsigned int value_size;",
            "  unsigned int max_entries; unsigned int map_flags; };",
            // libbpf
            "enum libbpf_pin_type { LIBBPF_PIN_NONE, LIBBPF_PIN_BY_NAME };",
            "enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };",
            "");
}
