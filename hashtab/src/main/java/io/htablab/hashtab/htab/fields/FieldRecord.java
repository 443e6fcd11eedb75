package io.htablab.hashtab.htab.fields;

import java.util.Comparator;
import java.util.List;

/**
 * The special fields of a map's value type (struct btf_record), sorted by offset. A value without BTF, or
 * whose type has no special field, has {@link #EMPTY}.
 */
public record FieldRecord(List<SpecialField> fields) {

    public static final FieldRecord EMPTY = new FieldRecord(List.of());

    public FieldRecord {
        fields = fields.stream().sorted(Comparator.comparingInt(SpecialField::offset)).toList();
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** btf_record_has_field. */
    public boolean has(FieldKind kind) {
        return first(kind) != null;
    }

    /**
     * The spin lock BPF_F_LOCK takes (btf_record.spin_lock_off): a classic {@code bpf_spin_lock}; when nested structs
     * hold several, the kernel keeps the last one it found, which is the one at the highest offset. Null when none.
     */
    public SpecialField spinLock() {
        SpecialField last = null;
        for (SpecialField f : fields) {
            if (f.kind() == FieldKind.SPIN_LOCK) {
                last = f;
            }
        }
        return last;
    }

    /** Whether byte {@code off} of the value lies inside a special field. */
    public boolean covers(int off) {
        for (SpecialField f : fields) {
            if (off >= f.offset() && off < f.offset() + f.size()) {
                return true;
            }
        }
        return false;
    }

    /** The first field of {@code kind} by offset, or null. */
    public SpecialField first(FieldKind kind) {
        for (SpecialField f : fields) {
            if (f.kind() == kind) {
                return f;
            }
        }
        return null;
    }
}
