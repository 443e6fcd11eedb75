package io.htablab.benchmarks.lsp;

import java.util.SplittableRandom;

/**
 * A deterministic, realistic eBPF C file of a requested number of lines for the language-server benchmarks.
 * It is shaped like the corpus files in {@code hashtab/src/test/resources/cfront/corpus/} (the tool-like ones:
 * 28_tool_tcp, 29_tool_xdp, 30_tool_runqlat, 15_legacy, 13_ifdef, 12_macros) repeated as numbered "modules",
 * each with its own names: object- and function-like macros, {@code #if/#ifdef/#else} blocks, key structs with
 * and without padding holes, bit-fields, spin locks, libbpf BTF-style maps (written out and through a
 * map-defining macro), a typedef'd map struct, legacy {@code struct bpf_map_def} maps, and helper and program
 * functions with real bodies (loops, branches, map helper calls) that the front end has to skip.
 *
 * <p>A few modules carry what real files get wrong (an LRU map with {@code BPF_F_NO_PREALLOC}, a small common
 * LRU, a padded key), so the diagnostics have something to report. Same (lines, seed) → same text.
 */
public final class EbpfSource {

    private EbpfSource() {
    }

    /** One generated file: its text, and where the benchmarks point (0-based line/column). */
    public record Generated(String text, int lines, int maps, String hoverMap, int hoverLine, int hoverCol,
                            int useLine, int useCol, int completionLine, int completionCol, String editedText) {
    }

    public static Generated generate(int targetLines, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(targetLines * 40);
        header(sb);
        int maps = 0;
        int module = 0;
        // Module bodies are 50-70 lines; stop early enough that the trailer lands on the target.
        while (countLines(sb) < targetLines - 90) {
            maps += module(sb, module, random);
            module++;
        }
        // Fill to the exact line count with a plain comment block, then the license.
        int have = countLines(sb);
        sb.append("/* padding so the file has exactly the requested number of lines */\n");
        for (int i = have + 1; i < targetLines - 1; i++) {
            sb.append("/* line ").append(i + 1).append(" */\n");
        }
        sb.append("char LICENSE[] SEC(\"license\") = \"Dual BSD/GPL\";\n");
        String text = sb.toString();
        int lineCount = countLines(sb);

        // The hover target: the name of the BTF hash map of the middle module, at its definition...
        String hoverMap = "m" + (module / 2) + "_flows";
        int def = text.indexOf("} " + hoverMap + " SEC(\".maps\")");
        int[] defPos = position(text, def + 2 + 3); // inside the name
        // ...and where a program uses it: bpf_map_lookup_elem(&mN_flows, ...).
        int use = text.indexOf("bpf_map_lookup_elem(&" + hoverMap);
        int[] usePos = position(text, use + "bpf_map_lookup_elem(&".length() + 3);
        // Completion after "__type(key, " of the same map: offers every known key type (the biggest list).
        int key = text.indexOf("__type(key, ", text.lastIndexOf("struct {", def));
        int[] keyPos = position(text, key + "__type(key, ".length());

        // A typing edit: one digit of the middle module's max_entries changes.
        String editPoint = "#define M" + (module / 2) + "_ENTRIES (1024 * ";
        int at = text.indexOf(editPoint);
        if (at < 0) {
            throw new IllegalStateException("edit point not found");
        }
        at += editPoint.length();
        String edited = text.substring(0, at) + "1" + text.substring(at); // e.g. (1024 * 7) -> (1024 * 17)
        return new Generated(text, lineCount, maps, hoverMap, defPos[0], defPos[1], usePos[0], usePos[1],
                keyPos[0], keyPos[1], edited);
    }

    private static int countLines(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static int[] position(String text, int offset) {
        if (offset < 0) {
            throw new IllegalStateException("benchmark position not found in the generated file");
        }
        int line = 0;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, offset - lineStart};
    }

