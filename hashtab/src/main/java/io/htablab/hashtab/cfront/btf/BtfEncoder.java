package io.htablab.hashtab.cfront.btf;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.EnumType;
import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a BTF blob (header, type section, string section) the kernel's BTF_LOAD accepts, from cfront types
 * ({@link #encode(CType)}) or type by type ({@code addInt}, {@code addPtr}, ... for what C types cannot say:
 * qualifiers, type tags, FUNC/FUNC_PROTO for programs' {@code func_info}, VAR/DATASEC).
 *
 * <p>Types get ids in the order they are added, from 1 (id 0 is {@code void}). {@link #encode} emits a type the way
 * clang does for {@code -g -target bpf}: the same names for integer types ({@code unsigned int},
 * {@code long long}), {@code char} as a signed 8-bit INT, unnamed bit-fields left out, {@code kind_flag} on records
 * that have bit-fields (member offsets then carry the bit-field size), an {@code __ARRAY_SIZE_TYPE__} index type for
 * arrays, FWD for structs and unions never completed, ENUM64 for 8-byte enums. Each cfront type is emitted once.
 * The encoder is not thread-safe.
 */
public final class BtfEncoder {

    public static final int BTF_MAGIC = 0xEB9F;
    public static final int HEADER_LEN = 24;
    /** INT encoding bits (BTF_INT_SIGNED, BTF_INT_CHAR, BTF_INT_BOOL). */
    public static final int INT_SIGNED = 1;
    public static final int INT_CHAR = 2;
    public static final int INT_BOOL = 4;
    /** FUNC and VAR linkage. */
    public static final int LINKAGE_STATIC = 0;
    public static final int LINKAGE_GLOBAL = 1;
    public static final int LINKAGE_EXTERN = 2;

    /** Words of each type (name_off, info, size/type, then the kind's trailing data), index = id - 1. */
    private final List<int[]> types = new ArrayList<>();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    /** Records and enums by identity (two anonymous structs are different types). */
    private final Map<CType, Integer> byIdentity = new IdentityHashMap<>();
    /** Value-like cfront types (ints, pointers, arrays, typedefs) by equality. */
    private final Map<CType, Integer> byValue = new HashMap<>();
    private final Map<String, Integer> named = new LinkedHashMap<>();
    private int arrayIndexType;
    private final PointerTags pointerTags;

    public BtfEncoder() {
        this(PointerTags.NONE);
    }

    /** An encoder that puts the type tags {@code pointerTags} finds on pointer members (kptrs) into the BTF. */
    public BtfEncoder(PointerTags pointerTags) {
        this.pointerTags = pointerTags == null ? PointerTags.NONE : pointerTags;
        strings.write(0);
        stringOffsets.put("", 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // cfront types

    /**
     * Emits {@code type} and everything it refers to (once each) and returns its id; {@code void} and null are 0.
     *
     * @throws IllegalArgumentException for a type BTF cannot describe (a bit-field wider than its type, a negative
     *                                  array length other than a flexible array)
     */
    public int encode(CType type) {
        if (type == null || type instanceof CType.VoidType) {
            return 0;
        }
        Integer known = type instanceof RecordType || type instanceof EnumType ? byIdentity.get(type) : byValue.get(type);
        if (known != null) {
            return known;
        }
        if (type instanceof CType.IntType it) {
            int enc = it.spelling().equals("_Bool") ? INT_BOOL : it.signed() ? INT_SIGNED : 0;
            int id = addInt(it.spelling(), (int) it.size(), enc);
            byValue.put(type, id);
            return id;
        }
        if (type instanceof CType.FloatType ft) {
            int id = addFloat(ft.spelling(), (int) ft.size());
            byValue.put(type, id);
            return id;
        }
        if (type instanceof CType.PointerType pt) {
            int target = encode(pt.target());
            int id = addPtr(target);
            byValue.put(type, id);
            return id;
        }
        if (type instanceof CType.ArrayType at) {
            int elem = encode(at.element());
            int id = addArray(elem, arrayIndexType(), at.length() < 0 ? 0 : at.length());
            byValue.put(type, id);
            return id;
        }
        if (type instanceof CType.TypedefType td) {
            int target = encode(td.target());
            int id = addTypedef(td.name(), target);
            byValue.put(type, id);
            return id;
        }
        if (type instanceof CType.FuncType ft) {
            int ret = encode(ft.returnType());
            List<BtfParam> params = new ArrayList<>();
            for (CType p : ft.params()) {
                params.add(new BtfParam("", encode(p)));
            }
            int id = addFuncProto(ret, params, ft.variadic());
            byValue.put(type, id);
            return id;
        }
        if (type instanceof EnumType et) {
            return encodeEnum(et);
        }
        if (type instanceof RecordType rt) {
            return encodeRecord(rt);
        }
        throw new IllegalArgumentException("no BTF for " + type.spelling());
    }

    private int encodeEnum(EnumType et) {
        String name = et.name() == null ? "" : et.name();
        int id;
        if (et.underlying() == null) {
            id = addEnum(name, 4, false, Map.of());
        } else {
            boolean signed = false;
            for (long v : et.constants().values()) {
                signed |= v < 0;
            }
            id = addEnum(name, (int) et.size(), signed, et.constants());
        }
        byIdentity.put(et, id);
        return id;
    }

    private int encodeRecord(RecordType rt) {
        String name = rt.name() == null ? "" : rt.name();
        Layout layout = rt.layout();
        if (layout == null || rt.isPartial()) {
            int id = addFwd(name, rt.isUnion());
            byIdentity.put(rt, id);
            return id;
        }
        // Reserve the id first: a member may point back at this record.
        int id = reserve();
        byIdentity.put(rt, id);
        List<BtfMember> members = new ArrayList<>();
        for (Layout.Member m : layout.members()) {
            if (m.name() == null && m.isBitField()) {
                continue; // clang describes no unnamed bit-field: its bits are padding
            }
            int memberType = encodeMember(rt, m);
            members.add(new BtfMember(m.name() == null ? "" : m.name(), memberType, m.bitOffset(),
                    m.isBitField() ? m.bitWidth() : 0));
        }
        setRecord(id, rt.isUnion() ? BtfKind.UNION : BtfKind.STRUCT, name, layout.size(), members);
        if (!name.isEmpty()) {
            named.putIfAbsent((rt.isUnion() ? "union " : "struct ") + name, id);
        }
        return id;
    }

    /** A member's type; a pointer member with type tags gets its own PTR -> TYPE_TAG... -> target chain. */
    private int encodeMember(RecordType owner, Layout.Member m) {
        if (m.type() instanceof CType.PointerType pt) {
            List<String> tags = pointerTags.tags(owner, m);
            if (!tags.isEmpty()) {
                int target = encode(pt.target());
                // clang puts the tag written last nearest to the pointer
                for (String tag : tags) {
                    target = addTypeTag(tag, target);
                }
                return addPtr(target);
            }
        }
        return encode(m.type());
    }

    private int arrayIndexType() {
        if (arrayIndexType == 0) {
            arrayIndexType = addInt("__ARRAY_SIZE_TYPE__", 4, 0);
        }
        return arrayIndexType;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Types one by one

    /** INT with {@code size * 8} bits at offset 0; {@code encoding} is a mix of INT_SIGNED, INT_CHAR, INT_BOOL. */
    public int addInt(String name, int size, int encoding) {
        int id = add(name, BtfKind.INT, false, 0, size, (encoding & 0xF) << 24 | size * 8);
        named.putIfAbsent(name, id);
        return id;
    }

    public int addFloat(String name, int size) {
        int id = add(name, BtfKind.FLOAT, false, 0, size);
        named.putIfAbsent(name, id);
        return id;
    }

    public int addPtr(int target) {
        return add("", BtfKind.PTR, false, 0, target);
    }

    public int addConst(int target) {
        return add("", BtfKind.CONST, false, 0, target);
    }

    public int addVolatile(int target) {
        return add("", BtfKind.VOLATILE, false, 0, target);
    }

    public int addRestrict(int target) {
        return add("", BtfKind.RESTRICT, false, 0, target);
    }

    /** {@code __attribute__((btf_type_tag(value)))} on {@code target}: {@code kptr}, {@code percpu_kptr}, ... */
    public int addTypeTag(String value, int target) {
        return add(value, BtfKind.TYPE_TAG, false, 0, target);
    }

    /** {@code btf_decl_tag(value)} on {@code target}, on its member/parameter {@code componentIdx} or -1 for itself. */
    public int addDeclTag(String value, int target, int componentIdx) {
        return add(value, BtfKind.DECL_TAG, false, 0, target, componentIdx);
    }

    public int addTypedef(String name, int target) {
        int id = add(name, BtfKind.TYPEDEF, false, 0, target);
        named.putIfAbsent(name, id);
        return id;
    }

    public int addArray(int elemType, int indexType, long nelems) {
        return add("", BtfKind.ARRAY, false, 0, 0, elemType, indexType, (int) nelems);
    }

    /** A forward declaration of a struct ({@code union == false}) or union. */
    public int addFwd(String name, boolean union) {
        return add(name, BtfKind.FWD, union, 0, 0);
    }

    public int addStruct(String name, long size, List<BtfMember> members) {
        int id = reserve();
        setRecord(id, BtfKind.STRUCT, name, size, members);
        if (!name.isEmpty()) {
            named.putIfAbsent("struct " + name, id);
        }
        return id;
    }

    public int addUnion(String name, long size, List<BtfMember> members) {
        int id = reserve();
        setRecord(id, BtfKind.UNION, name, size, members);
        if (!name.isEmpty()) {
            named.putIfAbsent("union " + name, id);
        }
        return id;
    }

    /** ENUM (size 1, 2 or 4; {@code kind_flag} = signed) or ENUM64 (size 8). */
    public int addEnum(String name, int size, boolean signed, Map<String, Long> values) {
        boolean wide = size == 8;
        int[] extra = new int[values.size() * (wide ? 3 : 2)];
        int i = 0;
        for (Map.Entry<String, Long> e : values.entrySet()) {
            extra[i++] = string(e.getKey());
            long v = e.getValue();
            extra[i++] = (int) v;
            if (wide) {
                extra[i++] = (int) (v >>> 32);
            }
        }
        int id = addWords(name, wide ? BtfKind.ENUM64 : BtfKind.ENUM, signed, values.size(), size, extra);
        if (!name.isEmpty()) {
            named.putIfAbsent("enum " + name, id);
        }
        return id;
    }

    /** FUNC_PROTO returning {@code returnType} (0 = void); a variadic list ends with an empty parameter. */
    public int addFuncProto(int returnType, List<BtfParam> params, boolean variadic) {
        int n = params.size() + (variadic ? 1 : 0);
        int[] extra = new int[n * 2];
        int i = 0;
        for (BtfParam p : params) {
            extra[i++] = string(p.name());
            extra[i++] = p.type();
        }
        return addWords("", BtfKind.FUNC_PROTO, false, n, returnType, extra);
    }

    /** FUNC {@code name} of prototype {@code proto} with {@code linkage} (LINKAGE_STATIC, _GLOBAL, _EXTERN). */
    public int addFunc(String name, int proto, int linkage) {
        return add(name, BtfKind.FUNC, false, linkage, proto);
    }

    public int addVar(String name, int type, int linkage) {
        return add(name, BtfKind.VAR, false, 0, type, linkage);
    }

    public int addDatasec(String name, long size, List<BtfVarSecinfo> vars) {
        int[] extra = new int[vars.size() * 3];
        int i = 0;
        for (BtfVarSecinfo v : vars) {
            extra[i++] = v.type();
            extra[i++] = (int) v.offset();
            extra[i++] = (int) v.size();
        }
        return addWords(name, BtfKind.DATASEC, false, vars.size(), (int) size, extra);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Results

    /** The id of every named type emitted, by C spelling ({@code struct val}, {@code union u}, {@code enum e}, {@code __u32}, {@code unsigned int}). */
    public Map<String, Integer> namedTypeIds() {
        return Collections.unmodifiableMap(named);
    }

    /** The id of a named type by its C spelling, or 0 when none was emitted. */
    public int typeId(String spelling) {
        return named.getOrDefault(spelling, 0);
    }

    /** Types emitted so far (the highest id). */
    public int typeCount() {
        return types.size();
    }

    /** The BTF blob: a 24-byte header, the type section, then the string section. */
    public byte[] toBytes() {
        int typeLen = 0;
        for (int[] t : types) {
            if (t == null) {
                throw new IllegalStateException("a reserved type id was never filled");
            }
            typeLen += t.length * 4;
        }
        byte[] str = strings.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(HEADER_LEN + typeLen + str.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) BTF_MAGIC).put((byte) 1).put((byte) 0).putInt(HEADER_LEN);
        b.putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
        for (int[] t : types) {
            for (int w : t) {
                b.putInt(w);
            }
        }
        b.put(str);
        return b.array();
    }

    // ---------------------------------------------------------------------------------------------------------

    private int reserve() {
        types.add(null);
        return types.size();
    }

    private void setRecord(int id, BtfKind kind, String name, long size, List<BtfMember> members) {
        boolean kflag = false;
        for (BtfMember m : members) {
            kflag |= m.isBitField();
        }
        int[] words = new int[3 + members.size() * 3];
        words[0] = string(name);
        words[1] = info(kind, kflag, members.size());
        words[2] = (int) size;
        int i = 3;
        for (BtfMember m : members) {
            if (m.bitfieldSize() > 255 || m.bitOffset() > 0xFFFFFF && kflag) {
                throw new IllegalArgumentException("member " + m.name() + " of " + name + " cannot be described in BTF");
            }
            words[i++] = string(m.name());
            words[i++] = m.type();
            words[i++] = kflag ? m.bitfieldSize() << 24 | (int) m.bitOffset() : (int) m.bitOffset();
        }
        types.set(id - 1, words);
    }

    private int add(String name, BtfKind kind, boolean kflag, int vlen, int sizeOrType, int... extra) {
        return addWords(name, kind, kflag, vlen, sizeOrType, extra);
    }

    private int addWords(String name, BtfKind kind, boolean kflag, int vlen, int sizeOrType, int[] extra) {
        int[] words = new int[3 + extra.length];
        words[0] = string(name);
        words[1] = info(kind, kflag, vlen);
        words[2] = sizeOrType;
        System.arraycopy(extra, 0, words, 3, extra.length);
        types.add(words);
        return types.size();
    }

    private static int info(BtfKind kind, boolean kflag, int vlen) {
        return (kflag ? 1 << 31 : 0) | kind.number() << 24 | (vlen & 0xFFFF);
    }

    private int string(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        Integer off = stringOffsets.get(s);
        if (off != null) {
            return off;
        }
        int at = strings.size();
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        strings.write(bytes, 0, bytes.length);
        strings.write(0);
        stringOffsets.put(s, at);
        return at;
    }
}
