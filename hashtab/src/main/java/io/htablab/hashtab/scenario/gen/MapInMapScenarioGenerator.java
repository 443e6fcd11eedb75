package io.htablab.hashtab.scenario.gen;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random {@code .hts} scenarios around BPF_MAP_TYPE_HASH_OF_MAPS for differential testing: a pool of inner maps of
 * several types and templates (some match the outer map's template, some differ in type, size or flags, one differs
 * only in max_entries, which the kernel does not compare), one or two outer maps (preallocated or not, of various
 * sizes, sometimes with access flags) and a mix of every statement on them: updates with every flag and mismatching
 * inner maps, lookups, deletes, lookup_and_delete (ENOTSUPP), next_key walks, dumps, all four batch commands with
 * small counts and cursors, program lookups of the inner map and through it, inner maps re-created under their name
 * (so the outer map holds a map whose descriptor is gone), values written into inner maps, creates that fail
 * (nested outer maps, a missing template, value_size 8). Every key and map name is deterministic per seed.
 */
public final class MapInMapScenarioGenerator {

    public static final int DEFAULT_STATEMENTS = 120;

    private final SplittableRandom rnd;
    private final int cpus;
    private final StringBuilder out = new StringBuilder();
    private int emitted;

    /** An inner map of the pool: its create line and whether it matches the template {@code t}. */
    private record Inner(String name, String create) {
    }

    private final List<Inner> inners = new ArrayList<>();
    private final List<String> outers = new ArrayList<>();
    private int outerKeySize;
    private long outerMax;

    private MapInMapScenarioGenerator(long seed, int cpus) {
        this.rnd = new SplittableRandom(seed);
        this.cpus = cpus;
    }

    /** A scenario of about {@code statements} statements for a kernel with {@code possibleCpus} CPUs. */
    public static String generate(long seed, int possibleCpus, int statements) {
        if (possibleCpus < 1 || statements < 1) {
            throw new IllegalArgumentException("possibleCpus and statements must be >= 1");
        }
        MapInMapScenarioGenerator g = new MapInMapScenarioGenerator(seed, possibleCpus);
        g.scenario(seed, statements);
        return g.out.toString();
    }

    private void scenario(long seed, int statements) {
        out.append("# generated: seed=").append(seed).append(" type=hash_of_maps cpus=").append(cpus)
                .append(" statements=").append(statements).append('\n');
        line("cpus " + cpus);
        String templateType = pick("hash", "hash", "percpu_hash", "lru_hash", "lru_percpu_hash");
        String templateFlags = templateType.startsWith("lru") ? pick("zero_seed", "zero_seed,no_common_lru")
                : pick("zero_seed", "zero_seed,no_prealloc");
        line("create t type=" + templateType + " key=4 value=8 max=4 flags=" + templateFlags);
        // the pool: same template, other max_entries, another type, other sizes, other flags
        addInner("a", "type=" + templateType + " key=4 value=8 max=4 flags=" + templateFlags);
        addInner("b", "type=" + templateType + " key=4 value=8 max=" + pick("2", "8", "64") + " flags="
                + templateFlags);
        addInner("c", "type=" + (templateType.equals("hash") ? "percpu_hash" : "hash") + " key=4 value=8 max=4"
                + " flags=zero_seed");
        addInner("d", "type=" + templateType + " key=4 value=" + pick("4", "16") + " max=4 flags=" + templateFlags);
        addInner("e", "type=" + templateType + " key=8 value=8 max=4 flags=" + templateFlags);
        addInner("f", "type=" + templateType + " key=4 value=8 max=4 flags=" + templateFlags.replace("zero_seed", "")
                .replaceAll("^,|,$", "") + (templateFlags.equals("zero_seed") ? "-" : ""));
        for (Inner i : inners) {
            line("create " + i.name + " " + i.create);
        }
        outerKeySize = pick(4, 4, 8, 2);
        outerMax = pick(1, 2, 3, 4, 8, 16);
        createOuter("o", "");
        if (chance(0.4)) {
            createOuter("p", pick("no_prealloc", "rdonly_prog", "wronly_prog", "rdonly", "wronly"));
        }
        if (chance(0.3)) {
            line("create bad type=hash_of_maps key=4 value=" + pick("8", "4") + " max=4 inner="
                    + pick("o", "t") + " flags=zero_seed");
        }
        while (emitted < statements) {
            step();
        }
    }

