package io.htablab.lsp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.htablab.hashtab.cfront.SourceRange;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code check FILE...}: one JSON line per map definition on standard output; diagnostics that belong to no
 * map (e.g. a syntax error outside every map) go to standard error as "file:line: severity: message [code]".
 * Exit status: 2 when a file could not be read, else 1 when any error was reported, else 0.
 *
 * <p>A map defined in an included header is printed for every checked file that includes it, with
 * {@code "file"} and {@code "line"} of the header and {@code "included_from"} the checked file: each file is
 * its own object, which carries its own copy of the map, and the macros in effect where it includes the header
 * can make the map differ from one file to the next. Each file's analysis is dropped once it is printed (only the
 * parsed headers stay shared), so memory does not grow with the number of files.
 */
@CommandLine.Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check eBPF C map definitions and print one JSON line per map.",
                "Exit status: 0 clean, 1 errors found, 2 a file could not be read."})
public final class CheckCommand implements Callable<Integer> {

    static final int EXIT_ERRORS = 1;
    static final int EXIT_UNREADABLE = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.ParentCommand
    private Main.TopCommand parent;

    @CommandLine.Parameters(arity = "1..*", paramLabel = "FILE", description = "C files to check")
    private List<Path> files = new ArrayList<>();

    @CommandLine.Option(names = "--cpus", paramLabel = "N",
            description = "possible CPUs for per-CPU figures (default: this machine's)")
    private Integer cpus;

    @CommandLine.Option(names = "-I", paramLabel = "DIR", description = "include directory (repeatable)")
    private List<Path> includes = new ArrayList<>();

    @CommandLine.Option(names = "--percpu-memory-warning", paramLabel = "BYTES",
            description = "warn when per-CPU values of a map take more than this (default 64 MiB)")
    private Long percpuMemoryWarning;

    @Override
    public Integer call() {
        PrintStream out = parent == null ? System.out : parent.out();
        PrintStream err = parent == null ? System.err : parent.err();
        LspSettings settings = LspSettings.defaults().withIncludePaths(includes);
        if (cpus != null) {
            if (cpus < 1) {
                err.println("check: --cpus must be at least 1, got " + cpus);
                return EXIT_UNREADABLE;
            }
            settings = settings.withPossibleCpus(cpus);
        }
        if (percpuMemoryWarning != null) {
            settings = settings.withPercpuMemoryWarningBytes(percpuMemoryWarning);
        }
        return check(new HtabLanguageService(settings), files, out, err);
    }

    /** The command's work, callable without picocli. */
    static int check(HtabLanguageService service, List<Path> files, PrintStream out, PrintStream err) {
        boolean unreadable = false;
        boolean errors = false;
        for (Path file : files) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException | RuntimeException e) {
                err.println(file + ": cannot read: " + e.getMessage());
                unreadable = true;
                continue;
            }
            String uri = file.toAbsolutePath().normalize().toUri().toString();
            Analysis a = service.analyze(uri, text);
            service.forget(uri);
            List<HtabDiagnostic> diagnostics = a.diagnostics();
            for (HtabDiagnostic d : diagnostics) {
                errors |= d.severity() == HtabDiagnostic.Severity.ERROR;
            }
            List<HtabDiagnostic> unclaimed = new ArrayList<>(diagnostics);
            for (MapFacts m : a.maps()) {
                List<HtabDiagnostic> own = new ArrayList<>();
                for (HtabDiagnostic d : diagnostics) {
                    if (m.name().equals(d.mapName()) || d.mapName() == null && inside(d.range(), m.def().range())) {
                        own.add(d);
                    }
                }
                unclaimed.removeAll(own);
                out.println(line(file.toString(), m, own));
            }
            for (MapFacts m : a.headerMaps()) {
                List<HtabDiagnostic> own = DiagnosticsFeature.headerMapChecks(a, m);
                for (HtabDiagnostic d : own) {
                    errors |= d.severity() == HtabDiagnostic.Severity.ERROR;
                }
                out.println(headerLine(file.toString(), m, own));
            }
            for (HtabDiagnostic d : unclaimed) {
                err.println(file + ":" + (d.range().startLine() + 1) + ": " + d.severity().word() + ": "
                        + d.message() + " [" + d.code() + "]");
            }
        }
        out.flush();
        return unreadable ? EXIT_UNREADABLE : errors ? EXIT_ERRORS : 0;
    }

    private static boolean inside(SourceRange inner, SourceRange outer) {
        return CodeActionFeature.overlaps(inner, outer) && inner.startLine() >= outer.startLine()
                && inner.endLine() <= outer.endLine();
    }

    /** A header map: its own file and line, and the checked file that includes it. */
    static String headerLine(String includedFrom, MapFacts m, List<HtabDiagnostic> diagnostics) {
        String uri = m.def().uri();
        String file = uri;
        try {
            if (uri != null && uri.startsWith("file:")) {
                file = Path.of(java.net.URI.create(uri)).toString();
            }
        } catch (RuntimeException e) {
            // keep the uri as written
        }
        return line(file, includedFrom, m, diagnostics);
    }

    static String line(String file, MapFacts m, List<HtabDiagnostic> diagnostics) {
        return line(file, null, m, diagnostics);
    }

    private static String line(String file, String includedFrom, MapFacts m, List<HtabDiagnostic> diagnostics) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", file);
        if (includedFrom != null) {
            o.put("included_from", includedFrom);
        }
        o.put("map", m.name());
        o.put("line", m.def().nameRange().startLine() + 1);
        o.put("type", m.kernelName());
        put(o, "key_size", m.def().keySize());
        put(o, "value_size", m.def().valueSize());
        put(o, "max_entries", m.def().maxEntries());
        put(o, "flags", m.def().mapFlags());
        ArrayNode list = o.putArray("diagnostics");
        for (HtabDiagnostic d : diagnostics) {
            ObjectNode n = list.addObject();
            n.put("severity", d.severity().word());
            n.put("code", d.code());
            n.put("message", d.message());
            n.put("line", d.range().startLine() + 1);
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(ObjectNode o, String name, OptionalLong v) {
        if (v.isPresent()) {
            o.put(name, v.getAsLong());
        } else {
            o.putNull(name);
        }
    }
}
