package io.htablab.hashtab.cfront.btf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a BTF blob: a program's (what {@link BtfEncoder} or clang wrote) or the kernel's
 * ({@code /sys/kernel/btf/vmlinux}, about 5 MB and 150,000 types). The blob is scanned once for the start of every
 * type; a type is decoded when asked for, and names are indexed on the first look-up by name, so reading vmlinux
 * once and finding a few kfuncs stays well under a second. Instances are immutable after the index is built and
 * safe to share once {@link #findByName} has been called.
 */
public final class BtfReader {

    /** Where the kernel publishes its own BTF. */
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    private final ByteBuffer buf;
    private final int typeStart;
    private final int strStart;
    private final int strLen;
    /** Byte offset (in {@link #buf}) of type id i at index i; index 0 unused. */
    private final int[] offsets;
    private Map<String, int[]> nameIndex;

    private BtfReader(ByteBuffer buf, int typeStart, int strStart, int strLen, int[] offsets) {
        this.buf = buf;
        this.typeStart = typeStart;
        this.strStart = strStart;
        this.strLen = strLen;
        this.offsets = offsets;
    }

    /** Reads the kernel's BTF. */
    public static BtfReader vmlinux() throws IOException {
        return read(VMLINUX);
    }

    public static BtfReader read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    /**
     * Parses {@code blob}.
     *
     * @throws BtfFormatException when the header or a section does not fit the blob or a type is truncated
     */
    public static BtfReader parse(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (blob.length < BtfEncoder.HEADER_LEN || (b.getShort(0) & 0xFFFF) != BtfEncoder.BTF_MAGIC) {
            throw new BtfFormatException("not BTF: bad magic or shorter than the header");
        }
        int hdrLen = b.getInt(4);
        long typeOff = b.getInt(8) & 0xFFFFFFFFL;
        long typeLen = b.getInt(12) & 0xFFFFFFFFL;
        long strOff = b.getInt(16) & 0xFFFFFFFFL;
        long strLen = b.getInt(20) & 0xFFFFFFFFL;
        if (hdrLen < BtfEncoder.HEADER_LEN || hdrLen + typeOff + typeLen > blob.length || hdrLen + strOff + strLen > blob.length) {
            throw new BtfFormatException("BTF sections lie outside the blob");
        }
        int typeStart = (int) (hdrLen + typeOff);
        int typeEnd = (int) (typeStart + typeLen);
        int[] offsets = new int[1024];
        int n = 0;
        int p = typeStart;
        while (p < typeEnd) {
            if (p + 12 > typeEnd) {
                throw new BtfFormatException("type " + (n + 1) + " is truncated");
            }
            if (++n == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[n] = p;
            int info = b.getInt(p + 4);
            BtfKind kind = BtfKind.of(info >>> 24 & 0x1F);
            if (kind == null) {
                throw new BtfFormatException("type " + n + " has unknown kind " + (info >>> 24 & 0x1F));
            }
            p += 12 + 4 * extraWords(kind, info & 0xFFFF);
        }
        if (p != typeEnd) {
            throw new BtfFormatException("type section ends inside a type");
        }
        return new BtfReader(b, typeStart, (int) (hdrLen + strOff), (int) strLen, Arrays.copyOf(offsets, n + 1));
    }

    private static int extraWords(BtfKind kind, int vlen) {
        return switch (kind) {
            case INT, VAR, DECL_TAG -> 1;
            case ARRAY -> 3;
            case STRUCT, UNION, DATASEC, ENUM64 -> 3 * vlen;
            case ENUM, FUNC_PROTO -> 2 * vlen;
            default -> 0;
        };
    }

    /** The highest type id (ids run 1..typeCount; 0 is void). */
    public int typeCount() {
        return offsets.length - 1;
    }

    public boolean isValidId(int id) {
        return id >= 1 && id < offsets.length;
    }

    /** The kind of type {@code id} (UNKN for 0, the void type). */
    public BtfKind kind(int id) {
        if (id == 0) {
            return BtfKind.UNKN;
        }
        checkId(id);
        return BtfKind.of(buf.getInt(offsets[id] + 4) >>> 24 & 0x1F);
    }

    /** The name of type {@code id}, "" when anonymous or void. */
    public String name(int id) {
        if (id == 0) {
            return "";
        }
        checkId(id);
        return string(buf.getInt(offsets[id]));
    }

    /** Type {@code id}, decoded. */
    public BtfType type(int id) {
        checkId(id);
        int p = offsets[id];
        int info = buf.getInt(p + 4);
        BtfKind kind = BtfKind.of(info >>> 24 & 0x1F);
        int vlen = info & 0xFFFF;
        int[] data = new int[extraWords(kind, vlen)];
        for (int i = 0; i < data.length; i++) {
            data[i] = buf.getInt(p + 12 + 4 * i);
        }
        List<String> names = new ArrayList<>();
        switch (kind) {
            case STRUCT, UNION, ENUM64 -> {
                for (int i = 0; i < vlen; i++) {
                    names.add(string(data[i * 3]));
                }
            }
            case ENUM, FUNC_PROTO -> {
                for (int i = 0; i < vlen; i++) {
                    names.add(string(data[i * 2]));
                }
            }
            default -> {
            }
        }
        return new BtfType(id, kind, string(buf.getInt(p)), info < 0, vlen, buf.getInt(p + 8), data, List.copyOf(names));
    }

    /** Every type, in id order. */
    public List<BtfType> types() {
        List<BtfType> out = new ArrayList<>(typeCount());
        for (int id = 1; id <= typeCount(); id++) {
            out.add(type(id));
        }
        return out;
    }

    /**
     * The first type named {@code name} of {@code kind} (btf_find_by_name_kind), or -1 when there is none.
     */
    public int findByName(String name, BtfKind kind) {
        int[] ids = index().get(name);
        if (ids != null) {
            for (int id : ids) {
                if (kind(id) == kind) {
                    return id;
                }
            }
        }
        return -1;
    }

    /** Every type named {@code name}, of any kind, in id order. */
    public int[] findAllByName(String name) {
        int[] ids = index().get(name);
        return ids == null ? new int[0] : ids.clone();
    }

    private synchronized Map<String, int[]> index() {
        if (nameIndex == null) {
            Map<String, int[]> m = new HashMap<>(offsets.length * 2);
            for (int id = 1; id < offsets.length; id++) {
                int nameOff = buf.getInt(offsets[id]);
                if (nameOff == 0) {
                    continue;
                }
                String s = string(nameOff);
                int[] prev = m.get(s);
                if (prev == null) {
                    m.put(s, new int[] {id});
                } else {
                    int[] next = Arrays.copyOf(prev, prev.length + 1);
                    next[prev.length] = id;
                    m.put(s, next);
                }
            }
            nameIndex = m;
        }
        return nameIndex;
    }

    /** btf_type_skip_modifiers: follows CONST, VOLATILE, RESTRICT and TYPE_TAG; also TYPEDEF when asked. */
    public int skipModifiers(int id, boolean typedefsToo) {
        for (int depth = 0; depth < 32 && id != 0; depth++) {
            BtfKind k = kind(id);
            if (k.isModifier() || typedefsToo && k == BtfKind.TYPEDEF) {
                id = buf.getInt(offsets[id] + 8);
            } else {
                return id;
            }
        }
        return id;
    }

    /**
     * btf_type_id_size: the size in bytes of type {@code id} after modifiers and typedefs (arrays: elements times
     * count), or -1 when it has none (void, a function, a forward declaration, an invalid id).
     */
    public long typeIdSize(int id) {
        return sizeOf(id, 0);
    }

    private long sizeOf(int id, int depth) {
        if (id == 0 || !isValidId(id) || depth > 32) {
            return -1;
        }
        BtfType t = type(id);
        return switch (t.kind()) {
            case INT, ENUM, ENUM64, STRUCT, UNION, FLOAT, DATASEC -> t.size();
            case PTR -> 8;
            case TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG, VAR -> sizeOf(t.type(), depth + 1);
            case ARRAY -> {
                long e = sizeOf(t.arrayElemType(), depth + 1);
                yield e < 0 ? -1 : e * t.arrayNelems();
            }
            default -> -1;
        };
    }

    /** A C-like description of type {@code id} for messages: {@code struct val}, {@code __u32}, {@code char[16]}, {@code int *}. */
    public String describe(int id) {
        return describe(id, 0);
    }

    private String describe(int id, int depth) {
        if (id == 0) {
            return "void";
        }
        if (!isValidId(id) || depth > 16) {
            return "?";
        }
        BtfType t = type(id);
        String n = t.name().isEmpty() ? "(anon)" : t.name();
        return switch (t.kind()) {
            case STRUCT -> "struct " + n;
            case UNION -> "union " + n;
            case ENUM, ENUM64 -> "enum " + n;
            case FWD -> (t.kindFlag() ? "union " : "struct ") + n;
            case PTR -> describe(t.type(), depth + 1) + " *";
            case CONST -> "const " + describe(t.type(), depth + 1);
            case VOLATILE -> "volatile " + describe(t.type(), depth + 1);
            case RESTRICT -> describe(t.type(), depth + 1) + " restrict";
            case TYPE_TAG -> describe(t.type(), depth + 1) + " __tag(" + t.name() + ")";
            case ARRAY -> describe(t.arrayElemType(), depth + 1) + "[" + t.arrayNelems() + "]";
            case FUNC_PROTO -> "function";
            default -> n;
        };
    }

    private void checkId(int id) {
        if (!isValidId(id)) {
            throw new IndexOutOfBoundsException("BTF type id " + id + " outside 1.." + typeCount());
        }
    }

    private String string(int off) {
        if (off < 0 || off >= strLen) {
            return "";
        }
        int start = strStart + off;
        int end = start;
        int limit = strStart + strLen;
        while (end < limit && buf.get(end) != 0) {
            end++;
        }
        return new String(buf.array(), start, end - start, StandardCharsets.UTF_8);
    }

    int typeSectionStart() {
        return typeStart;
    }
}
