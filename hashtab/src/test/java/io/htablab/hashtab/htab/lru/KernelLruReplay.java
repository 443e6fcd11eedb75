package io.htablab.hashtab.htab.lru;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_ANY;
import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_EXIST;
import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_NOEXIST;

/**
 * Replays scenarios recorded on the live kernel (6.18.44, P = 2, ZERO_SEED, 4-byte keys) through
 * the test table and reports every disagreement. Recording format, one statement per line, each
 * followed by {@code => } and the kernel's result: {@code create TYPE MAX common|percpu},
 * {@code c CPU}, {@code u/un/ue/pu/pun/pue KEY} (syscall or program update with flags any/noexist/
 * exist), {@code d/ld/pd KEY} (delete, lookup-and-delete, program delete), {@code pl KEY} (program
 * lookup), {@code l KEY} (syscall lookup), {@code dump} (result: the sorted key set). A line
 * {@code #} starts a new scenario.
 */
final class KernelLruReplay {

    private static final int P = 2;

    private KernelLruReplay() {
    }

    /** Split a recording into scenarios. */
    static List<List<String>> scenarios(String recording) {
        List<List<String>> out = new ArrayList<>();
        List<String> cur = null;
        for (String raw : recording.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.equals("#")) {
                cur = new ArrayList<>();
                out.add(cur);
            } else if (cur != null) {
                cur.add(line);
            }
        }
        return out;
    }

    /** Replay one scenario; returns the mismatches (empty when the model agrees with the kernel). */
    static List<String> replay(List<String> scenario) {
        List<String> mismatches = new ArrayList<>();
        LruTestTable t = null;
        for (int i = 0; i < scenario.size(); i++) {
            String line = scenario.get(i);
            int arrow = line.indexOf(" => ");
            String[] st = line.substring(0, arrow).split(" ");
            String expected = line.substring(arrow + 4);
            String got;
            String op = st[0];
            if (op.equals("create")) {
                boolean percpuHash = st[1].equals("lru_percpu_hash");
                boolean noCommon = st[3].equals("percpu");
                int max = Integer.parseInt(st[2]);
                // NO_COMMON_LRU rounds max_entries up to a multiple of the CPU count.
                int nrElems = noCommon ? (max + P - 1) / P * P : max;
                t = new LruTestTable(nrElems, P, percpuHash, noCommon);
                got = "ok";
            } else if (op.equals("c")) {
                t.onCpu(Integer.parseInt(st[1]));
                got = "ok";
            } else if (op.equals("dump")) {
                got = t.keys().toString().replace("[", "{").replace("]", "}").replace(" ", "");
            } else {
                long key = Long.parseLong(st[1]);
                got = switch (op) {
                    case "u", "pu" -> errno(t.update(key, BPF_ANY));
                    case "un", "pun" -> errno(t.update(key, BPF_NOEXIST));
                    case "ue", "pue" -> errno(t.update(key, BPF_EXIST));
                    case "d", "ld", "pd" -> errno(t.delete(key));
                    case "pl" -> t.progLookup(key) ? "ok" : "ENOENT";
                    case "l" -> t.lookup(key) ? "ok" : "ENOENT";
                    default -> throw new IllegalArgumentException("recording line " + (i + 1) + ": unknown op " + op);
                };
            }
            if (!got.equals(expected)) {
                mismatches.add("line " + (i + 1) + " '" + line + "': model gave " + got);
            }
            if (t != null) {
                List<String> v = t.lru.checkInvariants(t::isLinked);
                if (!v.isEmpty()) {
                    mismatches.add("line " + (i + 1) + ": invariants " + v);
                }
            }
        }
        return mismatches;
    }

    private static String errno(int err) {
        return switch (err) {
            case 0 -> "ok";
            case LruTestTable.ENOENT -> "ENOENT";
            case LruTestTable.EEXIST -> "EEXIST";
            case LruTestTable.EINVAL -> "EINVAL";
            case LruTestTable.ENOMEM -> "ENOMEM";
            default -> "errno " + err;
        };
    }

    static Set<Long> parseKeySet(String s) {
        Set<Long> out = new TreeSet<>();
        String inner = s.substring(1, s.length() - 1);
        if (!inner.isEmpty()) {
            for (String k : inner.split(",")) {
                out.add(Long.parseLong(k));
            }
        }
        return out;
    }
}
