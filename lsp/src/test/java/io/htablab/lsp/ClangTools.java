package io.htablab.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** clang -target bpf, bpftool and llvm-objdump for the ground-truth tests: the truth comes from them, never from us. */
final class ClangTools {

    private ClangTools() {
    }

    static boolean available(String... tools) {
        for (String t : tools) {
            try {
                Process p = new ProcessBuilder(t, t.equals("bpftool") ? "version" : "--version").redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return false;
                }
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }
        return true;
    }

    /** Output and exit status of a command. */
    record Run(int status, String out, String err) {
    }

    static Run run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(ClangTools.class.getResource(name).toURI());
    }

    /** {@code clang -O2 -g -target bpf -c src -o obj}; fails the test with clang's message when it cannot. */
    static Path compile(Path src, Path outDir) throws IOException, InterruptedException {
        Path obj = outDir.resolve(src.getFileName().toString().replace(".c", ".o"));
        Run r = run(src.getParent(), "clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                src.toString(), "-o", obj.toString());
        if (r.status() != 0) {
            throw new AssertionError("clang failed on " + src + ":\n" + r.err());
        }
        return obj;
    }

    /** The BTF types of an object, by id, from {@code bpftool btf dump -j file OBJ}. */
    static Map<Long, JsonNode> btf(Path obj) throws IOException, InterruptedException {
        Run r = run(obj.getParent(), "bpftool", "btf", "dump", "-j", "file", obj.toString());
        if (r.status() != 0) {
            throw new AssertionError("bpftool btf dump failed: " + r.err());
        }
        Map<Long, JsonNode> byId = new HashMap<>();
        for (JsonNode t : new ObjectMapper().readTree(r.out()).get("types")) {
            byId.put(t.get("id").asLong(), t);
        }
        return byId;
    }

    /** Typedefs, const and volatile peeled off. */
    static JsonNode strip(Map<Long, JsonNode> byId, long id) {
        JsonNode t = byId.get(id);
        while (t != null && List.of("TYPEDEF", "CONST", "VOLATILE", "TYPE_TAG", "RESTRICT").contains(t.get("kind").asText())) {
            t = byId.get(t.get("type_id").asLong());
        }
        return t;
    }

    static long size(Map<Long, JsonNode> byId, long id) {
        JsonNode t = strip(byId, id);
        String kind = t.get("kind").asText();
        switch (kind) {
            case "PTR" -> {
                return 8;
            }
            case "ARRAY" -> {
                return t.get("nr_elems").asLong() * size(byId, t.get("type_id").asLong());
            }
            default -> {
                return t.get("size").asLong();
            }
        }
    }

    /**
     * The bytes of a struct that no BTF member touches, nested structs and arrays of structs included (as the
     * kernel compares every byte, a byte is padding wherever it lies): what BTF says the holes are.
     */
    static java.util.BitSet btfHoles(Map<Long, JsonNode> byId, long id) {
        long total = size(byId, id);
        java.util.BitSet used = new java.util.BitSet();
        cover(byId, id, 0, used);
        java.util.BitSet holes = new java.util.BitSet();
        holes.set(0, (int) total);
        holes.andNot(used);
        return holes;
    }

    private static void cover(Map<Long, JsonNode> byId, long id, long base, java.util.BitSet used) {
        JsonNode t = strip(byId, id);
        String kind = t.get("kind").asText();
        if (kind.equals("STRUCT") || kind.equals("UNION")) {
            for (JsonNode m : t.get("members")) {
                long bits = m.get("bits_offset").asLong();
                if (m.has("bitfield_size") && m.get("bitfield_size").asInt() > 0) {
                    long width = m.get("bitfield_size").asLong();
                    used.set((int) (base + bits / 8), (int) (base + (bits + width + 7) / 8));
                } else {
                    cover(byId, m.get("type_id").asLong(), base + bits / 8, used);
                }
            }
            return;
        }
        if (kind.equals("ARRAY")) {
            long elem = size(byId, t.get("type_id").asLong());
            for (long i = 0; i < t.get("nr_elems").asLong(); i++) {
                cover(byId, t.get("type_id").asLong(), base + i * elem, used);
            }
            return;
        }
        used.set((int) base, (int) (base + size(byId, id)));
    }

    /**
     * For every function of an object: the stack bytes (as offsets from the frame pointer r10) its straight-line
     * code has stored before its first helper call, and the frame offset of the second argument (r2) at that call.
     */
    record CallFrame(String function, int helper, long keyOffset, java.util.BitSet storedBelowFp) {
        /** Whether bytes [keyOffset, keyOffset + size) were all stored before the call. */
        boolean stored(long size) {
            for (long b = keyOffset; b < keyOffset + size; b++) {
                if (!storedBelowFp.get((int) -b)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final Pattern FUNCTION = Pattern.compile("^[0-9a-f]+ <([A-Za-z_][A-Za-z0-9_]*)>:$");
    private static final Pattern FP_COPY = Pattern.compile("^r(\\d+) = r10$");
    private static final Pattern ADD = Pattern.compile("^r(\\d+) \\+= (-?\\d+)$");
    private static final Pattern MOVE = Pattern.compile("^r(\\d+) = r(\\d+)$");
    private static final Pattern SET = Pattern.compile("^r(\\d+) = .*");
    private static final Pattern STORE = Pattern.compile("^\\*\\(u(8|16|32|64) \\*\\)\\(r(\\d+) ([+-]) (\\d+)\\) = .*");
    private static final Pattern CALL = Pattern.compile("^call (\\d+)$");

    static Map<String, CallFrame> firstCalls(Path obj) throws IOException, InterruptedException {
        Run r = run(obj.getParent(), "llvm-objdump", "-d", "--no-show-raw-insn", obj.toString());
        if (r.status() != 0) {
            throw new AssertionError("llvm-objdump failed: " + r.err());
        }
        Map<String, CallFrame> out = new LinkedHashMap<>();
        String function = null;
        Map<Integer, Long> fpPlus = new HashMap<>();
        java.util.BitSet stored = new java.util.BitSet();
        for (String raw : r.out().split("\n")) {
            String line = raw.trim();
            Matcher f = FUNCTION.matcher(line);
            if (f.matches()) {
                if (f.group(1).startsWith("LBB")) {
                    continue; // a branch label inside the function
                }
                function = f.group(1);
                fpPlus.clear();
                fpPlus.put(10, 0L); // the frame pointer itself
                stored = new java.util.BitSet();
                continue;
            }
            int colon = line.indexOf(":\t");
            if (function == null || colon < 0 || out.containsKey(function)) {
                continue;
            }
            String insn = line.substring(colon + 2).trim();
            Matcher m;
            if ((m = FP_COPY.matcher(insn)).matches()) {
                fpPlus.put(Integer.parseInt(m.group(1)), 0L);
            } else if ((m = ADD.matcher(insn)).matches() && fpPlus.containsKey(Integer.parseInt(m.group(1)))) {
                int reg = Integer.parseInt(m.group(1));
                fpPlus.put(reg, fpPlus.get(reg) + Long.parseLong(m.group(2)));
            } else if ((m = MOVE.matcher(insn)).matches()) {
                Long src = fpPlus.get(Integer.parseInt(m.group(2)));
                if (src == null) {
                    fpPlus.remove(Integer.parseInt(m.group(1)));
                } else {
                    fpPlus.put(Integer.parseInt(m.group(1)), src);
                }
            } else if ((m = STORE.matcher(insn)).matches()) {
                Long base = fpPlus.get(Integer.parseInt(m.group(2)));
                if (base != null) {
                    long off = base + (m.group(3).equals("-") ? -1 : 1) * Long.parseLong(m.group(4));
                    int bytes = Integer.parseInt(m.group(1)) / 8;
                    for (long b = off; b < off + bytes; b++) {
                        stored.set((int) -b);
                    }
                }
            } else if ((m = CALL.matcher(insn)).matches()) {
                Long key = fpPlus.get(2);
                out.put(function, new CallFrame(function, Integer.parseInt(m.group(1)), key == null ? 1 : key, stored));
            } else if ((m = SET.matcher(insn)).matches()) {
                fpPlus.remove(Integer.parseInt(m.group(1)));
            }
        }
        return out;
    }

    /** The lines libbpf logs when BPF_MAP_CREATE with BTF fails and it retries without: map name to errno. */
    static Map<String, Integer> btfRetries(String libbpfLog) {
        Map<String, Integer> out = new HashMap<>();
        Matcher m = Pattern.compile("Error in bpf_create_map_xattr\\(([A-Za-z0-9_.]+)\\):[^(]*\\((-?\\d+)\\)")
                .matcher(libbpfLog);
        while (m.find()) {
            out.put(m.group(1), -Integer.parseInt(m.group(2)));
        }
        return out;
    }

    static List<String> lines(String s) {
        return new ArrayList<>(List.of(s.split("\n")));
    }
}
