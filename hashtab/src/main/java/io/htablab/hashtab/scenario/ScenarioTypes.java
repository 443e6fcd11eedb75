package io.htablab.hashtab.scenario;

import io.htablab.hashtab.cfront.CDiagnostic;
import io.htablab.hashtab.cfront.CFront;
import io.htablab.hashtab.cfront.CFrontOptions;
import io.htablab.hashtab.cfront.CFrontResult;
import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.btf.PointerTags;
import io.htablab.hashtab.cfront.btf.SpecialStructs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The C types of one scenario: its {@code ctype} and {@code cinclude} statements form one translation unit, parsed by
 * cfront ({@link CFront#parse}) each time it grows. The unit starts with the kernel's special structs
 * ({@link SpecialStructs}) so that locks, timers and the rest can be declared without a header.
 */
final class ScenarioTypes {

    private static final String PROBE_TYPEDEF = "__htab_scenario_type";

    private final StringBuilder unit = new StringBuilder(SpecialStructs.C_DECLARATIONS);
    private CFrontResult result;
    private int errors;
    private Path baseDir = Path.of("").toAbsolutePath();
    private List<Path> includePaths = List.of();

    void setBaseDirectory(Path dir) {
        this.baseDir = dir.toAbsolutePath();
    }

    void setIncludePaths(List<Path> paths) {
        this.includePaths = List.copyOf(paths);
    }

    /** Adds declarations; on a C error nothing is added and the error is thrown. */
    void addCode(String code) throws ScenarioException {
        grow(code, "ctype");
    }

    /** Reads a C file (relative to the scenario's directory, then the include paths) into the unit. */
    void include(String path) throws ScenarioException {
        Path p = Path.of(path);
        Path found = null;
        List<Path> candidates = new ArrayList<>();
        candidates.add(p.isAbsolute() ? p : baseDir.resolve(p));
        for (Path dir : includePaths) {
            candidates.add(dir.resolve(p));
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                found = c.toAbsolutePath().normalize();
                break;
            }
        }
        if (found == null) {
            throw new ScenarioException("cinclude: no file " + path + " (looked in " + baseDir
                    + (includePaths.isEmpty() ? "" : " and the include paths") + ")");
        }
        grow("#include \"" + found + "\"", "cinclude " + path);
    }

    private void grow(String code, String what) throws ScenarioException {
        int mark = unit.length();
        unit.append('\n').append(code).append('\n');
        CFrontResult r = parse(unit.toString());
        List<CDiagnostic> errs = errorsOf(r);
        if (errs.size() > errors) {
            unit.setLength(mark);
            CDiagnostic d = errs.get(errors);
            String place = d.uri() != null && !d.uri().endsWith("scenario.c") ? " (" + d.uri() + ":" + (d.range().startLine() + 1) + ")" : "";
            throw new ScenarioException(what + ": C error: " + d.message() + place);
        }
        result = r;
        errors = errs.size();
    }

    private String unitUri() {
        return baseDir.resolve("scenario.c").toUri().toString();
    }

    /** Type tags on pointer members (kptrs), read from the unit's text or the included file's. */
    PointerTags pointerTags() {
        String uri = unitUri();
        String text = unit.toString();
        return PointerTags.fromSource(u -> {
            if (u.equals(uri)) {
                return text;
            }
            try {
                Path p = u.startsWith("file:") ? Path.of(java.net.URI.create(u)) : Path.of(u);
                return Files.readString(p);
            } catch (java.io.IOException | RuntimeException e) {
                return null;
            }
        });
    }

    private CFrontResult parse(String text) {
        return CFront.parse(unitUri(), text,
                CFrontOptions.defaults().withIncludePaths(includePaths));
    }

    private static List<CDiagnostic> errorsOf(CFrontResult r) {
        List<CDiagnostic> out = new ArrayList<>();
        for (CDiagnostic d : r.diagnostics()) {
            if (d.severity() == CDiagnostic.Severity.ERROR) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * The type named {@code spelling} ({@code struct val}, {@code union u}, {@code __u32}, {@code unsigned int},
     * {@code char[16]}) in the unit.
     */
    CType resolve(String spelling) throws ScenarioException {
        CFrontResult r = result != null ? result : parse(unit.toString());
        result = r;
        CType t = null;
        if (spelling.startsWith("struct ")) {
            t = r.types().struct(spelling.substring(7).strip());
        } else if (spelling.startsWith("union ")) {
            t = r.types().union(spelling.substring(6).strip());
        } else if (spelling.startsWith("enum ")) {
            t = r.types().enumType(spelling.substring(5).strip());
        } else if (spelling.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            t = r.types().typedef(spelling);
        }
        if (t == null && !spelling.matches("(struct|union|enum) .*")) {
            // a base type or an array: let cfront read it as the target of a typedef
            String decl = spelling.contains("[")
                    ? "typedef " + spelling.substring(0, spelling.indexOf('[')) + " " + PROBE_TYPEDEF + spelling.substring(spelling.indexOf('['))
                    : "typedef " + spelling + " " + PROBE_TYPEDEF;
            CFrontResult probe = parse(unit + "\n" + decl + ";\n");
            if (errorsOf(probe).size() == errors) {
                CType.TypedefType td = probe.types().typedef(PROBE_TYPEDEF);
                t = td == null ? null : td.target();
            }
        }
        if (t == null) {
            throw new ScenarioException("no C type '" + spelling + "' (declare it with ctype or cinclude)");
        }
        if (t.size() < 0) {
            throw new ScenarioException("C type '" + spelling + "' is incomplete: it has no size");
        }
        return t;
    }
}
