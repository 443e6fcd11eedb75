package io.htablab.hashtab.cfront;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One header as read in one preprocessor state, parsed once and shared (read-only) by every parse that
 * includes it in that same state: what it did to the macros, the types, variables and maps it declared, its
 * diagnostics. {@link HeaderCache} keeps these; the built-in {@link Prelude} is the root one.
 *
 * <p>Invariant: nothing reachable from a unit is changed after it is built; a later parse layers its own
 * {@link TypeTable} over {@link #types} and copies {@link #macroDelta} into its own macro table.
 *
 * @param before      the preprocessor state it was read in ({@link PrefixState#key()})
 * @param after       the state after it (includes the fingerprints of every file it read)
 * @param previous    the unit read before it (its types/variables lie under this one's), null for the root
 * @param macroDelta  macros it defined (value) or undefined (null), nested headers included
 * @param onceFiles   files it marked {@code #pragma once}
 * @param counter     the {@code __COUNTER__} value after it
 * @param stamps      every file it read, with its {@link IncludeReader#fingerprint(Path)} when read
 * @param weight      about how many characters it read (the cache's budget is counted in these)
 */
record HeaderUnit(String before, String after, String path, HeaderUnit previous, Map<String, Preprocessor.Macro> macroDelta,
                  Set<String> onceFiles, int counter, TypeTable types, Map<String, CType> variables,
                  Map<RecordType, List<CParser.MemberSyntax>> recordSyntax, List<MapDefinition> maps,
                  List<CDiagnostic> diagnostics, List<Stamp> stamps, long weight) {

    /** A file read while building a unit. */
    record Stamp(Path path, Object fingerprint) {
    }

    /** True when every file the unit read is still what it was. */
    boolean isCurrent(IncludeReader reader) {
        for (Stamp s : stamps) {
            if (!java.util.Objects.equals(reader.fingerprint(s.path()), s.fingerprint())) {
                return false;
            }
        }
        return true;
    }

    CType variable(String name) {
        for (HeaderUnit u = this; u != null; u = u.previous) {
            CType t = u.variables.get(name);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    List<CParser.MemberSyntax> syntaxOf(RecordType r) {
        for (HeaderUnit u = this; u != null; u = u.previous) {
            List<CParser.MemberSyntax> s = u.recordSyntax.get(r);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "HeaderUnit[" + path + "]";
    }
}