    private static void header(StringBuilder sb) {
        sb.append("""
                /* Generated for the htab-lab language-server benchmarks: many tool-shaped modules in one file. */
                #include <linux/bpf.h>
                #include <linux/types.h>
                #include <bpf/bpf_helpers.h>

                #define TASK_COMM_LEN 16
                #define MAX_CPUS 64
                #define ENABLE_STATS
                #define LEVEL 3

                #define BPF_HASH(_name, _key, _value, _max) \\
                	struct { \\
                		__uint(type, BPF_MAP_TYPE_HASH); \\
                		__uint(max_entries, _max); \\
                		__type(key, _key); \\
                		__type(value, _value); \\
                	} _name SEC(".maps")

                #define BPF_LRU(_name, _key, _value, _max, _flags) \\
                	struct { \\
                		__uint(type, BPF_MAP_TYPE_LRU_HASH); \\
                		__uint(max_entries, _max); \\
                		__uint(map_flags, _flags); \\
                		__type(key, _key); \\
                		__type(value, _value); \\
                	} _name SEC(".maps")

                #define BPF_PERCPU_ARRAY(_name, _value, _max) \\
                	struct { \\
                		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); \\
                		__uint(max_entries, _max); \\
                		__type(key, __u32); \\
                		__type(value, _value); \\
                	} _name SEC(".maps")

                #define MAX(a, b) ((a) > (b) ? (a) : (b))
                #define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

                struct bpf_map_def {
                	unsigned int type;
                	unsigned int key_size;
                	unsigned int value_size;
                	unsigned int max_entries;
                	unsigned int map_flags;
                };

                typedef __u32 pid_key_t;

                """);
    }

    private static final String[] HASH_TYPES = {"BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_PERCPU_HASH",
            "BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_LRU_HASH"};

