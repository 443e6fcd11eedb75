package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;

import java.util.List;

/** An outline entry: a map or a struct/union (with its members as children). */
public record SymbolData(String name, Kind kind, String detail, SourceRange range, SourceRange selectionRange,
                         List<SymbolData> children) {

    public enum Kind { MAP, STRUCT, FIELD }
}
