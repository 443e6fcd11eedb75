package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;

/** A place in a file (definition, reference): the file's URI as the front end names it, and the range. */
public record LocationData(String uri, SourceRange range) {
}
