package io.htablab.hashtab.scenario.gen;

import io.htablab.hashtab.htab.MapType;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Random {@code .hts} scenarios for differential testing of the engine against the kernel.
 *
 * <p>One seed gives one scenario (the same text on every run and machine with the same CPU count).
 * The scenario declares {@code cpus P} first, creates one to three maps of the requested type, always
 * with {@code zero_seed} so that iteration order, batch cursors and LRU victims are the kernel's
 * deterministic ones, and then mixes every statement of the format: hits and misses over a small key
 * pool (so keys collide and repeat and maps fill up), CPU switches, per-CPU values, every update flag,
 * batches with small counts and arbitrary bucket cursors, dumps, infos, re-created maps, create errors
 * and lines that do not parse. Every line that is wrong on purpose ends with a {@code # deliberate: ...}
 * comment, so a test can tell deliberate errors from generator bugs.
 */
public final class ScenarioGenerator {

    public static final int DEFAULT_STATEMENTS = 300;
    /** The marker comment on lines that are wrong on purpose. */
    public static final String DELIBERATE = "# deliberate: ";

    private static final HexFormat HEX = HexFormat.of();
    private static final String[] MAP_NAMES = {"m0", "m1", "m2"};
    private static final String[] ACCESS_FLAGS = {"rdonly", "wronly", "rdonly_prog", "wronly_prog"};

    private final SplittableRandom rnd;
    private final MapType type;
    private final int cpus;
    private final StringBuilder out = new StringBuilder();
    private final List<GenMap> maps = new ArrayList<>();
    private int emitted;
    /**
     * The "churn" profile: small maps, a key pool several times larger than max, more CPU switches,
     * program lookups and dumps. It stresses eviction, free-list reuse and per-CPU slots.
     */
    private boolean churn;
    private int statements;
    /** Numbers the value structs so that every create declares a fresh one. */
    private int structCount;
    /** Share of HASH and LRU_HASH maps created with a BTF-typed value. */
    static final double BTF_SHARE = 0.25;

    /** What the generator knows about a map it created (it cannot know the kernel's state). */
    private static final class GenMap {
        final String name;
        int keySize;
        int valueSize;
        long max;
        long nBuckets;
        boolean defined;
        List<byte[]> pool = new ArrayList<>();
        /** Keys written since the map was created, so that lookups and deletes often hit. */
        List<byte[]> written = new ArrayList<>();
        /** A BTF-typed value: its plain members (name and byte size) for values written field by field. */
        boolean btf;
        boolean spinLock;
        List<String[]> members = new ArrayList<>();

        GenMap(String name) {
            this.name = name;
        }
    }

    private ScenarioGenerator(long seed, MapType type, int possibleCpus) {
        this.rnd = new SplittableRandom(seed);
        this.type = type;
        this.cpus = possibleCpus;
    }

    /**
     * A scenario of about {@code statements} statements (at least one per map created) on maps of
     * {@code type}, for a kernel with {@code possibleCpus} possible CPUs.
     */
    public static String generate(long seed, MapType type, int possibleCpus, int statements) {
        if (possibleCpus < 1) {
            throw new IllegalArgumentException("possibleCpus must be >= 1, got " + possibleCpus);
        }
        if (statements < 1) {
            throw new IllegalArgumentException("statements must be >= 1, got " + statements);
        }
        ScenarioGenerator g = new ScenarioGenerator(seed, type, possibleCpus);
        g.scenario(seed, statements);
        return g.out.toString();
    }

    public static String generate(long seed, MapType type, int possibleCpus) {
        return generate(seed, type, possibleCpus, DEFAULT_STATEMENTS);
    }

    // ------------------------------------------------------------------ structure

    private void scenario(long seed, int statements) {
        this.statements = statements;
        out.append("# generated: seed=").append(seed).append(" type=").append(type.scenarioName())
                .append(" cpus=").append(cpus).append(" statements=").append(statements).append('\n');
        churn = chance(0.3);
        line("cpus " + cpus);
        if (chance(0.5)) {
            line("cpu " + rnd.nextInt(cpus));
        }
        int nMaps = 1 + rnd.nextInt(3);
        for (int i = 0; i < nMaps; i++) {
            GenMap m = new GenMap(MAP_NAMES[i]);
            maps.add(m);
            createValid(m);
        }
        while (emitted < statements) {
            step();
        }
    }

    private void line(String text) {
        out.append(text).append('\n');
        emitted++;
    }

    private void deliberate(String text, String why) {
        line(text + "   " + DELIBERATE + why);
    }

    private boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    private <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    private String pick(String... options) {
        return options[rnd.nextInt(options.length)];
    }

    // ------------------------------------------------------------------ maps

    private void createValid(GenMap m) {
        m.btf = false;
        m.spinLock = false;
        m.members = new ArrayList<>();
        if ((type == MapType.HASH || type == MapType.LRU_HASH) && chance(BTF_SHARE)) {
            createTyped(m);
            return;
        }
        m.keySize = chance(0.4) ? 4 : chance(0.25) ? 8 : 1 + rnd.nextInt(64);
        m.valueSize = chance(0.3) ? 4 : chance(0.3) ? 8 : 1 + rnd.nextInt(64);
        double size = rnd.nextDouble();
        m.max = churn ? 2 + rnd.nextInt(31)
                : size < 0.6 ? 2 + rnd.nextInt(15) : size < 0.9 ? 17 + rnd.nextInt(240) : 257 + rnd.nextInt(3744);
        List<String> flags = new ArrayList<>();
        boolean commonLru = true;
        if (type.isLru()) {
            if (chance(0.35)) {
                flags.add("no_common_lru");
                commonLru = false;
            }
        } else if (chance(0.35)) {
            flags.add("no_prealloc");
        }
        flags.add("zero_seed");
        if (chance(0.06)) {
            flags.add(pick(ACCESS_FLAGS));
        }
        boolean numa = !type.isPercpu() && commonLru && chance(0.05);
        if (numa) {
            flags.add("numa_node");
        }
        long effectiveMax = commonLru ? m.max : (m.max + cpus - 1) / cpus * cpus;
        m.nBuckets = Long.highestOneBit(effectiveMax) == effectiveMax ? effectiveMax : Long.highestOneBit(effectiveMax) << 1;
        m.pool = keyPool(m);
        m.written = new ArrayList<>();
        m.defined = true;
        line("create " + m.name + " type=" + type.scenarioName() + " key=" + m.keySize + " value=" + m.valueSize
                + " max=" + m.max + " flags=" + String.join(",", flags) + (numa ? " numa=0" : ""));
    }

    /**
     * A map whose value is a C struct given with {@code ctype}: plain members in random order with a
     * {@code bpf_spin_lock} (HASH) and sometimes an unused {@code bpf_timer} among them, so that user writes of random
     * bytes must leave the special fields alone, reads must show zeros there, and BPF_F_LOCK is meaningful. Its size
     * comes from cfront, which lays the struct out as clang does.
     */
    private void createTyped(GenMap m) {
        String tag = "g" + (structCount++);
        List<String> decl = new ArrayList<>();
        String[][] plain = {{"__u8", "1"}, {"__u16", "2"}, {"__u32", "4"}, {"__u64", "8"}, {"char", "c"}};
        boolean lock = type == MapType.HASH ? chance(0.8) : chance(0.05);
        boolean timer = chance(0.3);
        int n = 1 + rnd.nextInt(5);
        int lockAt = lock ? rnd.nextInt(n + 1) : -1;
        int timerAt = timer ? rnd.nextInt(n + 1) : -1;
        for (int i = 0; i <= n; i++) {
            if (i == lockAt) {
                decl.add("struct bpf_spin_lock lock;");
            }
            if (i == timerAt) {
                decl.add("struct bpf_timer timer;");
            }
            if (i == n) {
                break;
            }
            String[] t = plain[rnd.nextInt(plain.length)];
            String name = "f" + i;
            if (t[1].equals("c")) {
                int len = 1 + rnd.nextInt(12);
                decl.add("char " + name + "[" + len + "];");
                m.members.add(new String[] {name, "s" + len});
            } else {
                decl.add(t[0] + " " + name + ";");
                m.members.add(new String[] {name, t[1]});
            }
        }
        String code = "struct " + tag + " { " + String.join(" ", decl) + " };";
        io.htablab.hashtab.cfront.CFrontResult r = io.htablab.hashtab.cfront.CFront.parse("gen.c",
                io.htablab.hashtab.cfront.btf.SpecialStructs.C_DECLARATIONS + code);
        m.valueSize = (int) r.types().struct(tag).size();
        m.keySize = chance(0.6) ? 4 : 8;
        m.btf = true;
        m.spinLock = lock && type == MapType.HASH;
        m.max = 2 + rnd.nextInt(churn ? 31 : 60);
        List<String> flags = new ArrayList<>();
        if (type == MapType.HASH && chance(0.35)) {
            flags.add("no_prealloc");
        }
        if (type.isLru() && chance(0.35)) {
            flags.add("no_common_lru");
        }
        flags.add("zero_seed");
        long effectiveMax = type.isLru() && flags.contains("no_common_lru") ? (m.max + cpus - 1) / cpus * cpus : m.max;
        m.nBuckets = Long.highestOneBit(effectiveMax) == effectiveMax ? effectiveMax : Long.highestOneBit(effectiveMax) << 1;
        m.pool = keyPool(m);
        m.written = new ArrayList<>();
        m.defined = true;
        line("ctype " + code);
        String keyType = m.keySize == 4 ? "__u32" : "__u64";
        String sizes = chance(0.5) ? "" : " key=" + m.keySize + " value=" + m.valueSize;
        String create = "create " + m.name + " type=" + type.scenarioName() + sizes + " max=" + m.max + " flags="
                + String.join(",", flags) + " btf_key=" + keyType + " btf_value=struct:" + tag;
        if (lock && type != MapType.HASH) {
            m.defined = false;
            deliberate(create, "a spin lock is not allowed in " + type.scenarioName() + " values");
        } else if (chance(0.04)) {
            m.defined = false;
            deliberate("create " + m.name + " type=" + type.scenarioName() + " key=" + m.keySize + " value="
                    + (m.valueSize + 8) + " max=" + m.max + " flags=zero_seed btf_key=" + keyType + " btf_value=struct:" + tag,
                    "value size differs from the BTF type's");
        } else {
            line(create);
        }
    }

    /** A value of a BTF-typed map written field by field: some plain members, in C initializer syntax. */
    private String fieldwiseValue(GenMap m) {
        List<String> parts = new ArrayList<>();
        for (String[] mem : m.members) {
            if (!chance(0.6)) {
                continue;
            }
            String kind = mem[1];
            String v;
            if (kind.startsWith("s")) {
                int len = Integer.parseInt(kind.substring(1));
                StringBuilder str = new StringBuilder();
                int chars = rnd.nextInt(len + 1);
                for (int i = 0; i < chars; i++) {
                    str.append((char) ('a' + rnd.nextInt(26)));
                }
                v = "\"" + str + "\"";
            } else {
                int bytes = Integer.parseInt(kind);
                long max = bytes == 8 ? Long.MAX_VALUE : (1L << (8 * bytes)) - 1;
                v = Long.toString(rnd.nextLong(max));
            }
            parts.add("." + mem[0] + "=" + v);
        }
        return "{" + String.join(", ", parts) + "}";
    }

    /** Distinct keys, somewhat more than fit, so the map fills up and some lookups miss. */
    private List<byte[]> keyPool(GenMap m) {
        long want = churn ? m.max * (2 + rnd.nextInt(3)) + 1
                : m.max + 1 + rnd.nextInt((int) Math.min(m.max / 2 + 4, 64));
        long possible = m.keySize >= 3 ? Long.MAX_VALUE : 1L << (8 * m.keySize);
        int n = (int) Math.min(want, possible);
        List<byte[]> pool = new ArrayList<>(n);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (pool.size() < n) {
            byte[] k = randomBytes(m.keySize);
            // small integers make typed shorthands likely and keys readable
            if (m.keySize >= 4 && chance(0.5)) {
                java.util.Arrays.fill(k, (byte) 0);
                int v = rnd.nextInt(1 << 16);
                k[0] = (byte) v;
                k[1] = (byte) (v >> 8);
            }
            if (seen.add(HEX.formatHex(k))) {
                pool.add(k);
            }
        }
        return pool;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private GenMap someMap() {
        List<GenMap> live = maps.stream().filter(m -> m.defined).toList();
        if (!live.isEmpty() && chance(0.95)) {
            return pick(live);
        }
        return pick(maps);
    }

    // ------------------------------------------------------------------ bytes as text

    /** Bytes written in one of the format's spellings: plain hex, 0x hex, or typed shorthands. */
    private String bytesText(byte[] b) {
        double p = rnd.nextDouble();
        if (p < 0.55) {
            return HEX.formatHex(b);
        }
        if (p < 0.65) {
            return "0x" + HEX.formatHex(b).toUpperCase(Locale.ROOT);
        }
        return typedText(b);
    }

    /** Little-endian typed shorthands joined by '+', greedily 8/4/2/1 bytes, sometimes signed or hex. */
    private String typedText(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; ) {
            int rest = b.length - i;
            int w = rest >= 8 ? 8 : rest >= 4 ? 4 : rest >= 2 ? 2 : 1;
            long v = 0;
            for (int j = w - 1; j >= 0; j--) {
                v = (v << 8) | (b[i + j] & 0xff);
            }
            if (sb.length() > 0) {
                sb.append('+');
            }
            if (chance(0.15)) {
                sb.append(HEX.formatHex(b, i, i + w));
            } else if (w == 8) {
                sb.append(chance(0.3) ? "i64:" + v : "u64:" + Long.toUnsignedString(v));
            } else if (w == 4) {
                sb.append(chance(0.3) ? "i32:" + (int) v : chance(0.2) ? "u32:0x" + Long.toHexString(v) : "u32:" + v);
            } else if (w == 2) {
                sb.append("u16:").append(v);
            } else {
                sb.append("u8:").append(v);
            }
            i += w;
        }
        return sb.toString();
    }

    /** A key to read or delete: mostly one written before (a likely hit), else from the pool or new. */
    private byte[] key(GenMap m) {
        double p = rnd.nextDouble();
        if (p < (churn ? 0.3 : 0.5) && !m.written.isEmpty()) {
            return pick(m.written);
        }
        if (p < 0.88 && !m.pool.isEmpty()) {
            return pick(m.pool);
        }
        return randomBytes(m.keySize);
    }

    private String keyText(GenMap m) {
        return bytesText(key(m));
    }

    /** A key to write: it joins the keys later statements prefer. */
    private String writtenKeyText(GenMap m) {
        byte[] k = key(m);
        m.written.add(k);
        return bytesText(k);
    }

    /** A user-space value: per-CPU maps get one value per CPU joined by '|', or one for all. */
    private String userValueText(GenMap m) {
        if (m.btf && chance(0.4)) {
            return fieldwiseValue(m);
        }
        if (type.isPercpu() && chance(0.6)) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < cpus; c++) {
                sb.append(c == 0 ? "" : "|").append(bytesText(randomBytes(m.valueSize)));
            }
            return sb.toString();
        }
        return bytesText(randomBytes(m.valueSize));
    }

    private String programValueText(GenMap m) {
        if (m.btf && chance(0.4)) {
            return fieldwiseValue(m);
        }
        return bytesText(randomBytes(m.valueSize));
    }

    private String updateFlags() {
        return updateFlags(null);
    }

    /** Update flags; a map with a spin lock gets BPF_F_LOCK often. */
    private String updateFlags(GenMap m) {
        double p = rnd.nextDouble();
        String base = p < 0.45 ? "" : p < 0.55 ? "any" : p < 0.75 ? "noexist" : "exist";
        if (chance(m != null && m.spinLock ? 0.4 : 0.04)) {
            return base.isEmpty() ? "lock" : base + "+lock";
        }
        return base;
    }

    private String cursorText(GenMap m) {
        long b = rnd.nextLong(2 * m.nBuckets + 1);
        byte[] c = {(byte) b, (byte) (b >> 8), (byte) (b >> 16), (byte) (b >> 24)};
        return chance(0.8) ? HEX.formatHex(c) : "u32:" + b;
    }

    // ------------------------------------------------------------------ statements

    private void step() {
        GenMap m = someMap();
        if (!m.defined && chance(0.5)) {
            // a name left undefined by a failed create comes back soon, so its statements matter again
            createValid(m);
            return;
        }
        if (m.defined && chance(churn ? 0.06 : 0.02)) {
            fill(m);
            return;
        }
        if (churn && chance(0.5)) {
            // inserts outpace deletes, so small maps stay full and LRU maps evict
            update(m);
            return;
        }
        if (churn && chance(0.12)) {
            switch (rnd.nextInt(3)) {
                case 0 -> line("cpu " + rnd.nextInt(cpus));
                case 1 -> line("prog_lookup " + m.name + " " + keyText(m));
                default -> line("dump " + m.name);
            }
            return;
        }
        int w = rnd.nextInt(1000);
        if (w < 220 || w >= 940) {
            update(m);
        } else if (w < 340) {
            line("lookup " + m.name + " " + keyText(m) + (chance(m.spinLock ? 0.4 : 0.03) ? " lock" : ""));
        } else if (w < 410) {
            line("delete " + m.name + " " + keyText(m));
        } else if (w < 450) {
            line("lookup_and_delete " + m.name + " " + keyText(m) + (m.btf && chance(m.spinLock ? 0.4 : 0.05) ? " lock" : ""));
        } else if (w < 500) {
            line("next_key " + m.name + (chance(0.3) ? "" : " " + keyText(m)));
        } else if (w < 550) {
            line("prog_lookup " + m.name + " " + keyText(m));
        } else if (w < 600) {
            String f = updateFlags();
            line("prog_update " + m.name + " " + writtenKeyText(m) + " " + programValueText(m) + (f.isEmpty() ? "" : " " + f));
        } else if (w < 630) {
            line("prog_delete " + m.name + " " + keyText(m));
        } else if (w < 710) {
            lookupBatch(m, w < 660);
        } else if (w < 760) {
            updateBatch(m);
        } else if (w < 790) {
            StringBuilder sb = new StringBuilder("delete_batch " + m.name);
            int n = rnd.nextInt(6);
            for (int i = 0; i < n; i++) {
                sb.append(' ').append(keyText(m));
            }
            line(sb.toString());
        } else if (w < 815) {
            if (m.max <= 256 || chance(0.3)) {
                line("dump " + m.name);
            } else {
                line("info " + m.name);
            }
        } else if (w < 835) {
            line("info " + m.name);
        } else if (w < 870) {
            if (chance(0.04)) {
                deliberate("cpu " + cpus, "not a possible CPU");
            } else {
                line("cpu " + rnd.nextInt(cpus));
            }
        } else if (w < 890) {
            createValid(m);
        } else if (w < 915) {
            createError();
        } else {
            parseError(m);
        }
    }

    private void update(GenMap m) {
        if (m.max > 256 && chance(0.3)) {
            bulkInsert(m);
        } else {
            String f = updateFlags(m);
            line("update " + m.name + " " + writtenKeyText(m) + " " + userValueText(m) + (f.isEmpty() ? "" : " " + f));
        }
    }

    /**
     * Fills a map past its capacity with distinct pool keys: one update per statement for small maps
     * (each may evict on an LRU map), one update_batch for larger ones.
     */
    private void fill(GenMap m) {
        int room = statements - emitted;
        int start = rnd.nextInt(m.pool.size());
        if (m.max <= 32) {
            int n = (int) Math.min(Math.min(m.max + 1 + rnd.nextInt(4), m.pool.size()), room);
            for (int i = 0; i < n; i++) {
                byte[] k = m.pool.get((start + i) % m.pool.size());
                m.written.add(k);
                line("update " + m.name + " " + bytesText(k) + " " + userValueText(m));
            }
            return;
        }
        int n = (int) Math.min(Math.min(m.max + 8, 300), m.pool.size());
        StringBuilder sb = new StringBuilder("update_batch " + m.name);
        for (int i = 0; i < n; i++) {
            byte[] k = m.pool.get((start + i) % m.pool.size());
            m.written.add(k);
            sb.append(' ').append(HEX.formatHex(k)).append('=').append(HEX.formatHex(randomBytes(m.valueSize)));
        }
        line(sb.toString());
    }

    /** Many inserts at once, to fill a large map. */
    private void bulkInsert(GenMap m) {
        int n = 50 + rnd.nextInt(250);
        StringBuilder sb = new StringBuilder("update_batch " + m.name);
        for (int i = 0; i < n; i++) {
            byte[] k = pick(m.pool);
            m.written.add(k);
            sb.append(' ').append(HEX.formatHex(k)).append('=').append(HEX.formatHex(randomBytes(m.valueSize)));
        }
        line(sb.toString());
    }

    private void lookupBatch(GenMap m, boolean andDelete) {
        double p = rnd.nextDouble();
        long count = p < 0.05 ? 0 : p < 0.85 ? 1 + rnd.nextInt(8) : p < 0.95 ? 9 + rnd.nextInt(92) : m.max + rnd.nextInt(8);
        String op = andDelete ? "lookup_and_delete_batch " : "lookup_batch ";
        String lock = m.btf && chance(m.spinLock ? 0.4 : 0.05) ? " flags=lock" : "";
        line(op + m.name + " count=" + count + (chance(0.4) ? "" : " in=" + cursorText(m)) + lock);
    }

    private void updateBatch(GenMap m) {
        StringBuilder sb = new StringBuilder("update_batch " + m.name);
        int n = rnd.nextInt(7);
        for (int i = 0; i < n; i++) {
            sb.append(' ').append(writtenKeyText(m)).append('=').append(userValueText(m));
        }
        double p = rnd.nextDouble();
        if (p < 0.05) {
            sb.append(" flags=any");
        } else if (p < 0.08) {
            sb.append(" flags=noexist");
        } else if (p < 0.11) {
            sb.append(" flags=exist");
        } else if (p < 0.13 || m.spinLock && p < 0.5) {
            sb.append(" flags=lock");
        }
        line(sb.toString());
    }

    /** A create the kernel refuses; sometimes on a live name, which then becomes undefined. */
    private void createError() {
        List<String> reasons = new ArrayList<>(List.of("max0", "key0", "value0", "rdwr", "rdwrprog", "numa_offline"));
        if (!type.isLru()) {
            reasons.add("no_common_lru_on_hash");
        } else {
            reasons.add("lru_no_prealloc");
            reasons.add("numa_no_common_lru");
        }
        if (type.isPercpu()) {
            reasons.add("huge_percpu_value");
            reasons.add("numa_percpu");
        }
        String reason = pick(reasons);
        String t = " type=" + type.scenarioName();
        String spec = switch (reason) {
            case "max0" -> t + " key=4 value=4 max=0 flags=zero_seed";
            case "key0" -> t + " key=0 value=4 max=4";
            case "value0" -> t + " key=4 value=0 max=4 flags=zero_seed";
            case "rdwr" -> t + " key=4 value=4 max=4 flags=rdonly,wronly";
            case "rdwrprog" -> t + " key=4 value=4 max=4 flags=zero_seed,rdonly_prog,wronly_prog";
            case "numa_offline" -> t + " key=4 value=4 max=4 flags=numa_node numa=" + (64 + rnd.nextInt(64));
            case "no_common_lru_on_hash" -> t + " key=4 value=4 max=4 flags=no_common_lru";
            case "lru_no_prealloc" -> t + " key=4 value=4 max=4 flags=no_prealloc,zero_seed";
            case "numa_no_common_lru" -> t + " key=4 value=4 max=4 flags=no_common_lru,numa_node";
            case "huge_percpu_value" -> t + " key=4 value=" + (32769 + rnd.nextInt(10000)) + " max=4 flags=zero_seed";
            case "numa_percpu" -> t + " key=4 value=4 max=4 flags=numa_node";
            default -> throw new IllegalStateException(reason);
        };
        if (chance(0.35)) {
            GenMap victim = pick(maps);
            victim.defined = false;
            deliberate("create " + victim.name + spec, "create error (" + reason + ") unbinds " + victim.name);
        } else {
            deliberate("create bad" + spec, "create error (" + reason + ")");
        }
    }

    /** A line that does not parse, or does not fit its map. */
    private void parseError(GenMap m) {
        switch (rnd.nextInt(10)) {
            case 0 -> deliberate("lookup " + m.name + " " + HEX.formatHex(key(m)) + "0", "odd number of hex digits");
            case 1 -> {
                int wrong = m.keySize + (chance(0.5) || m.keySize == 1 ? 1 : -1);
                deliberate("lookup " + m.name + " " + HEX.formatHex(randomBytes(wrong)), "key of the wrong length");
            }
            case 2 -> deliberate("update " + m.name + " " + keyText(m) + " " + HEX.formatHex(randomBytes(m.valueSize + 1)),
                    "value of the wrong length");
            case 3 -> deliberate("frobnicate " + m.name, "unknown statement");
            case 4 -> deliberate("lookup nosuchmap " + HEX.formatHex(key(m)), "unknown map");
            case 5 -> deliberate("update " + m.name + " u8:256 00", "u8 out of range");
            case 6 -> {
                String v = HEX.formatHex(randomBytes(m.valueSize));
                String parts = type.isPercpu() ? String.join("|", java.util.Collections.nCopies(cpus + 1, v)) : v + "|" + v;
                deliberate("update " + m.name + " " + keyText(m) + " " + parts, "wrong number of '|' values");
            }
            case 7 -> deliberate("lookup_batch " + m.name + " count=2 in=0102", "cursor not 4 bytes");
            case 8 -> deliberate("lookup_batch " + m.name + " in=00000000", "missing count=");
            default -> deliberate("update " + m.name + " " + keyText(m) + " " + userValueText(m) + " sometimes",
                    "unknown update flag");
        }
    }
}
