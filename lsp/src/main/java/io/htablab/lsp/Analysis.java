package io.htablab.lsp;

import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.cfront.MapField;
import io.htablab.hashtab.cfront.SourceRange;

import java.util.ArrayList;
import java.util.List;

/**
 * One parsed version of one document: the front end's result, the maps defined in this document with their
 * kernel facts, and (computed once, on demand) the diagnostics. Immutable once built; features share it.
 */
public final class Analysis {

    private final String uri;
    private final TextIndex index;
    private final CFrontResult result;
    private final LspSettings settings;
    private final List<MapFacts> maps;
    private final List<MapFacts> headerMaps;
    private volatile List<HtabDiagnostic> diagnostics;

    Analysis(String uri, String text, CFrontResult result, LspSettings settings) {
        this.uri = uri;
        this.index = new TextIndex(text);
        this.result = result;
        this.settings = settings;
        List<MapFacts> own = new ArrayList<>();
        List<MapFacts> included = new ArrayList<>();
        for (MapDefinition m : result.maps()) {
            if (isThisDocument(m.uri())) {
                own.add(new MapFacts(m, settings.possibleCpus()));
            } else {
                included.add(new MapFacts(m, settings.possibleCpus()));
            }
        }
        this.maps = List.copyOf(own);
        this.headerMaps = List.copyOf(included);
    }

    /** Whether something the front end placed in {@code otherUri} belongs to this document (null: yes). */
    public boolean isThisDocument(String otherUri) {
        return otherUri == null || otherUri.equals(uri);
    }

    public String uri() {
        return uri;
    }

    public String text() {
        return index.text();
    }

    public TextIndex index() {
        return index;
    }

    public CFrontResult result() {
        return result;
    }

    public LspSettings settings() {
        return settings;
    }

    /** The maps defined in this document, in source order. */
    public List<MapFacts> maps() {
        return maps;
    }

    public List<HtabDiagnostic> diagnostics() {
        List<HtabDiagnostic> d = diagnostics;
        if (d == null) {
            d = List.copyOf(DiagnosticsFeature.compute(this));
            diagnostics = d;
        }
        return d;
    }

    /**
     * The maps defined in included headers (the compiled object has them too), in the order they were read.
     * Their ranges are in their own files ({@link MapFacts#def()}{@code .uri()}); {@link #includeSite(MapFacts)}
     * is where this document brings them in.
     */
    public List<MapFacts> headerMaps() {
        return headerMaps;
    }

    /** The {@code #include} line of this document through which a header map was read (null for own maps). */
    public SourceRange includeSite(MapFacts m) {
        return isThisDocument(m.def().uri()) ? null : result.includedAt(m.def().uri());
    }

    /** A map by name: this document's own first, else one from an included header (for hovers on uses). */
    public MapFacts map(String name) {
        for (MapFacts m : maps) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        for (MapFacts m : headerMaps) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** The map whose definition contains the position, or null. */
    public MapFacts mapContaining(int line, int col) {
        for (MapFacts m : maps) {
            if (m.def().range().contains(line, col) || m.def().nameRange().contains(line, col)) {
                return m;
            }
        }
        return null;
    }

    /** The range of the first of these fields the map writes, else the map's name. */
    public static SourceRange fieldRange(MapDefinition def, String... fieldNames) {
        for (String f : fieldNames) {
            MapField field = def.field(f);
            if (field != null && field.range() != null) {
                return field.range();
            }
        }
        return def.nameRange();
    }
}
