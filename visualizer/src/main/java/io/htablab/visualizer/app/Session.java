package io.htablab.visualizer.app;

import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.ChainWalker;
import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.scenario.Backend;
import io.htablab.hashtab.scenario.CpusMismatchException;
import io.htablab.hashtab.scenario.EngineBackend;
import io.htablab.hashtab.scenario.Interpreter;
import io.htablab.hashtab.scenario.ScenarioException;
import io.htablab.hashtab.scenario.ScenarioParser;
import io.htablab.hashtab.scenario.Statement;
import io.htablab.visualizer.model.Actor;
import io.htablab.visualizer.model.Timeline;
import io.htablab.visualizer.model.TimelineEntry;
import io.htablab.visualizer.model.WorldModel;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.fields.FieldSyntax;
import io.htablab.visualizer.model.fields.MemberCompletion;
import io.htablab.visualizer.model.fields.MapTypes;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The engine running in-process plus the timeline recording everything it reports. Statements come from
 * the console, forms or a scenario file; every event belongs to the map it names itself ({@code mapId}), so a
 * statement that touches several maps animates each of them.
 */
public final class Session implements AutoCloseable {

    /** What one statement printed. */
    public record Result(String source, List<String> output, String error, int op) {
        public Result(String source, List<String> output, String error) {
            this(source, output, error, -1);
        }

        public boolean failed() {
            return error != null;
        }
    }

    private final Timeline timeline = new Timeline();
    private final EngineBackend backend;
    private final Interpreter interpreter;
    private final List<String> recorded = new ArrayList<>();
    private Actor currentActor = Actor.MAIN;
    private int currentOp;
    /** When set, events are folded into this world only (bulk fills of large maps keep no history). */
    private WorldModel bulk;
    private ChainWalker reader;
    private String readerMap;
    /** C types declared for maps about to be created, by scenario name (consumed by their MapCreated). */
    private final java.util.Map<String, MapTypes> pendingTypes = new java.util.HashMap<>();

    public Session(int cpus) {
        EventSink sink = this::accept;
        backend = new EngineBackend(sink);
        backend.setPossibleCpusDirect(cpus);
        interpreter = new Interpreter(backend);
    }

    /**
     * One statement may emit at most this many events with per-event history (a dump of a million-entry map
     * emits tens of millions); beyond it the rest is folded without history and the timeline is rebased.
     */
    public static final int OP_EVENT_LIMIT = 200_000;
    private int opEvents;
    private boolean overflowed;

    private void accept(HtabEvent e) {
        MapTypes types = e instanceof io.htablab.hashtab.htab.event.MapEvent.MapCreated c
                ? pendingTypes.remove(c.name()) : null;
        TimelineEntry entry = new TimelineEntry(currentActor, e, currentOp, types);
        if (bulk == null && ++opEvents > OP_EVENT_LIMIT) {
            bulk = timeline.foldTo(timeline.size());
            overflowed = true;
        }
        if (bulk != null) {
            bulk.apply(entry);
        } else {
            timeline.append(entry);
        }
    }

    /** Whether the last statement overflowed {@link #OP_EVENT_LIMIT} and the history was rebased. */
    public boolean lastRunRebased() {
        return overflowedReported;
    }

    private boolean overflowedReported;

    public Timeline timeline() {
        return timeline;
    }

    public EngineBackend backend() {
        return backend;
    }

    /** The scenario handle of a map (tests compare the view model with the engine through it). */
    public Backend.MapHandle handle(String name) {
        return interpreter.map(name);
    }

    public java.util.Set<String> mapNames() {
        return interpreter.mapNames();
    }

    /** The session so far as a scenario (every statement that was run, with its comments). */
    public List<String> recorded() {
        return List.copyOf(recorded);
    }

    /** Runs one statement line; errors (parse or refusal) come back in the result, never as exceptions. */
    public Result run(String line) {
        return run(line, List.of());
    }

    public Result run(String line, List<String> comments) {
        String source = line.strip();
        String text = source;
        int first = timeline.size();
        currentOp = timeline.nextOpIndex();
        currentActor = Actor.MAIN;
        Statement st;
        try {
            st = ScenarioParser.parseLine(text);
        } catch (ScenarioException e) {
            pendingTypes.clear();
            int op = timeline.addOp(source, comments, List.of("error EINVAL"), null, Actor.MAIN, first, true);
            return new Result(source, List.of("error EINVAL"), e.getMessage(), op);
        }
        if (st == null) {
            return new Result(source, List.of(), null);
        }
        String stMap = mapOf(st);
        if (st instanceof Statement.Create c && c.hasBtf()) {
            declareBtfTypes(c);
        }
        List<String> out = new ArrayList<>();
        String error = null;
        opEvents = 0;
        overflowed = false;
        overflowedReported = false;
        try {
            interpreter.execute(st, out::add);
        } catch (ScenarioException | CpusMismatchException e) {
            out.add("error EINVAL");
            error = e.getMessage();
        } catch (RuntimeException e) {
            out.add("error EINVAL");
            error = "internal error: " + e;
        }
        pendingTypes.clear();
        for (String c : comments) {
            recorded.add(c);
        }
        recorded.add(text);
        if (overflowed) {
            // too many events to keep: the state after the statement becomes the new start of the timeline
            timeline.rebase(bulk);
            bulk = null;
            overflowedReported = true;
            return new Result(source, out, null);
        }
        int op = timeline.addOp(source, comments, out, stMap, Actor.MAIN, first, error != null);
        return new Result(source, out, error, op);
    }