    /** One tool-shaped module; returns how many maps it defines. */
    private static int module(StringBuilder sb, int i, SplittableRandom random) {
        String m = "m" + i;
        String M = "M" + i;
        int entriesFactor = 1 + random.nextInt(16);
        int slots = 8 + random.nextInt(24);
        boolean paddedKey = i % 7 == 3;                // a key with holes: key.padding warning
        boolean lruNoPrealloc = i % 23 == 11;          // kernel refuses: htab.create.ENOTSUPP
        boolean smallLru = i % 17 == 5;                // common LRU far too small: lru.early-eviction
        String hashType = i == 0 ? "BPF_MAP_TYPE_HASH" : HASH_TYPES[random.nextInt(HASH_TYPES.length)];
        int maps = 0;

        sb.append("/* ---- module ").append(i).append(": flows, connections and histograms ---- */\n");
        sb.append("#define ").append(M).append("_ENTRIES (1024 * ").append(entriesFactor).append(")\n");
        sb.append("#define ").append(M).append("_SLOTS ").append(slots).append('\n');
        sb.append("#define ").append(M).append("_CONN_FLAGS ")
                .append(lruNoPrealloc ? "BPF_F_NO_PREALLOC" : "0").append("\n\n");

        sb.append("#if ").append(M).append("_SLOTS > 16 && defined(ENABLE_STATS)\n");
        sb.append("struct ").append(m).append("_hist {\n\t__u32 slots[").append(M)
                .append("_SLOTS];\n\tchar comm[TASK_COMM_LEN];\n};\n");
        sb.append("#elif LEVEL > 1\n");
        sb.append("struct ").append(m).append("_hist {\n\t__u64 slots[").append(M).append("_SLOTS];\n};\n");
        sb.append("#else\n#error \"unreachable\"\n#endif\n\n");

        sb.append("struct ").append(m).append("_key {\n");
        if (paddedKey) {
            sb.append("\t__u8 proto;\n\t__u32 saddr;\n\t__u16 sport;\n\t__u64 cookie;\n");
        } else {
            sb.append("\t__u64 cookie;\n\t__u32 saddr;\n\t__u16 sport;\n\t__u8 proto;\n\t__u8 pad;\n");
        }
        sb.append("};\n\n");

        sb.append("struct ").append(m).append("_val {\n\t__u64 packets;\n\t__u64 bytes;\n")
                .append("\t__u32 state : 8;\n\t__u32 cpu : 24;\n\tstruct bpf_spin_lock lock;\n};\n\n");

        sb.append("struct {\n\t__uint(type, ").append(hashType).append(");\n\t__uint(max_entries, ")
                .append(M).append("_ENTRIES);\n\t__type(key, struct ").append(m).append("_key);\n\t__type(value, struct ")
                .append(m).append("_val);\n} ").append(m).append("_flows SEC(\".maps\");\n\n");
        maps++;

        sb.append("BPF_LRU(").append(m).append("_conns, __u64, struct ").append(m).append("_hist, ")
                .append(smallLru ? "64" : M + "_ENTRIES * 2").append(", ").append(M).append("_CONN_FLAGS);\n");
        sb.append("BPF_PERCPU_ARRAY(").append(m).append("_stats, struct ").append(m).append("_hist, 1);\n");
        sb.append("BPF_HASH(").append(m).append("_start, pid_key_t, __u64, MAX(").append(M)
                .append("_ENTRIES, 4096));\n\n");
        maps += 3;

        if (i % 3 == 0) {
            sb.append("typedef struct {\n\t__uint(type, BPF_MAP_TYPE_HASH);\n\t__uint(max_entries, ")
                    .append(256 << (i % 5)).append(");\n\t__type(key, __u32);\n\t__type(value, __u64);\n} ")
                    .append(m).append("_map_t;\n\n");
            sb.append(m).append("_map_t ").append(m).append("_in SEC(\".maps\");\n");
            sb.append(m).append("_map_t ").append(m).append("_out SEC(\".maps\");\n\n");
            maps += 2;
        } else {
            sb.append("struct bpf_map_def SEC(\"maps\") ").append(m).append("_legacy = {\n")
                    .append("\t.type = BPF_MAP_TYPE_HASH,\n\t.key_size = sizeof(struct ").append(m).append("_key),\n")
                    .append("\t.value_size = sizeof(__u64),\n\t.max_entries = ").append(M).append("_ENTRIES,\n")
                    .append("\t.map_flags = BPF_F_NO_PREALLOC,\n};\n\n");
            maps++;
        }

        sb.append("static __always_inline __u64 ").append(m).append("_log2(__u64 v)\n{\n")
                .append("\t__u32 shift, r;\n\n")
                .append("\tr = (v > 0xFFFFFFFF) << 5; v >>= r;\n")
                .append("\tshift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;\n")
                .append("\tshift = (v > 0xFF) << 3; v >>= shift; r |= shift;\n")
                .append("\treturn r | (v >> 1);\n}\n\n");

        sb.append("SEC(\"kprobe/").append(m).append("_connect\")\n");
        sb.append("int ").append(m).append("_trace(void *ctx)\n{\n")
                .append("\tstruct ").append(m).append("_key key = {};\n")
                .append("\tstruct ").append(m).append("_val *val;\n")
                .append("\tstruct ").append(m).append("_hist *h;\n")
                .append("\t__u32 zero = 0;\n")
                .append("\t__u64 ts = bpf_ktime_get_ns();\n\n")
                .append("\tkey.cookie = bpf_get_current_pid_tgid();\n")
                .append("\tkey.proto = 6;\n")
                .append("\tval = bpf_map_lookup_elem(&").append(m).append("_flows, &key);\n")
                .append("\tif (!val) {\n")
                .append("\t\tstruct ").append(m).append("_val init = { .packets = 1 };\n")
                .append("\t\tbpf_map_update_elem(&").append(m).append("_flows, &key, &init, BPF_NOEXIST);\n")
                .append("\t\treturn 0;\n\t}\n")
                .append("\tbpf_spin_lock(&val->lock);\n")
                .append("\tval->packets++;\n\tval->bytes += ts & 0xfff;\n")
                .append("\tbpf_spin_unlock(&val->lock);\n")
                .append("\th = bpf_map_lookup_elem(&").append(m).append("_stats, &zero);\n")
                .append("\tif (!h)\n\t\treturn 0;\n")
                .append("\tfor (int j = 0; j < ").append(M).append("_SLOTS; j++) {\n")
                .append("\t\tif (").append(m).append("_log2(ts) == j)\n")
                .append("\t\t\t__sync_fetch_and_add(&h->slots[j], 1);\n\t}\n")
                .append("\treturn 0;\n}\n\n");
        return maps;
    }

    /** Writes the file to standard output, for looking at it: {@code java -cp benchmarks.jar ...EbpfSource 5000}. */
    public static void main(String[] args) {
        Generated g = generate(args.length > 0 ? Integer.parseInt(args[0]) : 5000, 42);
        System.out.print(g.text());
        System.err.printf("lines=%d maps=%d hover=%s@%d:%d use@%d:%d completion@%d:%d%n", g.lines(), g.maps(),
                g.hoverMap(), g.hoverLine(), g.hoverCol(), g.useLine(), g.useCol(), g.completionLine(),
                g.completionCol());
    }
}
