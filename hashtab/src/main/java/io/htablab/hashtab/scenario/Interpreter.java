package io.htablab.hashtab.scenario;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.btf.MapBtfs;
import io.htablab.hashtab.htab.BatchResult;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.fields.FieldRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import io.htablab.hashtab.htab.KeyResult;
import io.htablab.hashtab.htab.ValueResult;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;
import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.MapFlag;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs scenario statements on a {@link Backend} and produces the scenario format's output lines.
 * All formatting lives here, so the engine and the kernel print through the same code.
 */
public final class Interpreter implements AutoCloseable {

    /** Stops {@code dump} on a map whose next_key never ends (it cannot on a correct map). */
    private static final int DUMP_LIMIT = 1 << 24;

    private final Backend backend;
    private final Map<String, Backend.MapHandle> maps = new HashMap<>();
    private final Map<String, Backend.Reader> readers = new HashMap<>();
    /** Every map created so far, also those a later create replaced: a map of maps may still hold them. */
    private final List<Named> created = new ArrayList<>();
    private final Map<String, Integer> generations = new HashMap<>();

    /** A created map, its scenario name and which create of that name it was (1 = the first). */
    private record Named(String name, int generation, Backend.MapHandle handle) {
    }

    /** Callback actions by name (timer/wq extension). */
    private final Map<String, Statement.Action> actions = new HashMap<>();
    /** Maps whose descriptor a {@code close} statement closed: syscall statements on them print EBADF. */
    private final java.util.Set<String> closed = new java.util.HashSet<>();
    /** The scenario's C translation unit (ctype, cinclude). */
    private final ScenarioTypes types = new ScenarioTypes();
    /** Maps created with BTF: their key and value C types, for keys and values written field by field. */
    private final Map<String, TypedMap> typed = new HashMap<>();

    private record TypedMap(CType key, CType value, FieldRecord record) {
    }

