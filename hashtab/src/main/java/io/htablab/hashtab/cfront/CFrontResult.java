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
 * @param functions   every function definition with its body's tokens, in source order (the parser itself does not
 *                    read bodies; {@code cfront.body} does)
 */
public record CFrontResult(String uri, List<MapDefinition> maps, List<CDiagnostic> diagnostics, TypeTable types,
                           Map<String, MacroDef> macros, List<FunctionDefinition> functions) {

    public CFrontResult(String uri, List<MapDefinition> maps, List<CDiagnostic> diagnostics, TypeTable types,
                        Map<String, MacroDef> macros) {
        this(uri, maps, diagnostics, types, macros, List.of());
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
