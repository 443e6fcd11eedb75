package io.htablab.hashtab.htab;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A deliberately small .hts interpreter for the engine's differential tests against kernel outputs. It is not the
 * project's scenario runner (package scenario); it exists so the engine can be checked against the kernel before
 * that runner is merged. Parse errors print {@code error EINVAL}.
 */
final class MiniHts {

    private static final HexFormat HEX = HexFormat.of();

    private final Map<String, BpfMap> maps = new HashMap<>();
    private final List<String> out = new ArrayList<>();
    private int cpus = 2;
    private int cpu;

    static List<String> run(String script) {
        MiniHts m = new MiniHts();
        for (String raw : script.split("\n")) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                m.exec(line.split("\\s+"));
            } catch (RuntimeException e) {
                m.out.add("error EINVAL");
            }
        }
        return m.out;
    }

    private void exec(String[] t) {
        switch (t[0]) {
            case "cpus" -> {
                cpus = Integer.parseInt(t[1]);
                out.add("ok");
            }
            case "cpu" -> {
                int c = Integer.parseInt(t[1]);
                if (c < 0 || c >= cpus) {
                    out.add("error EINVAL");
                } else {
                    cpu = c;
                    out.add("ok");
                }
            }
            case "create" -> create(t);
            default -> op(t);
        }
    }

    private void create(String[] t) {
        maps.remove(t[1]);
        Map<String, String> kv = new HashMap<>();
        for (int i = 2; i < t.length; i++) {
            String[] p = t[i].split("=", 2);
            kv.put(p[0], p[1]);
        }
        MapType type = MapType.fromScenarioName(kv.get("type"));
        if (type == null) {
            throw new IllegalArgumentException("type");
        }
        int flags = 0;
        if (kv.containsKey("flags")) {
            for (String f : kv.get("flags").split(",")) {
                MapFlag mf = MapFlag.fromScenarioName(f);
                if (mf == null) {
                    throw new IllegalArgumentException("flag " + f);
                }
                flags |= mf.bit();
            }
        }
        int numa = kv.containsKey("numa") ? Integer.parseInt(kv.get("numa")) : 0;
        CreateResult r = BpfMap.create(new HtabAttr(type, num(kv.get("key")), num(kv.get("value")),
                num(kv.get("max")), flags, numa), MapOptions.defaults().withPossibleCpus(cpus));
        if (r.isOk()) {
            maps.put(t[1], r.map());
            out.add("ok");
        } else {
            out.add("error " + r.errno().name());
        }
    }

    private static long num(String s) {
        return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
    }

    private void op(String[] t) {
        BpfMap m = maps.get(t[1]);
        if (m == null) {
            out.add("error EINVAL");
            return;
        }
        switch (t[0]) {
            case "update" -> out.add(status(m.update(cpu, bytes(t[2]), value(m, t[3]), flags(t, 4))));
            case "prog_update" -> out.add(status(m.progUpdate(cpu, bytes(t[2]), bytes(t[3]), flags(t, 4))));
            case "lookup" -> out.add(value(m, m.lookup(cpu, bytes(t[2]), t.length > 3 ? 4 : 0), true));
            case "prog_lookup" -> out.add(value(m, m.progLookup(cpu, bytes(t[2])), false));
            case "delete" -> out.add(status(m.delete(cpu, bytes(t[2]))));
            case "prog_delete" -> out.add(status(m.progDelete(cpu, bytes(t[2]))));
            case "lookup_and_delete" -> out.add(value(m, m.lookupAndDelete(cpu, bytes(t[2]), 0), true));
            case "next_key" -> {
                KeyResult r = m.getNextKey(cpu, t.length > 2 ? bytes(t[2]) : null);
                out.add(r.isOk() ? "key " + HEX.formatHex(r.key()) : "error " + r.errno().name());
            }
            case "lookup_batch", "lookup_and_delete_batch" -> {
                long count = 0;
                byte[] in = null;
                for (int i = 2; i < t.length; i++) {
                    if (t[i].startsWith("count=")) {
                        count = num(t[i].substring(6));
                    } else if (t[i].startsWith("in=")) {
                        in = bytes(t[i].substring(3));
                    }
                }
                BatchResult r = t[0].equals("lookup_batch") ? m.lookupBatch(cpu, in, count, 0, 0)
                        : m.lookupAndDeleteBatch(cpu, in, count, 0, 0);
                out.add(batch(m, r));
            }
            case "update_batch" -> {
                List<byte[]> ks = new ArrayList<>();
                List<byte[]> vs = new ArrayList<>();
                long fl = 0;
                for (int i = 2; i < t.length; i++) {
                    if (t[i].startsWith("flags=")) {
                        fl = flagWord(t[i].substring(6));
                        continue;
                    }
                    String[] p = t[i].split("=", 2);
                    ks.add(bytes(p[0]));
                    vs.add(value(m, p[1]));
                }
                out.add(batch(m, m.updateBatch(cpu, ks, vs, fl)));
            }
            case "delete_batch" -> {
                List<byte[]> ks = new ArrayList<>();
                for (int i = 2; i < t.length; i++) {
                    ks.add(bytes(t[i]));
                }
                out.add(batch(m, m.deleteBatch(cpu, ks, 0)));
            }
            case "dump" -> {
                byte[] k = null;
                int n = 0;
                while (true) {
                    KeyResult r = m.getNextKey(cpu, k);
                    if (!r.isOk()) {
                        out.add(r.errno() == Errno.ENOENT ? "end " + n : "error " + r.errno().name());
                        break;
                    }
                    ValueResult v = m.lookup(cpu, r.key(), 0);
                    if (!v.isOk()) {
                        out.add("error " + v.errno().name());
                        break;
                    }
                    out.add("entry " + HEX.formatHex(r.key()) + " " + show(m, v.value(), true));
                    n++;
                    k = r.key();
                }
            }
            case "info" -> {
                MapInfo i = m.info();
                out.add("info type=" + i.type().scenarioName() + " key=" + i.keySize() + " value=" + i.valueSize()
                        + " max=" + i.maxEntries() + " flags=" + MapFlag.describe(i.mapFlags()));
            }
            default -> throw new IllegalArgumentException(t[0]);
        }
    }

    private static String status(Errno e) {
        return e.isOk() ? "ok" : "error " + e.name();
    }

    private static long flags(String[] t, int i) {
        return t.length > i ? flagWord(t[i]) : 0;
    }

    private static long flagWord(String s) {
        long f = 0;
        for (String part : s.split("\\+")) {
            switch (part) {
                case "any" -> f |= 0;
                case "noexist" -> f |= 1;
                case "exist" -> f |= 2;
                case "lock" -> f |= 4;
                default -> throw new IllegalArgumentException(part);
            }
        }
        return f;
    }

    private String value(BpfMap m, ValueResult r, boolean syscall) {
        return r.isOk() ? "value " + show(m, r.value(), syscall) : "error " + r.errno().name();
    }

    private static String show(BpfMap m, byte[] v, boolean syscall) {
        if (!syscall || !m.type().isPercpu()) {
            return HEX.formatHex(v);
        }
        List<String> parts = new ArrayList<>();
        for (byte[] s : m.percpuSlots(v)) {
            parts.add(HEX.formatHex(s));
        }
        return String.join("|", parts);
    }

    private String batch(BpfMap m, BatchResult r) {
        StringBuilder sb = new StringBuilder("batch count=").append(r.count());
        if (r.outBatch() != null) {
            sb.append(" out=").append(HEX.formatHex(r.outBatch()));
        }
        if (r.count() > 0 && !r.keys().isEmpty()) {
            List<String> ks = new ArrayList<>();
            List<String> vs = new ArrayList<>();
            for (int i = 0; i < r.keys().size(); i++) {
                ks.add(HEX.formatHex(r.keys().get(i)));
                vs.add(show(m, r.values().get(i), true));
            }
            sb.append(" keys=").append(String.join(",", ks)).append(" values=").append(String.join(",", vs));
        }
        if (!r.isOk()) {
            sb.append(" error ").append(r.errno().name());
        }
        return sb.toString();
    }

    private byte[] value(BpfMap m, String s) {
        if (!m.type().isPercpu()) {
            return bytes(s);
        }
        String[] parts = s.split("\\|");
        byte[][] slots = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            slots[i] = bytes(parts[i]);
        }
        try {
            return m.percpuValue(slots);
        } catch (IllegalArgumentException e) {
            return new byte[0]; // wrong shape: the engine answers EINVAL
        }
    }

    static byte[] bytes(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String part : s.split("\\+")) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                String h = part.startsWith("0x") ? part.substring(2) : part;
                b.writeBytes(HEX.parseHex(h));
                continue;
            }
            String kind = part.substring(0, colon);
            long v = Long.parseLong(part.substring(colon + 1));
            int n = switch (kind) {
                case "u8" -> 1;
                case "u16" -> 2;
                case "u32", "i32" -> 4;
                case "u64", "i64" -> 8;
                default -> throw new IllegalArgumentException(kind);
            };
            for (int i = 0; i < n; i++) {
                b.write((int) (v >>> (8 * i)));
            }
        }
        return b.toByteArray();
    }
}
