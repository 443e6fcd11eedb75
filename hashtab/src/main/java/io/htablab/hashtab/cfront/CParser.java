package io.htablab.hashtab.cfront;

import java.util.List;
import java.util.Map;

/** Recursive-descent parser over the preprocessed token stream (work in progress). */
final class CParser {
    private final String uri;
    private final String text;
    private final CFrontOptions options;

    CParser(String uri, String text, CFrontOptions options) {
        this.uri = uri;
        this.text = text;
        this.options = options;
    }

    CFrontResult run() {
        return new CFrontResult(uri, List.of(), List.of(), new TypeTable(), Map.of());
    }
}
