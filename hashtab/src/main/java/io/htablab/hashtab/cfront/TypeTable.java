package io.htablab.hashtab.cfront;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tags, typedefs and enum constants known at the end of the file (file scope), built-ins included.
 *
 * <p>A table is a layer over the table of the headers read before it ({@link #parent()}): a header parsed
 * once and shared by many files ({@link HeaderUnit}) is one layer, the file's own declarations another. A
 * lookup finds the innermost definition; the shared layers are never changed after they are built, so a
 * later file can only shadow their names, not edit their types.
 */
public final class TypeTable {

    /** An enumerator: its value, its enum, and where it was written ({@code uri} null for built-ins). */
    public record EnumConstant(String name, long value, EnumType owner, String uri, SourceRange range) {
    }

    private final TypeTable parent;
    private final Map<String, RecordType> structs = new LinkedHashMap<>();
    private final Map<String, RecordType> unions = new LinkedHashMap<>();
    private final Map<String, EnumType> enums = new LinkedHashMap<>();
    private final Map<String, CType.TypedefType> typedefs = new LinkedHashMap<>();
    private final Map<String, EnumConstant> enumConstants = new LinkedHashMap<>();
    private final Set<String> unknownConstants = new HashSet<>();
    private final List<RecordType> allRecords = new ArrayList<>();
    /** Set for the layer of a header read on demand: lookups go through it (it holds the lock). */
    private LazyHeader lazy;

    /** An empty table with no headers under it. */
    public TypeTable() {
        this(null);
    }

    TypeTable(TypeTable parent) {
        this.parent = parent;
    }

    void setLazy(LazyHeader l) {
        this.lazy = l;
    }

    /** The layer of the headers read before this one, or null. */
    TypeTable parent() { return parent; }

    public RecordType struct(String tag) {
        for (TypeTable t = this; t != null; t = t.parent) {
            RecordType r = t.lazy != null ? t.lazy.struct(tag) : t.structs.get(tag);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    public RecordType union(String tag) {
        for (TypeTable t = this; t != null; t = t.parent) {
            RecordType r = t.lazy != null ? t.lazy.union(tag) : t.unions.get(tag);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    public EnumType enumType(String tag) {
        for (TypeTable t = this; t != null; t = t.parent) {
            EnumType e = t.lazy != null ? t.lazy.enumType(tag) : t.enums.get(tag);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    public CType.TypedefType typedef(String name) {
        for (TypeTable t = this; t != null; t = t.parent) {
            CType.TypedefType d = t.lazy != null ? t.lazy.typedef(name) : t.typedefs.get(name);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    public EnumConstant enumConstant(String name) {
        for (TypeTable t = this; t != null; t = t.parent) {
            EnumConstant c = t.lazy != null ? t.lazy.enumConstant(name) : t.enumConstants.get(name);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** True when the innermost definition of this enum constant has a value the front end could not compute. */
    boolean isUnknownConstant(String name) {
        for (TypeTable t = this; t != null; t = t.parent) {
            if (t.lazy != null ? t.lazy.definesConstant(name) : t.enumConstants.containsKey(name)) {
                return t.unknownConstants.contains(name);
            }
        }
        return false;
    }

    /** Every struct and union, named or anonymous, in the order their definitions started (headers first). */
    public List<RecordType> records() {
        List<RecordType> own = ownRecords();
        if (parent == null) {
            return own;
        }
        List<RecordType> below = parent.records();
        return new AbstractList<>() {
            @Override
            public RecordType get(int index) {
                return index < below.size() ? below.get(index) : own.get(index - below.size());
            }

            @Override
            public int size() {
                return below.size() + own.size();
            }
        };
    }

    /**
     * The structs and unions defined in this layer only (the file itself, not the shared headers under it). For a
     * header read on demand ({@link LazyHeader}) that is the ones read so far: the types files have used.
     */
    public List<RecordType> ownRecords() {
        if (lazy != null) {
            synchronized (lazy) {
                return List.copyOf(allRecords);
            }
        }
        return Collections.unmodifiableList(allRecords);
    }

    public Collection<RecordType> structs() { return merged(t -> t.structs); }

    public Collection<RecordType> unions() { return merged(t -> t.unions); }

    public Collection<EnumType> enums() { return merged(t -> t.enums); }

    public Collection<CType.TypedefType> typedefs() { return merged(t -> t.typedefs); }

    public Collection<EnumConstant> enumConstants() { return merged(t -> t.enumConstants); }

    private <V> Collection<V> merged(java.util.function.Function<TypeTable, Map<String, V>> layer) {
        if (parent == null && lazy == null) {
            return Collections.unmodifiableCollection(layer.apply(this).values());
        }
        List<TypeTable> chain = new ArrayList<>();
        for (TypeTable t = this; t != null; t = t.parent) {
            chain.add(t);
        }
        Map<String, V> all = new LinkedHashMap<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            TypeTable t = chain.get(i);
            if (t.lazy != null) {
                synchronized (t.lazy) {
                    all.putAll(layer.apply(t));
                }
            } else {
                all.putAll(layer.apply(t));
            }
        }
        return Collections.unmodifiableCollection(all.values());
    }

    RecordType ownStruct(String tag) { return structs.get(tag); }

    RecordType ownUnion(String tag) { return unions.get(tag); }

    EnumType ownEnum(String tag) { return enums.get(tag); }

    CType.TypedefType ownTypedef(String name) { return typedefs.get(name); }

    EnumConstant ownEnumConstant(String name) { return enumConstants.get(name); }

    LazyHeader lazy() { return lazy; }

    void putStruct(RecordType r) { structs.put(r.name(), r); }

    void putUnion(RecordType r) { unions.put(r.name(), r); }

    void putEnum(EnumType e) { enums.put(e.name(), e); }

    void putTypedef(CType.TypedefType t) { typedefs.put(t.name(), t); }

    void putEnumConstant(EnumConstant c) {
        enumConstants.put(c.name(), c);
        unknownConstants.remove(c.name());
    }

    void putUnknownConstant(EnumConstant c) {
        enumConstants.put(c.name(), c);
        unknownConstants.add(c.name());
    }

    void addRecord(RecordType r) { allRecords.add(r); }

    /** Rough number of entries in this layer, for the header cache's budget. */
    int ownSize() {
        return structs.size() + unions.size() + enums.size() + typedefs.size() + enumConstants.size() + allRecords.size();
    }
}