    private void addInner(String name, String create) {
        inners.add(new Inner(name, create.replace("flags=-", "").trim()));
    }

    private void createOuter(String name, String extraFlag) {
        String flags = "zero_seed" + (extraFlag.isEmpty() ? "" : "," + extraFlag) + (chance(0.3) ? ",no_prealloc" : "");
        if (flags.contains("no_prealloc,no_prealloc")) {
            flags = flags.replace("no_prealloc,no_prealloc", "no_prealloc");
        }
        line("create " + name + " type=hash_of_maps key=" + outerKeySize + " value=4 max=" + outerMax
                + " inner=t flags=" + flags);
        outers.add(name);
    }

    private void step() {
        String o = outers.get(rnd.nextInt(outers.size()));
        int r = rnd.nextInt(100);
        if (r < 30) {
            line("update " + o + " " + key() + " map:" + innerName() + flag());
        } else if (r < 38) {
            line("lookup " + o + " " + key());
        } else if (r < 45) {
            line("delete " + o + " " + key());
        } else if (r < 47) {
            line("lookup_and_delete " + o + " " + key());
        } else if (r < 52) {
            line("next_key " + o + (chance(0.3) ? "" : " " + key()));
        } else if (r < 56) {
            line("dump " + o);
        } else if (r < 62) {
            line("prog_lookup " + o + " " + key());
        } else if (r < 68) {
            line("prog_lookup " + o + " " + key() + " inner=u32:" + rnd.nextInt(4));
        } else if (r < 72) {
            line("lookup_batch " + o + " count=" + (1 + rnd.nextInt(4)) + cursor());
        } else if (r < 75) {
            line("lookup_and_delete_batch " + o + " count=" + (1 + rnd.nextInt(4)) + cursor());
        } else if (r < 79) {
            StringBuilder sb = new StringBuilder("update_batch " + o);
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                sb.append(' ').append(key()).append("=map:").append(innerName());
            }
            line(sb.toString());
        } else if (r < 82) {
            line("delete_batch " + o + " " + key() + (chance(0.5) ? " " + key() : ""));
        } else if (r < 88) {
            Inner i = inners.get(rnd.nextInt(inners.size()));
            if (!i.create.contains("key=8")) {
                line("update " + i.name + " u32:" + rnd.nextInt(4) + " u64:" + rnd.nextInt(1000));
            }
        } else if (r < 91) {
            Inner i = inners.get(rnd.nextInt(2)); // re-create a matching one: the outer map keeps the old one
            line("create " + i.name + " " + i.create);
        } else if (r < 93) {
            line("cpu " + rnd.nextInt(cpus));
        } else if (r < 95) {
            line("info " + o);
        } else {
            line("prog_update " + o + " " + key() + " map:a");
        }
    }

    private String innerName() {
        // mostly maps that match the template, so the outer maps fill up
        return chance(0.7) ? pick("a", "b", "t") : inners.get(rnd.nextInt(inners.size())).name;
    }

    private String key() {
        long k = rnd.nextInt((int) Math.max(2, outerMax * 2));
        return switch (outerKeySize) {
            case 2 -> "u16:" + k;
            case 8 -> "u64:" + k;
            default -> "u32:" + k;
        };
    }

    private String flag() {
        int r = rnd.nextInt(10);
        return r < 6 ? "" : r < 8 ? " noexist" : " exist";
    }

    private String cursor() {
        if (chance(0.5)) {
            return "";
        }
        long nb = Long.highestOneBit(outerMax) == outerMax ? outerMax : Long.highestOneBit(outerMax) << 1;
        long c = rnd.nextInt((int) nb + 1);
        return String.format(" in=%02x000000", c);
    }

    private void line(String text) {
        out.append(text).append('\n');
        emitted++;
    }

    private boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[rnd.nextInt(options.length)];
    }
}
