package io.htablab.lsp;

import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.cfront.btf.MapBtfs;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.HtabGeometry;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.fields.MapBtf;

import java.util.OptionalLong;

/**
 * A map definition together with what the kernel would make of it: the create attributes as BPF_MAP_CREATE
 * would receive them and, for the hash family, {@link HtabGeometry}'s verdict and sizing.
 */
public final class MapFacts {

    private static final long U32_MASK = 0xFFFF_FFFFL;

    private final MapDefinition def;
    private final String kernelName;
    private final MapType hashType;
    private final int possibleCpus;
    private final HtabAttr attr;
    private final HtabGeometry geometry;
    private final MapBtf mapBtf;
    private final boolean btfRefused;

    public MapFacts(MapDefinition def, int possibleCpus) {
        this.def = def;
        this.possibleCpus = possibleCpus;
        String name = def.kernelName();
        if (name == null && def.mapType().isPresent()) {
            name = BpfConstants.kernelName(def.mapType().getAsLong());
        }
        this.kernelName = name;
        MapType t = name == null ? null : MapType.fromScenarioName(name);
        // the checks here are those of the four hash maps; a map of maps is not explained (yet)
        this.hashType = t != null && !t.isMapInMap() ? t : null;
        this.mapBtf = btfOf(def);
        if (hashType != null && isKnown()) {
            // An absent field reaches the kernel as 0 (libbpf leaves it zeroed); the checks then explain it.
            HtabAttr plain = new HtabAttr(hashType, u32(def.keySize()), u32(def.valueSize()), u32(def.maxEntries()),
                    (int) u32(def.mapFlags()), (int) def.numaNode().orElse(-1));
            this.attr = mapBtf == null ? plain : plain.withBtf(mapBtf);
            HtabGeometry g = HtabGeometry.compute(attr, possibleCpus);
            this.btfRefused = mapBtf != null && !g.isOk() && HtabGeometry.compute(plain, possibleCpus).isOk();
            this.geometry = g;
        } else {
            this.attr = null;
            this.geometry = null;
            this.btfRefused = false;
        }
    }

    /**
     * The BTF libbpf creates the map with: both {@code __type(key, ...)} and {@code __type(value, ...)} given.
     * Encoded only when one of the types holds a special struct (a timer, a spin lock, ...): for any other type
     * map_check_btf can only compare sizes, which {@code __type} already makes equal. Null otherwise.
     */
    private static MapBtf btfOf(MapDefinition def) {
        if (def.style() != MapDefinition.Style.BTF || def.keyType() == null || def.valueType() == null
                || def.innerMap() != null
                || !SpecialFields.mentionsSpecialStruct(def.valueType()) && !SpecialFields.mentionsSpecialStruct(def.keyType())) {
            return null;
        }
        try {
            return MapBtfs.mapBtf(def.keyType(), def.valueType());
        } catch (RuntimeException e) {
            return null; // a type the encoder cannot take: the map is judged without its BTF
        }
    }

    /** The key/value BTF the map is created with when its value may hold special fields, else null. */
    public MapBtf mapBtf() {
        return mapBtf;
    }

    /**
     * Whether the kernel refuses the map only because of its BTF (a special field the map type does not allow):
     * libbpf then retries without BTF, so the map is created but its special fields are plain bytes.
     */
    public boolean isBtfRefused() {
        return btfRefused;
    }

    private static long u32(OptionalLong v) {
        return v.orElse(0) & U32_MASK;
    }

    /** True when every number the kernel checks could be evaluated (nothing is an unknown macro). */
    public boolean isKnown() {
        return !def.isUnknown("type") && !def.isUnknown("key_size") && !def.isUnknown("value_size")
                && !def.isUnknown("key") && !def.isUnknown("value")
                && !def.isUnknown("max_entries") && !def.isUnknown("map_flags") && !def.isUnknown("numa_node");
    }

    public MapDefinition def() {
        return def;
    }

    public String name() {
        return def.name();
    }

    /** hash, lru_hash, array, ... or null when the type is unknown. */
    public String kernelName() {
        return kernelName;
    }

    /** One of the four hash types, else null. */
    public MapType hashType() {
        return hashType;
    }

    public boolean isHashFamily() {
        return hashType != null;
    }

    /** The attributes BPF_MAP_CREATE would get (hash family with known values only), else null. */
    public HtabAttr attr() {
        return attr;
    }

    /** The kernel's verdict and sizing (hash family with known values only), else null. */
    public HtabGeometry geometry() {
        return geometry;
    }

    public int possibleCpus() {
        return possibleCpus;
    }

    public boolean isLru() {
        return hashType != null && hashType.isLru();
    }

    /** Per-CPU value slots: the two per-CPU hash types, percpu_array, percpu_cgroup_storage. */
    public boolean isPercpu() {
        return kernelName != null && kernelName.startsWith("percpu") || hashType != null && hashType.isPercpu();
    }

    public boolean isArray() {
        return "array".equals(kernelName) || "percpu_array".equals(kernelName);
    }

    public long flags() {
        return def.mapFlags().orElse(0);
    }

    /** "hash, 4→8 B, 1024 entries" for outlines and hints. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(kernelName == null ? "unknown type" : kernelName).append(", ");
        sb.append(num(def.keySize())).append('\u2192').append(num(def.valueSize())).append(" B, ");
        sb.append(num(def.maxEntries())).append(" entries");
        return sb.toString();
    }

    private static String num(OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "?";
    }
}
