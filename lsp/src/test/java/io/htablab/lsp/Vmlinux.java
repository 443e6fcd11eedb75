package io.htablab.lsp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A vmlinux.h generated from the running kernel's BTF into target/ (never committed); null without BTF/bpftool. */
final class Vmlinux {

    private static Path dir;

    private Vmlinux() {
    }

    static synchronized Path dir() {
        if (dir != null) {
            return dir;
        }
        try {
            Path d = Path.of("target", "vmlinux-gen").toAbsolutePath();
            Path h = d.resolve("vmlinux.h");
            if (!Files.isRegularFile(h)) {
                if (!Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"))) {
                    return null;
                }
                Files.createDirectories(d);
                Path tmp = d.resolve("vmlinux.h.tmp");
                Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c")
                        .redirectOutput(tmp.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return null;
                }
                Files.move(tmp, h, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            dir = d;
            return d;
        } catch (Exception e) {
            return null;
        }
    }

    /** A CO-RE tool in the style of libbpf-tools, number {@code n}; {@code prefix} goes before the includes. */
    static String tool(int n, String prefix) {
        return prefix
                + "#include \"vmlinux.h\"\n"
                + "#include <bpf/bpf_helpers.h>\n"
                + "#include <bpf/bpf_core_read.h>\n"
                + "#include <bpf/bpf_tracing.h>\n\n"
                + "#define MAX_ENTRIES " + (1024 + n) + "\n\n"
                + "struct key" + n + " {\n\tu32 pid;\n\tu64 cgroup;\n\tchar comm[TASK_COMM_LEN];\n};\n\n"
                + "struct {\n\t__uint(type, BPF_MAP_TYPE_HASH);\n\t__uint(max_entries, MAX_ENTRIES);\n"
                + "\t__type(key, u32);\n\t__type(value, u64);\n} start" + n + " SEC(\".maps\");\n\n"
                + "struct {\n\t__uint(type, BPF_MAP_TYPE_LRU_HASH);\n\t__uint(max_entries, 4096);\n"
                + "\t__type(key, struct key" + n + ");\n\t__type(value, typeof(((struct task_struct *)0)->se));\n} stats" + n
                + " SEC(\".maps\");\n\n"
                + "struct {\n\t__uint(type, BPF_MAP_TYPE_ARRAY);\n\t__uint(max_entries, NR_SOFTIRQS);\n"
                + "\t__type(key, u32);\n\t__type(value, u64);\n} softirqs" + n + " SEC(\".maps\");\n\n"
                + "SEC(\"tp_btf/sched_wakeup\")\nint BPF_PROG(wakeup" + n + ", struct task_struct *p)\n{\n"
                + "\tu32 pid = BPF_CORE_READ(p, pid);\n\tu64 ts = bpf_ktime_get_ns();\n\n"
                + "\tbpf_map_update_elem(&start" + n + ", &pid, &ts, 0);\n\treturn 0;\n}\n\n"
                + "char LICENSE[] SEC(\"license\") = \"GPL\";\n";
    }
}
