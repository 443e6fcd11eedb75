package io.htablab.hashtab.htab;

import io.htablab.hashtab.htab.event.MapEvent;
import io.htablab.hashtab.htab.fields.FieldRecord;
import io.htablab.hashtab.htab.fields.SpecialField;
import java.util.Arrays;
import java.util.List;

/**
 * What a BPF_MAP_TYPE_HASH_OF_MAPS adds to a hash map (map_in_map.c and the fd-htab parts of hashtab.c): the inner
 * map template it was created with (bpf_map_meta_alloc), the check every inner map must pass (bpf_map_meta_equal),
 * and the references its elements hold.
 *
 * <p>An element's value is the inner map's id as a little-endian u32 (the kernel stores the map pointer; a syscall
 * read returns the id, bpf_map_fd_sys_lookup_elem). The references themselves live here, one per element index:
 * the outer map holds its inner maps, so an inner map outlives its descriptor while an element refers to it.
 *
 * <p>The engine models the four hash types as inner maps (a scenario can create no other kind); the template is any
 * map the runtime has a descriptor for, except another map of maps (EINVAL: one level only).
 */
final class MapInMap {

    /** The template's identity as bpf_map_meta_equal compares it (max_entries is not compared for hash maps). */
    record Template(MapType type, int keySize, int valueSize, int mapFlags, long maxEntries, FieldRecord record) {

        static Template of(BpfMap m) {
            HtabState s = m.state();
            return new Template(s.type(), s.keySize(), s.valueSize(), s.mapFlags(), s.maxEntries(), m.fieldRecord());
        }

        /** bpf_map_meta_equal: type, key and value size, stored flags and the special-field record. */
        boolean matches(BpfMap m) {
            HtabState s = m.state();
            return s.type() == type && s.keySize() == keySize && s.valueSize() == valueSize
                    && s.mapFlags() == mapFlags && recordEqual(record, m.fieldRecord());
        }

        /** btf_record_equal: the same fields (kind, offset, size) in the same order; names do not matter. */
        private static boolean recordEqual(FieldRecord a, FieldRecord b) {
            List<SpecialField> x = a.fields();
            List<SpecialField> y = b.fields();
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                SpecialField f = x.get(i);
                SpecialField g = y.get(i);
                if (f.kind() != g.kind() || f.offset() != g.offset() || f.size() != g.size()) {
                    return false;
                }
            }
            return true;
        }

        String describe() {
            return type.scenarioName() + " key=" + keySize + " value=" + valueSize + " flags="
                    + MapFlag.describe(mapFlags);
        }
    }

    private final Template template;
    private final int mapId;
    private final Listeners events;
    /** The inner map each element refers to, by element index; null where none. */
    private BpfMap[] refs;

    MapInMap(Template template, int mapId, Listeners events, int initialElems) {
        this.template = template;
        this.mapId = mapId;
        this.events = events;
        this.refs = new BpfMap[Math.max(4, initialElems)];
    }

    Template template() {
        return template;
    }

    /**
     * bpf_map_meta_alloc's checks of {@code inner_map_fd}, in the kernel's order.
     *
     * @return null when {@code inner} can be the template, else the errno and reason
     */
    static OpResult templateProblem(BpfMap inner, int fd) {
        if (inner == null && isStandardStream(fd)) {
            return new OpResult(Errno.EINVAL, "inner_map_fd " + fd + " is open but not a BPF map (0-2 are the standard"
                    + " streams; a missing inner= passes 0): the kernel returns EINVAL");
        }
        if (inner == null) {
            return new OpResult(Errno.EBADF, "inner_map_fd " + fd + " is not an open map descriptor: the kernel returns"
                    + " EBADF");
        }
        if (inner.type() == MapType.HASH_OF_MAPS) {
            return new OpResult(Errno.EINVAL, "inner_map_fd names a map of maps: only one level of map-in-map is"
                    + " supported, the kernel returns EINVAL");
        }
        return null;
    }

    /**
     * Descriptors 0-2 are a process's standard streams: open, but not maps (__bpf_map_get answers EINVAL for them, and
     * EBADF only for a descriptor that is not open at all).
     */
    static boolean isStandardStream(int fd) {
        return fd >= 0 && fd <= 2;
    }

    /** bpf_map_fd_get_ptr's check: null when {@code inner} matches the template, else EINVAL and why. */
    OpResult metaEqualProblem(BpfMap inner) {
        if (template.matches(inner)) {
            return null;
        }
        Template t = Template.of(inner);
        return new OpResult(Errno.EINVAL, "inner map " + (inner.name().isEmpty() ? "#" + inner.id() : inner.name())
                + " (" + t.describe() + ") does not match the template (" + template.describe()
                + "): bpf_map_meta_equal fails, the kernel returns EINVAL");
    }

    /** The inner map element {@code elem} refers to, or null. */
    BpfMap ref(int elem) {
        return elem < refs.length ? refs[elem] : null;
    }

    /** Element {@code elem} takes over the reference {@code inner} (already counted by the caller). */
    void store(int elem, BpfMap inner) {
        if (elem >= refs.length) {
            refs = Arrays.copyOf(refs, Math.max(elem + 1, refs.length * 2));
        }
        if (refs[elem] != null) {
            throw new IllegalStateException("element " + elem + " of map " + mapId + " still refers to map "
                    + refs[elem].id());
        }
        refs[elem] = inner;
        if (events.enabled()) {
            events.accept(new MapEvent.InnerMapStored(mapId, elem, inner.id()));
        }
    }

    /** Detach element {@code elem}'s reference (the caller releases it with {@link BpfMap#bpfMapPut}). */
    BpfMap take(int elem) {
        BpfMap m = ref(elem);
        if (m != null) {
            refs[elem] = null;
            if (events.enabled()) {
                events.accept(new MapEvent.InnerMapReleased(mapId, elem, m.id()));
            }
        }
        return m;
    }

    /** htab_put_fd_value: element {@code elem} no longer refers to its inner map. */
    void putFdValue(int elem) {
        BpfMap m = take(elem);
        if (m != null) {
            m.bpfMapPut();
        }
    }

    /** The value bytes an element referring to {@code inner} holds: its id, little-endian (value_size 4). */
    static byte[] idValue(BpfMap inner) {
        int id = inner.id();
        return new byte[] {(byte) id, (byte) (id >>> 8), (byte) (id >>> 16), (byte) (id >>> 24)};
    }
}
