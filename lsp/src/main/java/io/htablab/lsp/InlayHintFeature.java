package io.htablab.lsp;

import io.htablab.hashtab.cfront.Layout;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.htab.HtabGeometry;

import java.util.ArrayList;
import java.util.List;

/**
 * Sizes shown inline: after a map's name (key→value bytes and memlock), after a struct's tag (its size) and
 * after each member (its size and offset).
 */
final class InlayHintFeature {

    private InlayHintFeature() {
    }

    static List<InlayHintData> hints(Analysis a, SourceRange range) {
        List<InlayHintData> out = new ArrayList<>();
        if (!a.settings().inlayHints()) {
            return out;
        }
        for (MapFacts m : a.maps()) {
            SourceRange name = m.def().nameRange();
            if (!CodeActionFeature.overlaps(name, range)) {
                continue;
            }
            StringBuilder label = new StringBuilder(": ");
            label.append(size(m.def().keySize())).append('\u2192').append(size(m.def().valueSize())).append(" B");
            HtabGeometry g = m.geometry();
            if (g != null && g.isOk()) {
                label.append(", ").append(Units.bytes(g.attr().isPrealloc() ? g.memoryUsage() : g.memoryUsage(g.maxEntries())));
            }
            out.add(new InlayHintData(name.endLine(), name.endCol(), label.toString()));
        }
        for (RecordType r : a.result().types().records()) {
            if (r.layout() == null || !a.isThisDocument(r.uri()) || !CodeActionFeature.overlaps(r.range(), range)) {
                continue;
            }
            SourceRange tag = r.nameRange();
            if (r.name() != null && tag != null && !tag.equals(SourceRange.NONE)) {
                out.add(new InlayHintData(tag.endLine(), tag.endCol(), ": " + r.size() + " B"));
            }
            for (Layout.Member member : r.layout().members()) {
                SourceRange at = member.range();
                if (at == null || at.equals(SourceRange.NONE) || member.name() == null) {
                    continue;
                }
                String label = member.isBitField() ? ": " + member.bitWidth() + " bits @" + member.offset()
                        : ": " + member.size() + " B @" + member.offset();
                out.add(new InlayHintData(at.endLine(), at.endCol(), label));
            }
        }
        List<InlayHintData> valid = new ArrayList<>();
        for (InlayHintData h : out) {
            if (a.index().isValid(new SourceRange(h.line(), h.col(), h.line(), h.col()))) {
                valid.add(h);
            }
        }
        return valid;
    }

    private static String size(java.util.OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "?";
    }
}
