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

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The engine running in-process plus the timeline recording everything it reports. Statements come from
 * the console, forms or a scenario file; each one's events are tagged with the map it names.
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
    private String currentMap;
    private Actor currentActor = Actor.MAIN;
    private int currentOp;
    /** When set, events are folded into this world only (bulk fills of large maps keep no history). */
    private WorldModel bulk;
    private ChainWalker reader;
    private String readerMap;

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

    /**
     * Scenario map name by map id, learnt from MapCreated: a timer or wq callback that runs during {@code advance}
     * touches maps the statement does not name, and its events say which map by id.
     */
    private final java.util.Map<Integer, String> mapNamesById = new java.util.HashMap<>();

    private void accept(HtabEvent e) {
        String map = currentMap;
        if (e instanceof io.htablab.hashtab.htab.event.MapEvent.MapCreated mc) {
            if (currentMap != null) {
                mapNamesById.put(mc.mapId(), currentMap);
            }
        } else {
            String byId = mapNamesById.get(e.mapId());
            if (byId != null) {
                map = byId;
            }
        }
        TimelineEntry entry = new TimelineEntry(map, currentActor, e, currentOp);
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
        String text = line.strip();
        int first = timeline.size();
        currentOp = timeline.nextOpIndex();
        currentActor = Actor.MAIN;
        Statement st;
        try {
            st = ScenarioParser.parseLine(text);
        } catch (ScenarioException e) {
            int op = timeline.addOp(text, comments, List.of("error EINVAL"), null, Actor.MAIN, first, true);
            return new Result(text, List.of("error EINVAL"), e.getMessage(), op);
        }
        if (st == null) {
            return new Result(text, List.of(), null);
        }
        currentMap = mapOf(st);
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
        for (String c : comments) {
            recorded.add(c);
        }
        recorded.add(text);
        if (overflowed) {
            // too many events to keep: the state after the statement becomes the new start of the timeline
            timeline.rebase(bulk);
            bulk = null;
            overflowedReported = true;
            return new Result(text, out, null);
        }
        int op = timeline.addOp(text, comments, out, currentMap, Actor.MAIN, first, error != null);
        return new Result(text, out, error, op);
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
        currentMap = map;
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
        currentMap = map;
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
        currentMap = readerMap;
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
            "lookup_and_delete_batch", "update_batch", "delete_batch", "dump", "info");

    /** Completions for the console: keywords first, then map names, then create options. */
    public List<String> complete(String prefix) {
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
                    "key=", "value=", "max=", "flags=zero_seed", "flags=no_prealloc", "flags=no_common_lru"));
        } else {
            candidates.addAll(List.of("u32:", "u64:", "noexist", "exist", "any", "count="));
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
