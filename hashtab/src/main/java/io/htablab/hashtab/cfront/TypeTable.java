package io.htablab.hashtab.cfront;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tags, typedefs and enum constants known at the end of the file (file scope), built-ins included. */
public final class TypeTable {

    /** An enumerator: its value, its enum, and where it was written ({@code uri} null for built-ins). */
    public record EnumConstant(String name, long value, EnumType owner, String uri, SourceRange range) {
    }

    private final Map<String, RecordType> structs = new LinkedHashMap<>();
    private final Map<String, RecordType> unions = new LinkedHashMap<>();
    private final Map<String, EnumType> enums = new LinkedHashMap<>();
    private final Map<String, CType.TypedefType> typedefs = new LinkedHashMap<>();
    private final Map<String, EnumConstant> enumConstants = new LinkedHashMap<>();
    private final List<RecordType> allRecords = new ArrayList<>();

    public RecordType struct(String tag) { return structs.get(tag); }

    public RecordType union(String tag) { return unions.get(tag); }

    public EnumType enumType(String tag) { return enums.get(tag); }

    public CType.TypedefType typedef(String name) { return typedefs.get(name); }

    public EnumConstant enumConstant(String name) { return enumConstants.get(name); }

    /** Every struct and union, named or anonymous, in the order their definitions started. */
    public List<RecordType> records() { return Collections.unmodifiableList(allRecords); }

    public Collection<RecordType> structs() { return Collections.unmodifiableCollection(structs.values()); }

    public Collection<RecordType> unions() { return Collections.unmodifiableCollection(unions.values()); }

    public Collection<EnumType> enums() { return Collections.unmodifiableCollection(enums.values()); }

    public Collection<CType.TypedefType> typedefs() { return Collections.unmodifiableCollection(typedefs.values()); }

    public Collection<EnumConstant> enumConstants() { return Collections.unmodifiableCollection(enumConstants.values()); }

    void putStruct(RecordType r) { structs.put(r.name(), r); }

    void putUnion(RecordType r) { unions.put(r.name(), r); }

    void putEnum(EnumType e) { enums.put(e.name(), e); }

    void putTypedef(CType.TypedefType t) { typedefs.put(t.name(), t); }

    void putEnumConstant(EnumConstant c) { enumConstants.put(c.name(), c); }

    void addRecord(RecordType r) { allRecords.add(r); }
}
