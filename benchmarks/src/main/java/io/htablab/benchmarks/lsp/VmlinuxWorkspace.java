package io.htablab.benchmarks.lsp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A workspace of CO-RE programs that include a real vmlinux.h, generated at set-up from this machine's kernel
 * ({@code bpftool btf dump file /sys/kernel/btf/vmlinux format c}; nothing generated is committed).
 */
final class VmlinuxWorkspace {

    final Path dir;
    final Path vmlinux;

    private VmlinuxWorkspace(Path dir) {
        this.dir = dir;
        this.vmlinux = dir.resolve("vmlinux.h");
    }

    static VmlinuxWorkspace create() throws Exception {
        Path dir = Files.createTempDirectory("htab-vmlinux-bench");
        VmlinuxWorkspace w = new VmlinuxWorkspace(dir);
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c")
                .redirectOutput(w.vmlinux.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0 || Files.size(w.vmlinux) < 100_000) {
            throw new IllegalStateException("bpftool could not dump /sys/kernel/btf/vmlinux (needs bpftool and a kernel"
                    + " with BTF)");
        }
        return w;
    }

    /** A tool file in the style of libbpf-tools: vmlinux.h, libbpf headers, three maps, two programs. */
    static String program(int n) {
        return "#include \"vmlinux.h\"\n"
                + "#include <bpf/bpf_helpers.h>\n"
                + "#include <bpf/bpf_core_read.h>\n"
                + "#include <bpf/bpf_tracing.h>\n"
                + "\n"
                + "#define MAX_ENTRIES 10240\n"
                + "\n"
                + "struct key_t {\n"
                + "\tu32 pid;\n"
                + "\tu64 cgroup;\n"
                + "\tchar comm[TASK_COMM_LEN];\n"
                + "};\n"
                + "\n"
                + "struct {\n"
                + "\t__uint(type, BPF_MAP_TYPE_HASH);\n"
                + "\t__uint(max_entries, MAX_ENTRIES);\n"
                + "\t__type(key, u32);\n"
                + "\t__type(value, u64);\n"
                + "} start" + n + " SEC(\".maps\");\n"
                + "\n"
                + "struct {\n"
                + "\t__uint(type, BPF_MAP_TYPE_LRU_HASH);\n"
                + "\t__uint(max_entries, 4096);\n"
                + "\t__type(key, struct key_t);\n"
                + "\t__type(value, typeof(((struct task_struct *)0)->se));\n"
                + "} stats" + n + " SEC(\".maps\");\n"
                + "\n"
                + "struct {\n"
                + "\t__uint(type, BPF_MAP_TYPE_ARRAY);\n"
                + "\t__uint(max_entries, NR_SOFTIRQS);\n"
                + "\t__type(key, u32);\n"
                + "\t__type(value, u64);\n"
                + "} softirqs" + n + " SEC(\".maps\");\n"
                + "\n"
                + "SEC(\"tp_btf/sched_wakeup\")\n"
                + "int BPF_PROG(wakeup" + n + ", struct task_struct *p)\n"
                + "{\n"
                + "\tu32 pid = BPF_CORE_READ(p, pid);\n"
                + "\tu64 ts = bpf_ktime_get_ns();\n"
                + "\n"
                + "\tbpf_map_update_elem(&start" + n + ", &pid, &ts, 0);\n"
                + "\treturn 0;\n"
                + "}\n"
                + "\n"
                + "char LICENSE[] SEC(\"license\") = \"GPL\";\n";
    }

    /** Line and column (0-based) of the map name {@code start<n>} where the program uses it. */
    static int[] useOfStart(int n) {
        String[] lines = program(n).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int c = lines[i].indexOf("&start" + n);
            if (c >= 0) {
                return new int[] {i, c + 2};
            }
        }
        throw new IllegalStateException("no use of start" + n);
    }

    Path write(int n) throws Exception {
        Path f = dir.resolve("tool" + n + ".bpf.c");
        Files.writeString(f, program(n));
        return f;
    }
}
