package io.htablab.lsp;

import io.htablab.hashtab.cfront.SourceRange;

/**
 * One finding about the document, free of LSP4J types so the service can be used from tests, the
 * {@code check} command and benchmarks alike.
 *
 * @param severity error, warning or info
 * @param code     stable identifier ("htab.create.ENOTSUPP", "key.padding", "percpu.memory",
 *                 "lru.early-eviction", "call.key.uninit-padding", "cfront.syntax", ...)
 * @param message  plain-language explanation
 * @param range    where it applies (0-based, end exclusive)
 * @param mapName  the map it is about, or null for file-level findings
 */
public record HtabDiagnostic(Severity severity, String code, String message, SourceRange range, String mapName) {

    public enum Severity {
        ERROR, WARNING, INFO;

        /** The lower-case word the {@code check} command prints. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return severity.word() + " " + code + " @" + range + ": " + message;
    }
}
