package io.htablab.lsp;

import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.SourceRange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The outline: maps ("hash, 4→8 B, 1024 entries") and named structs/unions with their members. */
final class SymbolFeature {

    private SymbolFeature() {
    }

    /** "compat.bpf.h:12" for a map defined in a header. */
    static String headerPlace(MapFacts m) {
        String uri = m.def().uri();
        String file = uri == null ? "?" : uri.substring(uri.lastIndexOf('/') + 1);
        return file + ":" + (m.def().nameRange().startLine() + 1);
    }

    static List<SymbolData> symbols(Analysis a) {
        List<SymbolData> out = new ArrayList<>();
        for (MapFacts m : a.maps()) {
            SourceRange range = m.def().range().union(m.def().nameRange());
            out.add(new SymbolData(m.name(), SymbolData.Kind.MAP, m.summary(), range, m.def().nameRange(), List.of()));
        }
        for (MapFacts m : a.headerMaps()) {
            // a header's map is shown at the #include that brings it in (a symbol must lie in this document)
            SourceRange site = a.includeSite(m);
            if (site != null) {
                out.add(new SymbolData(m.name(), SymbolData.Kind.MAP, m.summary() + " (" + headerPlace(m) + ")", site,
                        site, List.of()));
            }
        }
        for (RecordType r : a.result().types().ownRecords()) {
            if (r.name() == null || r.layout() == null || !a.isThisDocument(r.uri()) || r.nameRange() == null
                    || r.nameRange().equals(SourceRange.NONE)) {
                continue;
            }
            List<SymbolData> members = new ArrayList<>();
            for (Layout.Member member : r.layout().members()) {
                if (member.name() == null || member.range() == null || member.range().equals(SourceRange.NONE)) {
                    continue;
                }
                SourceRange full = member.declRange() == null || member.declRange().equals(SourceRange.NONE)
                        ? member.range() : member.declRange().union(member.range());
                members.add(new SymbolData(member.name(), SymbolData.Kind.FIELD,
                        "@" + member.offset() + ", " + (member.isBitField() ? member.bitWidth() + " bits"
                                : member.size() + " B"), full, member.range(), List.of()));
            }
            out.add(new SymbolData(r.spelling(), SymbolData.Kind.STRUCT, r.size() + " B",
                    r.range().union(r.nameRange()), r.nameRange(), members));
        }
        List<SymbolData> valid = new ArrayList<>();
        for (SymbolData s : out) {
            if (a.index().isValid(s.range()) && a.index().isValid(s.selectionRange())) {
                valid.add(s);
            }
        }
        valid.sort(Comparator.comparingInt((SymbolData s) -> s.range().startLine()).thenComparingInt(s -> s.range().startCol()));
        return valid;
    }
}