    public Interpreter(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** The map currently bound to {@code name}, or null. */
    public Backend.MapHandle map(String name) {
        return maps.get(name);
    }

    /**
     * Binds {@code name} to a map created outside a statement (tests that build a BTF-typed map by hand); a map
     * bound to the name before is released.
     */
    public void adopt(String name, Backend.MapHandle map) {
        Backend.MapHandle old = maps.put(name, map);
        if (old != null && old != map) {
            backend.close(old);
        }
        closed.remove(name);
    }

    /** Names of the maps currently defined. */
    public java.util.Set<String> mapNames() {
        return java.util.Collections.unmodifiableSet(maps.keySet());
    }

    /**
     * The C type named {@code spelling} ({@code struct val}, {@code __u32}) in the scenario's translation unit (its
     * {@code ctype}/{@code cinclude} statements so far), as {@code btf_key=}/{@code btf_value=} resolve it. Read-only:
     * the visualizer uses it to show keys and values field by field.
     */
    public CType cType(String spelling) throws ScenarioException {
        return types.resolve(spelling);
    }

    /**
     * Runs a whole script: one output line per statement (several for {@code dump}); a line that
     * cannot be parsed or is refused prints {@code error EINVAL} and {@code where: reason} on {@code err}.
     *
     * @throws CpusMismatchException when the backend cannot run the scenario at all
     */
    public void run(List<ScriptLine> script, String fileName, Consumer<String> out, Consumer<String> err)
            throws CpusMismatchException {
        try {
            Path p = Path.of(fileName);
            if (Files.isRegularFile(p)) {
                types.setBaseDirectory(p.toAbsolutePath().getParent());
            }
        } catch (RuntimeException notAPath) {
            // "-" or a label: cinclude paths are relative to the working directory
        }
        for (ScriptLine line : script) {
            String where = fileName + ":" + line.lineNumber();
            if (!line.isValid()) {
                err.accept(where + ": " + line.error());
                out.accept("error EINVAL");
                continue;
            }
            try {
                execute(line.statement(), out);
            } catch (ScenarioException e) {
                err.accept(where + ": " + e.getMessage());
                out.accept("error EINVAL");
            } catch (CpusMismatchException e) {
                throw new CpusMismatchException(where + ": " + e.getMessage());
            }
        }
    }

    /** Runs one statement and returns its output lines (the console's entry point). */
    public List<String> execute(Statement statement) throws ScenarioException, CpusMismatchException {
        List<String> lines = new ArrayList<>();
        execute(statement, lines::add);
        return lines;
    }

    /** Directories {@code cinclude} searches after the scenario's own directory. */
    public void setIncludePaths(List<Path> paths) {
        types.setIncludePaths(paths);
    }

    /** Runs one statement, writing its output lines to {@code out}. */
    public void execute(Statement statement, Consumer<String> out) throws ScenarioException, CpusMismatchException {
        if (TimerLines.isTimerStatement(statement)) {
            timers.execute(statement, out);
            return;
        }
        String badFd = closedFdLine(statement);
        if (badFd != null) {
            out.accept(badFd);
            return;
        }
        if (statement instanceof Statement.Cpus s) {
            backend.setPossibleCpus(s.count());
            out.accept("ok");
        } else if (statement instanceof Statement.Cpu s) {
            if (s.cpu() >= backend.possibleCpus()) {
                throw new ScenarioException("cpu " + s.cpu() + " is not a possible CPU (0.."
                        + (backend.possibleCpus() - 1) + ")");
            }
            out.accept(result(backend.selectCpu((int) s.cpu())));
        } else if (statement instanceof Statement.Create s) {
            HtabAttr attr = s.attr();
            if (s.innerMap() != null) {
                // inner=I: I's descriptor is the inner_map_fd (resolved before the old map of this name goes)
                attr = attr.withInnerMapFd(backend.descriptor(get(s.innerMap())));
            }
            Backend.MapHandle old = maps.remove(s.map());
            typed.remove(s.map());
            if (old != null) {
                backend.close(old);
            }
            closed.remove(s.map());
            Backend.Created made;
            TypedMap t = null;
            if (s.hasBtf()) {
                CType kt = s.btfKey() == null ? null : types.resolve(s.btfKey());
                CType vt = s.btfValue() == null ? null : types.resolve(s.btfValue());
                if (!s.keyGiven() && kt == null || !s.valueGiven() && vt == null) {
                    throw new ScenarioException("create: " + (kt == null ? "key=" : "value=") + " is needed without btf_"
                            + (kt == null ? "key=" : "value="));
                }
                MapBtfs.Encoded btf = MapBtfs.encode(kt, vt, types.pointerTags());
                HtabAttr a = attr;
                a = new HtabAttr(a.type(), s.keyGiven() ? a.keySize() : kt.size(), s.valueGiven() ? a.valueSize() : vt.size(),
                        a.maxEntries(), a.mapFlags(), a.numaNode(), btf.mapBtf()).withInnerMapFd(attr.innerMapFd());
                made = backend.create(s.map(), a, btf);
                t = new TypedMap(kt, vt, btf.mapBtf().record());
            } else {
                made = backend.create(s.map(), attr);
            }
            if (made.errno().isOk()) {
                maps.put(s.map(), made.map());
                int generation = generations.merge(s.map(), 1, Integer::sum);
                created.add(new Named(s.map(), generation, made.map()));
                if (t != null) {
                    typed.put(s.map(), t);
                }
            }
            out.accept(result(made.errno()));
        } else if (statement instanceof Statement.Ctype s) {
            types.addCode(s.code());
            out.accept("ok");
        } else if (statement instanceof Statement.Cinclude s) {
            types.include(s.path());
            out.accept("ok");
        } else if (statement instanceof Statement.Update s) {
            Backend.MapHandle m = get(s.map());
            out.accept(result(backend.update(m, key(s.map(), m, s.keySource(), s.key()), userValue(m, s.map(), s.value()), s.flags())));
        } else if (statement instanceof Statement.Lookup s) {
            Backend.MapHandle m = get(s.map());
            out.accept(valueLine(m, backend.lookup(m, key(s.map(), m, s.keySource(), s.key()), s.flags())));
        } else if (statement instanceof Statement.Delete s) {
            Backend.MapHandle m = get(s.map());
            out.accept(result(backend.delete(m, key(s.map(), m, s.keySource(), s.key()))));
        } else if (statement instanceof Statement.LookupAndDelete s) {
            Backend.MapHandle m = get(s.map());
            out.accept(valueLine(m, backend.lookupAndDelete(m, key(s.map(), m, s.keySource(), s.key()), s.flags())));
        } else if (statement instanceof Statement.NextKey s) {
            Backend.MapHandle m = get(s.map());
            byte[] k = s.keySource() == null ? null : key(s.map(), m, s.keySource(), s.key());
            KeyResult r = backend.getNextKey(m, k);
            out.accept(r.errno().isOk() ? "key " + Bytes.hex(r.key()) : result(r.errno()));
        } else if (statement instanceof Statement.ProgLookup s) {
            Backend.MapHandle m = get(s.map());
            ValueResult r = backend.progLookup(m, key(s.map(), m, s.keySource(), s.key()));
            out.accept(r.errno().isOk() ? "value " + formatProgramValue(m, r.value()) : result(r.errno()));
        } else if (statement instanceof Statement.ProgLookupInner s) {
            Backend.MapHandle m = get(s.map());
            if (!m.type().isMapInMap()) {
                throw new ScenarioException("prog_lookup ... inner=: map " + s.map() + " is not a hash_of_maps map");
            }
            byte[] k = key(s.map(), m, s.keySource(), s.key());
            ValueResult r = backend.progLookupInner(m, k, s.innerKey());
            out.accept(r.errno().isOk() ? "value " + Bytes.hex(r.value()) : result(r.errno()));
        } else if (statement instanceof Statement.Profile s) {
            if (!created.isEmpty()) {
                throw new ScenarioException("profile must come before the first create");
            }
            backend.setProfile(KernelProfile.fromScenarioName(s.profile()));
            out.accept("ok");
        } else if (statement instanceof Statement.Nested s) {
            nested(s, out);
        } else if (statement instanceof Statement.Inject s) {
            Errno e = Errno.valueOf(s.errno());
            backend.injectLockFailure(get(s.map()), s.lock(), s.nth(), e);
            out.accept("ok");
        } else if (statement instanceof Statement.ProgUpdate s) {
            Backend.MapHandle m = get(s.map());
            byte[] k = key(s.map(), m, s.keySource(), s.key());
            out.accept(result(backend.progUpdate(m, k, programValue(m, s.map(), s.value()), s.flags())));
        } else if (statement instanceof Statement.ProgDelete s) {
            Backend.MapHandle m = get(s.map());
            out.accept(result(backend.progDelete(m, key(s.map(), m, s.keySource(), s.key()))));
        } else if (statement instanceof Statement.LookupBatch s) {
            Backend.MapHandle m = get(s.map());
            out.accept(batchLine(m, backend.lookupBatch(m, s.andDelete(), s.cursor(), s.count(), s.elemFlags())));
        } else if (statement instanceof Statement.UpdateBatch s) {
            Backend.MapHandle m = get(s.map());
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (Statement.KeyValueText item : s.items()) {
                keys.add(key(s.map(), m, item.keySource(), item.key()));
                values.add(userValue(m, s.map(), item.value()));
            }
            out.accept(batchLine(m, backend.updateBatch(m, keys, values, s.elemFlags())));
        } else if (statement instanceof Statement.DeleteBatch s) {
            Backend.MapHandle m = get(s.map());
            List<byte[]> keys = new ArrayList<>();
            for (Statement.KeyText k : s.keys()) {
                keys.add(key(s.map(), m, k.source(), k.key()));
            }
            out.accept(batchLine(m, backend.deleteBatch(m, keys, 0)));
        } else if (statement instanceof Statement.Dump s) {
            dump(get(s.map()), out);
        } else if (statement instanceof Statement.Info s) {
            Backend.InfoReply r = backend.info(get(s.map()));
            out.accept(r.errno().isOk()
                    ? "info type=" + r.type().scenarioName() + " key=" + r.keySize() + " value=" + r.valueSize()
                            + " max=" + r.maxEntries() + " flags=" + describeFlags(r.mapFlags())
                    : result(r.errno()));
        } else if (statement instanceof Statement.ReaderBegin s) {
            Backend.MapHandle m = get(s.map());
            readers.put(s.reader(), backend.beginReader(m, key(s.map(), m, s.keySource(), s.key())));
            out.accept("ok");
        } else if (statement instanceof Statement.ReaderStep s) {
            Backend.Reader r = readers.get(s.reader());
            if (r == null) {
                throw new ScenarioException("no reader named '" + s.reader() + "' (start one with: reader R M KEY)");
            }
            for (int i = 0; i < s.steps(); i++) {
                out.accept(r.step());
            }
        } else {
            throw new IllegalStateException("statement without an interpretation: " + statement.keyword());
        }
    }

    /**
     * {@code nested}: arm the program, run the outer statement (its one line captured), detach the program if it never
     * ran, print both results on one line.
     */
    private void nested(Statement.Nested s, Consumer<String> out) throws ScenarioException, CpusMismatchException {
        Backend.NestedCall call = nestedCall(s.inner());
        Backend.NestedRun run = backend.armNested(s.attachPoint(), call);
        List<String> outer = new ArrayList<>();
        try {
            execute(s.outer(), outer::add);
        } finally {
            run.disarm();
        }
        ValueResult r = run.result();
        String inner;
        if (r == null) {
            inner = "-";
        } else if (!r.errno().isOk()) {
            inner = result(r.errno());
        } else if (r.value() == null) {
            inner = "ok";
        } else {
            inner = "value " + formatProgramValue(call.map(), r.value());
        }
        out.accept(String.join(" ", outer) + " nested " + inner);
    }

    private Backend.NestedCall nestedCall(Statement inner) throws ScenarioException {
        if (inner instanceof Statement.ProgUpdate u) {
            Backend.MapHandle m = get(u.map());
            return new Backend.NestedCall("prog_update", m, key(u.map(), m, u.keySource(), u.key()),
                    programValue(m, u.map(), u.value()), u.flags());
        } else if (inner instanceof Statement.ProgDelete d) {
            Backend.MapHandle m = get(d.map());
            return new Backend.NestedCall("prog_delete", m, key(d.map(), m, d.keySource(), d.key()), null, 0);
        } else if (inner instanceof Statement.ProgLookup l) {
            Backend.MapHandle m = get(l.map());
            return new Backend.NestedCall("prog_lookup", m, key(l.map(), m, l.keySource(), l.key()), null, 0);
        }
        throw new ScenarioException("nested: the program must be prog_update, prog_delete or prog_lookup");
    }

    /** A program's view of a value: value_size bytes, or for a map of maps the inner map it points to. */
    private String formatProgramValue(Backend.MapHandle m, byte[] raw) {
        if (m.type().isMapInMap()) {
            return mapLabel(raw);
        }
        return Bytes.hex(raw, 0, m.valueSize());
    }

    /**
     * A map of maps' value as printed: {@code map:NAME} for the scenario map whose id it is, {@code map:NAME@G} for
     * the G-th map of that name when a later create has replaced it (the outer map still holds it), or
     * {@code map:#ID} for an id the scenario never created.
     */
    private String mapLabel(byte[] idBytes) {
        int id = (idBytes[0] & 0xFF) | (idBytes[1] & 0xFF) << 8 | (idBytes[2] & 0xFF) << 16 | (idBytes[3] & 0xFF) << 24;
        for (int i = created.size() - 1; i >= 0; i--) {
            Named n = created.get(i);
            if (n.handle().id() == id) {
                boolean current = maps.get(n.name()) == n.handle();
                return Statement.MAP_VALUE_PREFIX + n.name() + (current ? "" : "@" + n.generation());
            }
        }
        return Statement.MAP_VALUE_PREFIX + "#" + Integer.toUnsignedString(id);
    }

    private final TimerLines timers = new TimerLines(this);

    Map<String, Statement.Action> actions() {
        return actions;
    }

    java.util.Set<String> closedMaps() {
        return closed;
    }

    /**
     * The line a syscall statement prints on a map whose descriptor was closed (the kernel's EBADF, before it
     * reads anything else of the attr), or null when the statement may run.
     */
    private String closedFdLine(Statement st) {
        String map = null;
        long requested = -1;
        if (st instanceof Statement.Update s) {
            map = s.map();
        } else if (st instanceof Statement.Lookup s) {
            map = s.map();
        } else if (st instanceof Statement.Delete s) {
            map = s.map();
        } else if (st instanceof Statement.LookupAndDelete s) {
            map = s.map();
        } else if (st instanceof Statement.NextKey s) {
            map = s.map();
        } else if (st instanceof Statement.Dump s) {
            map = s.map();
        } else if (st instanceof Statement.Info s) {
            map = s.map();
        } else if (st instanceof Statement.LookupBatch s) {
            map = s.map();
            requested = s.count();
        } else if (st instanceof Statement.UpdateBatch s) {
            map = s.map();
            requested = s.items().size();
        } else if (st instanceof Statement.DeleteBatch s) {
            map = s.map();
            requested = s.keys().size();
        }
        if (map == null || !closed.contains(map) || !maps.containsKey(map)) {
            return null;
        }
        return requested >= 0 ? "batch count=" + requested + " error EBADF" : "error EBADF";
    }

    private void dump(Backend.MapHandle m, Consumer<String> out) throws ScenarioException {
        byte[] k = null;
        int n = 0;
        while (true) {
            KeyResult next = backend.getNextKey(m, k);
            if (next.errno() == Errno.ENOENT) {
                break;
            }
            if (!next.errno().isOk()) {
                out.accept(result(next.errno()));
                return;
            }
            k = next.key();
            ValueResult v = backend.lookup(m, k, 0);
            if (!v.errno().isOk()) {
                out.accept(result(v.errno()));
                return;
            }
            out.accept("entry " + Bytes.hex(k) + " " + formatUserValue(m, v.value()));
            if (++n > DUMP_LIMIT) {
                throw new ScenarioException("dump: next_key does not end");
            }
        }
        out.accept("end " + n);
    }

    private String batchLine(Backend.MapHandle m, BatchResult r) {
        StringBuilder sb = new StringBuilder("batch count=").append(r.count());
        if (r.outBatch() != null) {
            sb.append(" out=").append(Bytes.hex(r.outBatch()));
            int n = r.keys().size();
            if (n > 0) {
                sb.append(" keys=");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ",").append(Bytes.hex(r.keys().get(i)));
                }
                sb.append(" values=");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ",").append(formatUserValue(m, r.values().get(i)));
                }
            }
        }
        if (!r.errno().isOk()) {
            sb.append(" error ").append(r.errno().name());
        }
        return sb.toString();
    }

    private String valueLine(Backend.MapHandle m, ValueResult r) {
        return r.errno().isOk() ? "value " + formatUserValue(m, r.value()) : result(r.errno());
    }

    /** A user-space value as printed: per-CPU slots joined with '|', the 8-byte slot padding hidden. */
    public String formatUserValue(Backend.MapHandle m, byte[] raw) {
        if (m.type().isMapInMap()) {
            return mapLabel(raw);
        }
        if (!m.type().isPercpu()) {
            return Bytes.hex(raw, 0, m.valueSize());
        }
        int slot = round8(m.valueSize());
        StringBuilder sb = new StringBuilder();
        for (int cpu = 0; cpu < backend.possibleCpus(); cpu++) {
            if (cpu > 0) {
                sb.append('|');
            }
            sb.append(Bytes.hex(raw, cpu * slot, cpu * slot + m.valueSize()));
        }
        return sb.toString();
    }

    static String result(Errno e) {
        return e.isOk() ? "ok" : "error " + e.name();
    }

    private static String describeFlags(int flags) {
        String known = MapFlag.describe(flags);
        int rest = flags;
        for (MapFlag f : MapFlag.values()) {
            rest &= ~f.bit();
        }
        if (rest == 0) {
            return known;
        }
        String extra = "0x" + Integer.toHexString(rest);
        return known.equals("-") ? extra : known + "," + extra;
    }

    Backend.MapHandle get(String name) throws ScenarioException {
        Backend.MapHandle m = maps.get(name);
        if (m == null) {
            throw new ScenarioException("no map named '" + name + "' (never created, or its create failed)");
        }
        return m;
    }

    byte[] key(String name, Backend.MapHandle m, String source, byte[] key) throws ScenarioException {
        if (key == null) {
            TypedMap t = typed.get(name);
            if (t == null || t.key() == null) {
                throw new ScenarioException("key '" + source + "' is written field by field, but map " + name
                        + " has no BTF key type (create it with btf_key=TYPE, or write the key as bytes)");
            }
            key = FieldValues.encode(t.key(), source, FieldRecord.EMPTY);
        }
        if (key.length != m.keySize()) {
            throw new ScenarioException("key '" + source + "' has " + key.length + " bytes, map " + name
                    + " has key_size " + m.keySize());
        }
        return key;
    }

    /** Builds the syscall buffer: the value, or for per-CPU maps one zero-padded slot per possible CPU. */
    /** The value's parts with field-by-field ones encoded by the map's BTF value type. */
    private Statement.ValueText encoded(String name, Statement.ValueText value) throws ScenarioException {
        if (value.texts() == null) {
            return value;
        }
        TypedMap t = typed.get(name);
        if (t == null || t.value() == null) {
            throw new ScenarioException("value '" + value.source() + "' is written field by field, but map " + name
                    + " has no BTF value type (create it with btf_value=TYPE, or write the value as bytes)");
        }
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < value.parts().size(); i++) {
            byte[] p = value.parts().get(i);
            parts.add(p != null ? p : FieldValues.encode(t.value(), value.texts().get(i), t.record()));
        }
        return new Statement.ValueText(value.source(), parts);
    }

    private byte[] userValue(Backend.MapHandle m, String name, Statement.ValueText value) throws ScenarioException {
        if (m.type().isMapInMap() || Statement.isMapValue(value)) {
            return mapValue(m, name, value);
        }
        value = encoded(name, value);
        for (byte[] part : value.parts()) {
            checkValueLength(m, name, value.source(), part);
        }
        if (!m.type().isPercpu()) {
            if (value.parts().size() != 1) {
                throw new ScenarioException("'|' in a value of non-per-CPU map " + name);
            }
            return value.parts().get(0);
        }
        int cpus = backend.possibleCpus();
        List<byte[]> parts = value.parts();
        if (parts.size() != 1 && parts.size() != cpus) {
            throw new ScenarioException(parts.size() + " per-CPU values given, there are " + cpus + " possible CPUs");
        }
        int slot = round8(m.valueSize());
        byte[] buffer = new byte[cpus * slot];
        for (int cpu = 0; cpu < cpus; cpu++) {
            byte[] part = parts.size() == 1 ? parts.get(0) : parts.get(cpu);
            System.arraycopy(part, 0, buffer, cpu * slot, part.length);
        }
        return buffer;
    }

    byte[] programValue(Backend.MapHandle m, String name, Statement.ValueText value) throws ScenarioException {
        if (m.type().isMapInMap() || Statement.isMapValue(value)) {
            return mapValue(m, name, value);
        }
        value = encoded(name, value);
        if (value.parts().size() != 1) {
            throw new ScenarioException("a program writes one value; no '|' allowed");
        }
        byte[] v = value.parts().get(0);
        checkValueLength(m, name, value.source(), v);
        return v;
    }

    private static void checkValueLength(Backend.MapHandle m, String name, String source, byte[] v) throws ScenarioException {
        if (v.length != m.valueSize()) {
            throw new ScenarioException("value '" + source + "' has " + v.length + " bytes, map " + name
                    + " has value_size " + m.valueSize());
        }
    }

    static int round8(int n) {
        return (n + 7) & ~7;
    }

    /**
     * The value of a map of maps' update: {@code map:NAME} gives NAME's descriptor (4 bytes, little-endian). Raw bytes
     * are refused (a descriptor number means nothing across runs), and so is {@code map:} for other map types.
     */
    private byte[] mapValue(Backend.MapHandle m, String name, Statement.ValueText value) throws ScenarioException {
        if (!m.type().isMapInMap()) {
            throw new ScenarioException("value '" + value.source() + "': map:NAME values are for hash_of_maps maps, and "
                    + name + " is " + m.type().scenarioName());
        }
        if (!Statement.isMapValue(value)) {
            throw new ScenarioException("value '" + value.source() + "': the values of hash_of_maps map " + name
                    + " are inner maps, written map:NAME");
        }
        int fd = backend.descriptor(get(Statement.mapValueName(value)));
        return new byte[] {(byte) fd, (byte) (fd >>> 8), (byte) (fd >>> 16), (byte) (fd >>> 24)};
    }

    /** Closes every map, then the backend. */
    @Override
    public void close() {
        for (Backend.MapHandle m : maps.values()) {
            backend.close(m);
        }
        maps.clear();
        backend.close();
    }
}
