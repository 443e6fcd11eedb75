package io.htablab.hashtab.cfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headers read for real, parsed once and shared (HeaderCache), and vmlinux.h read on demand (LazyHeader):
 * reuse, invalidation, keying on the macros in effect, the fallback diagnostic, and that the on-demand reading
 * of a real vmlinux.h gives exactly what parsing it whole gives.
 */
class HeaderCacheTest {

    @TempDir
    Path dir;

    private static final String MAPS_H = """
            #ifndef MAPS_H
            #define MAPS_H
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            #ifndef RB_SIZE
            #define RB_SIZE 4096
            #endif
            struct {
            	__uint(type, BPF_MAP_TYPE_RINGBUF);
            	__uint(max_entries, RB_SIZE);
            } rb SEC(".maps");
            #endif
            """;

    private CFrontResult parse(Path file) throws Exception {
        return CFront.parse(file.toUri().toString(), Files.readString(file));
    }

    @Test
    void aHeaderIsParsedOnceAndItsMapsAreReportedAtTheirOwnPlace() throws Exception {
        Path h = dir.resolve("maps.h");
        Files.writeString(h, MAPS_H);
        Path a = dir.resolve("a.bpf.c");
        Files.writeString(a, "#include \"maps.h\"\nint x;\n");
        Path b = dir.resolve("b.bpf.c");
        Files.writeString(b, "#include \"maps.h\"\nlong y;\n");
        CFrontResult ra = parse(a);
        long hits = CFront.headerCacheHits();
        CFrontResult rb = parse(b);
        assertThat(CFront.headerCacheHits()).as("second file reuses the parsed header").isGreaterThan(hits);
        for (CFrontResult r : List.of(ra, rb)) {
            MapDefinition m = r.map("rb");
            assertThat(m).isNotNull();
            assertThat(m.uri()).isEqualTo(h.toUri().toString());
            assertThat(m.nameRange().startLine()).isEqualTo(10);
            assertThat(m.maxEntries()).hasValue(4096);
            assertThat(r.includedAt(m.uri())).isEqualTo(new SourceRange(0, 9, 0, 17));
        }
        // the types of the real headers are shared, not copied
        assertThat(ra.types().typedef("__u32")).isSameAs(rb.types().typedef("__u32"));
    }

    @Test
    void theMacrosBeforeTheIncludeAreAPartOfTheKey() throws Exception {
        Files.writeString(dir.resolve("maps.h"), MAPS_H);
        Path small = dir.resolve("small.bpf.c");
        Files.writeString(small, "#define RB_SIZE 8192\n#include \"maps.h\"\n");
        Path plain = dir.resolve("plain.bpf.c");
        Files.writeString(plain, "#include \"maps.h\"\n");
        assertThat(parse(small).map("rb").maxEntries()).hasValue(8192);
        assertThat(parse(plain).map("rb").maxEntries()).hasValue(4096);
        assertThat(parse(small).map("rb").maxEntries()).hasValue(8192);
    }

    @Test
    void aChangedHeaderIsReadAgain() throws Exception {
        Path h = dir.resolve("maps.h");
        Files.writeString(h, MAPS_H);
        Path a = dir.resolve("a.bpf.c");
        Files.writeString(a, "#include \"maps.h\"\n");
        assertThat(parse(a).map("rb").maxEntries()).hasValue(4096);
        Files.writeString(h, MAPS_H.replace("4096", "65536"));
        Files.setLastModifiedTime(h, FileTime.fromMillis(Files.getLastModifiedTime(h).toMillis() + 5000));
        assertThat(parse(a).map("rb").maxEntries()).hasValue(65536);
    }

    @Test
    void aHeaderAfterADeclarationIsReadInPlace() throws Exception {
        Files.writeString(dir.resolve("maps.h"), MAPS_H);
        Path a = dir.resolve("late.bpf.c");
        Files.writeString(a, "typedef unsigned int my_u32;\n#define RB_SIZE (1 << 20)\n#include \"maps.h\"\n");
        CFrontResult r = parse(a);
        assertThat(r.map("rb").maxEntries()).hasValue(1 << 20);
        assertThat(r.diagnostics()).noneMatch(d -> d.severity() == CDiagnostic.Severity.ERROR);
    }

