package io.htablab.hashtab.cfront;

import java.util.List;
import java.util.Map;

/**
 * Everything the front end learned from one file (and what it included).
 *
 * @param maps        every map definition in source order (inner-map templates appear only as
 *                    {@link MapDefinition#innerMap()})
 * @param diagnostics problems, in the order found
 * @param types       every struct, union, enum, enum constant and typedef, built-ins included
 * @param macros      every macro defined at the end of the file, built-ins included
 * @param includeSites for every included file that defines something reported here (maps of headers), the
 *                     {@code #include} line of the parsed file that brought it in (directly or through other headers)
 * @param functions   every function definition with its body's tokens, in source order (the parser itself does not
 *                    read bodies; {@code cfront.body} does)
 */
public record CFrontResult(String uri, List<MapDefinition> maps, List<CDiagnostic> diagnostics, TypeTable types,
                           Map<String, MacroDef> macros, Map<String, SourceRange> includeSites,
                           List<FunctionDefinition> functions) {

    public CFrontResult {
        includeSites = includeSites == null ? Map.of() : Map.copyOf(includeSites);
        functions = functions == null ? List.of() : List.copyOf(functions);
    }

    public CFrontResult(String uri, List<MapDefinition> maps, List<CDiagnostic> diagnostics, TypeTable types,
                        Map<String, MacroDef> macros) {
        this(uri, maps, diagnostics, types, macros, Map.of(), List.of());
    }

    public CFrontResult(String uri, List<MapDefinition> maps, List<CDiagnostic> diagnostics, TypeTable types,
                        Map<String, MacroDef> macros, Map<String, SourceRange> includeSites) {
        this(uri, maps, diagnostics, types, macros, includeSites, List.of());
    }

    /** The {@code #include} in the parsed file through which {@code headerUri} was read, or null. */
    public SourceRange includedAt(String headerUri) {
        return headerUri == null ? null : includeSites.get(headerUri);
    }

    public MapDefinition map(String name) {
        for (MapDefinition m : maps) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }
}