    /** Runs a whole scenario text: every statement with the comment lines written above it. */
    public List<Result> runScript(String text) {
        List<Result> results = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                comments.add(line);
                continue;
            }
            int hash = line.indexOf('#');
            List<String> caption = new ArrayList<>(comments);
            if (hash > 0) {
                caption.add(line.substring(hash).strip());
            }
            results.add(run(line, caption));
            comments.clear();
        }
        return results;
    }

    /**
     * Inserts {@code n} keys u32:0..n-1 into {@code map} without keeping per-event history (a million
     * operations' events would not fit in memory); the timeline is rebased on the resulting state.
     */
    public void bulkFill(String map, int n) {
        Backend.MapHandle h = interpreter.map(map);
        if (h == null) {
            throw new IllegalArgumentException("no map " + map);
        }
        BpfMap m = backend.engineMap(h);
        bulk = timeline.foldTo(timeline.size());
        try {
            byte[] value = new byte[m.userValueSize()];
            for (int i = 0; i < n; i++) {
                byte[] key = new byte[m.keySize()];
                for (int b = 0; b < Math.min(4, key.length); b++) {
                    key[b] = (byte) (i >>> (8 * b));
                }
                value[0] = (byte) i;
                m.update(backend.currentCpu(), key, value, 0);
            }
            timeline.rebase(bulk);
        } finally {
            bulk = null;
        }
        recorded.add("# filled " + map + " with " + n + " keys u32:0.." + (n - 1));
    }

    // ------------------------------------------------------------------ the nulls race

    /** The lock-free reader starts a lookup of {@code key} in {@code map} on {@code cpu}. */
    public void beginReader(String map, byte[] key, int cpu) {
        Backend.MapHandle h = interpreter.map(map);
        if (h == null) {
            throw new IllegalArgumentException("no map " + map);
        }
        reader = backend.engineMap(h).beginLookup(cpu, key);
        readerMap = map;
        int first = timeline.size();
        currentOp = timeline.nextOpIndex();
        currentActor = Actor.READER;
        // beginLookup reports no event of its own: record what the walker computed so the view can show it
        BpfMap engineMap = backend.engineMap(h);
        accept(new BucketEvent.HashComputed(engineMap.id(), key.clone(), engineMap.hashrnd(), reader.hash(),
                reader.bucket()));
        currentActor = Actor.MAIN;
        timeline.addOp("reader: begin lookup " + io.htablab.visualizer.model.Hex.of(key), List.of(),
                List.of("bucket " + reader.bucket()), map, Actor.READER, first, false);
    }

    /** One step of the reader; returns a description of what it did. */
    public String stepReader() {
        if (reader == null) {
            return "no reader";
        }
        int first = timeline.size();
        currentOp = timeline.nextOpIndex();
        currentActor = Actor.READER;
        ChainWalker.Step s;
        try {
            s = reader.step();
        } finally {
            currentActor = Actor.MAIN;
        }
        String text = describe(s);
        timeline.addOp("reader: step", List.of(), List.of(text), readerMap, Actor.READER, first, false);
        return text;
    }

    public boolean readerActive() {
        return reader != null && !reader.isDone();
    }

    private static String describe(ChainWalker.Step s) {
        if (s instanceof ChainWalker.Visited v) {
            return "visited e" + v.elem() + (v.hashMatch() ? " (same hash)" : "") + ", moving on";
        } else if (s instanceof ChainWalker.Matched m) {
            return "found the key in e" + m.elem();
        } else if (s instanceof ChainWalker.ReachedNulls n) {
            return "reached its own nulls marker " + n.marker() + ": key absent";
        } else if (s instanceof ChainWalker.Restarted r) {
            return "reached nulls marker " + r.marker() + " of another bucket: RESTART from bucket " + r.bucket();
        } else if (s instanceof ChainWalker.Finished f) {
            return "already finished";
        }
        return String.valueOf(s);
    }

    static String mapOf(Statement st) {
        if (st instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                if (c.getName().equals("map") && c.getType() == String.class) {
                    try {
                        return (String) c.getAccessor().invoke(r);
                    } catch (ReflectiveOperationException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    /** Statement keywords for completion. */
    public static final List<String> KEYWORDS = List.of("cpus", "cpu", "create", "update", "lookup", "delete",
            "lookup_and_delete", "next_key", "prog_lookup", "prog_update", "prog_delete", "lookup_batch",
            "lookup_and_delete_batch", "update_batch", "delete_batch", "dump", "info", "ctype", "cinclude");

    // ------------------------------------------------------------------ C types

    /**
     * The next {@code create} of map {@code name} gets these key/value types (a map from C declarations): its
     * keys and values are then shown and written field by field.
     */
    public void declareTypes(String name, MapTypes types) {
        pendingTypes.put(name, types);
    }

    /**
     * A map created with {@code btf_key=}/{@code btf_value=} gets those C types in the views: they are resolved in
     * the scenario's translation unit before the create runs, so that its MapCreated event carries them. A name
     * that does not resolve is left to the create, which reports it.
     */
    private void declareBtfTypes(Statement.Create c) {
        try {
            MapTypes declared = pendingTypes.get(c.map()); // a form's own parse, for what BTF leaves unnamed
            io.htablab.hashtab.cfront.CType k = c.btfKey() != null ? interpreter.cType(c.btfKey())
                    : declared == null ? null : declared.key();
            io.htablab.hashtab.cfront.CType v = c.btfValue() != null ? interpreter.cType(c.btfValue())
                    : declared == null ? null : declared.value();
            declareTypes(c.map(), new MapTypes(k, v, declared != null ? declared.source() : "btf_key/btf_value",
                    c.btfKey() != null, c.btfValue() != null));
        } catch (ScenarioException e) {
            // the create prints the same error
        }
    }

    /** The C type named {@code spelling} in the scenario's translation unit, or null when it has none of that name. */
    public io.htablab.hashtab.cfront.CType scenarioType(String spelling) {
        try {
            return interpreter.cType(spelling);
        } catch (ScenarioException e) {
            return null;
        }
    }

    /** The C types of the map bound to {@code name} now, or null. */
    public MapTypes typesOf(String name) {
        MapModel m = timeline.present().map(name);
        return m == null ? null : m.types();
    }

    /**
     * Completion of member names inside a brace group ({@code update m {.pi} → {.pid=}), or null when the text
     * does not end inside one.
     */
    private List<String> completeFields(String prefix) {
        List<String> tokens = FieldSyntax.tokens(prefix);
        if (tokens.size() < 3 || prefix.isEmpty() || Character.isWhitespace(prefix.charAt(prefix.length() - 1))) {
            return null;
        }
        String last = tokens.get(tokens.size() - 1);
        if (last.indexOf('{') < 0) {
            return null;
        }
        MapTypes types = typesOf(String.valueOf(FieldSyntax.mapToken(tokens)));
        if (types == null) {
            return null;
        }
        String op = tokens.get(0);
        String group = last;
        FieldSyntax.Role role = FieldSyntax.role(op, tokens.size() - 1);
        if (op.equals("update_batch")) {
            int eq = last.lastIndexOf("}=");
            role = eq >= 0 ? FieldSyntax.Role.VALUE : FieldSyntax.Role.KEY;
            group = eq >= 0 ? last.substring(eq + 2) : last;
        }
        int bar = group.lastIndexOf("}|");
        if (bar >= 0) {
            group = group.substring(bar + 2); // the next CPU's value
        }
        io.htablab.hashtab.cfront.CType type = role == FieldSyntax.Role.KEY && types.keyWritable() ? types.key()
                : role == FieldSyntax.Role.VALUE && types.valueWritable() ? types.value() : null;
        if (type == null) {
            return null;
        }
        MemberCompletion.Completion c = MemberCompletion.complete(type, group);
        String[] words = prefix.split(" ", -1);
        String word = words[words.length - 1];
        String base = word.substring(0, word.length() - c.typed().length());
        List<String> out = new ArrayList<>();
        for (String name : c.members()) {
            out.add(base + (c.dotted() ? "" : ".") + name + "=");
        }
        return out;
    }

    /** Completions for the console: keywords first, then map names, then create options; members inside {…}. */
    public List<String> complete(String prefix) {
        List<String> fields = completeFields(prefix);
        if (fields != null) {
            return fields;
        }
        String[] words = prefix.split(" ", -1);
        String last = words[words.length - 1].toLowerCase(Locale.ROOT);
        List<String> candidates = new ArrayList<>();
        if (words.length == 1) {
            candidates.addAll(KEYWORDS);
        } else if (words.length == 2 && !words[0].equals("cpu") && !words[0].equals("cpus")
                && !words[0].equals("create")) {
            candidates.addAll(mapNames());
        } else if (words[0].equals("create")) {
            candidates.addAll(List.of("type=hash", "type=lru_hash", "type=percpu_hash", "type=lru_percpu_hash",
                    "key=", "value=", "max=", "flags=zero_seed", "flags=no_prealloc", "flags=no_common_lru", "btf_key=",
                    "btf_value="));
        } else {
            candidates.addAll(List.of("u32:", "u64:", "noexist", "exist", "any", "lock", "count="));
        }
        List<String> out = new ArrayList<>();
        for (String c : candidates) {
            if (c.startsWith(last) && !c.equals(last)) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public void close() {
        interpreter.close();
    }
}