    @Test
    void aMissingWellKnownHeaderFallsBackToTheBuiltInSubsetAndSaysSo() throws Exception {
        Path a = dir.resolve("nohdr.bpf.c");
        Files.writeString(a, "#include \"vmlinux.h\"\nstruct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, NR_SOFTIRQS);"
                + " __type(key, u32); __type(value, u64); } m SEC(\".maps\");\n");
        CFrontResult r = parse(a);
        assertThat(r.diagnostics()).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo("builtin-header");
            assertThat(d.severity()).isEqualTo(CDiagnostic.Severity.INFO);
            assertThat(d.range()).isEqualTo(new SourceRange(0, 9, 0, 20));
            assertThat(d.message()).contains("'vmlinux.h' was not found", "built-in subset");
        });
        assertThat(r.diagnostics()).anyMatch(d -> d.code().equals("unknown-identifier") && d.message().contains("NR_SOFTIRQS"));
        assertThat(r.map("m").keySize()).hasValue(4);
    }

    @Test
    void aRealVmlinuxHIsReadAndItsEnumConstantsAreKnown() throws Exception {
        Path vm = ClangGroundTruthTest.vmlinuxDir();
        assumeTrue(vm != null, "the kernel has no BTF to generate vmlinux.h from; skipping");
        Path a = dir.resolve("real.bpf.c");
        Files.writeString(a, "#include <vmlinux.h>\n#include <bpf/bpf_helpers.h>\nstruct { __uint(type, BPF_MAP_TYPE_ARRAY);"
                + " __uint(max_entries, NR_SOFTIRQS); __type(key, u32); __type(value, struct task_struct *); } m SEC(\".maps\");\n");
        CFrontResult r = CFront.parse(a.toUri().toString(), Files.readString(a),
                CFrontOptions.defaults().withIncludePaths(List.of(vm)));
        assertThat(r.diagnostics()).noneMatch(d -> d.code().equals("builtin-header") || d.code().startsWith("unknown"));
        long softirqs = r.types().enumConstant("NR_SOFTIRQS").value();
        assertThat(r.map("m").maxEntries()).hasValue(softirqs);
        assertThat(r.types().enumConstant("NR_SOFTIRQS").uri()).endsWith("vmlinux.h");
    }

    /**
     * Reading vmlinux.h on demand must give what parsing all of it gives: every struct and union (size, alignment,
     * every member's bit offset), every typedef's size, every enum constant's value, compared name by name.
     */
    @Test
    void onDemandReadingOfVmlinuxEqualsTheWholeParse() throws Exception {
        Path vm = ClangGroundTruthTest.vmlinuxDir();
        assumeTrue(vm != null, "the kernel has no BTF to generate vmlinux.h from; skipping");
        Path header = vm.resolve("vmlinux.h");
        CFrontResult whole = CFront.parse(header.toUri().toString(), Files.readString(header));
        assertThat(whole.diagnostics()).noneMatch(d -> d.severity() == CDiagnostic.Severity.ERROR);
        Path a = dir.resolve("lazy.bpf.c");
        Files.writeString(a, "#include <vmlinux.h>\n");
        TypeTable lazy = CFront.parse(a.toUri().toString(), Files.readString(a),
                CFrontOptions.defaults().withIncludePaths(List.of(vm))).types();
        TypeTable layer = lazy;
        while (layer != null && layer.lazy() == null) {
            layer = layer.parent();
        }
        assertThat(layer).as("vmlinux.h is read on demand").isNotNull();
        int compared = 0;
        for (RecordType e : whole.types().records()) {
            if (e.name() == null || e.uri() == null) {
                continue;
            }
            RecordType l = e.isUnion() ? lazy.union(e.name()) : lazy.struct(e.name());
            assertThat(l).as("%s", e).isNotNull();
            assertThat(l.size()).as("size of %s", e).isEqualTo(e.size());
            assertThat(l.align()).as("align of %s", e).isEqualTo(e.align());
            assertThat(l.uri()).isEqualTo(e.uri());
            if (e.layout() != null) {
                assertThat(l.layout().members()).hasSameSizeAs(e.layout().members());
                for (int i = 0; i < e.layout().members().size(); i++) {
                    assertThat(l.layout().members().get(i).bitOffset()).as("member %d of %s", i, e)
                            .isEqualTo(e.layout().members().get(i).bitOffset());
                }
                assertThat(l.layout().holes()).as("holes of %s", e).isEqualTo(e.layout().holes());
            }
            compared++;
        }
        for (CType.TypedefType t : whole.types().typedefs()) {
            if (t.uri() == null) {
                continue;
            }
            CType.TypedefType l = lazy.typedef(t.name());
            assertThat(l).as("typedef %s", t.name()).isNotNull();
            assertThat(l.size()).as("size of typedef %s", t.name()).isEqualTo(t.size());
            assertThat(l.range()).as("place of typedef %s", t.name()).isEqualTo(t.range());
            compared++;
        }
        for (TypeTable.EnumConstant c : whole.types().enumConstants()) {
            if (c.uri() == null) {
                continue;
            }
            assertThat(lazy.enumConstant(c.name())).as("enum constant %s", c.name()).isNotNull();
            assertThat(lazy.enumConstant(c.name()).value()).as("value of %s", c.name()).isEqualTo(c.value());
            compared++;
        }
        for (String kind : List.of("struct", "union", "enum", "typedef", "constant")) {
            for (String name : layer.lazy().indexedNames(kind)) {
                Object found = switch (kind) {
                    case "struct" -> lazy.struct(name);
                    case "union" -> lazy.union(name);
                    case "enum" -> lazy.enumType(name);
                    case "typedef" -> lazy.typedef(name);
                    default -> lazy.enumConstant(name);
                };
                assertThat(found).as("indexed %s %s is defined when read", kind, name).isNotNull();
            }
        }
        assertThat(compared).isGreaterThan(10_000);
    }
}
