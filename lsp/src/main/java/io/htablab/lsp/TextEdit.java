package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;

/** Replace {@code range} of the document by {@code newText}. */
public record TextEdit(SourceRange range, String newText) {
}
