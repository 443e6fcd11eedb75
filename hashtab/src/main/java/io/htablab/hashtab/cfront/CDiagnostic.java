package io.htablab.hashtab.cfront;

/**
 * One problem found while reading C. {@code uri} names the file the range belongs to (the parsed file
 * itself or an included one); {@code code} is a stable machine-readable identifier such as
 * {@code "syntax"}, {@code "unknown-identifier"}, {@code "unknown-macro"}, {@code "include-not-found"},
 * {@code "system-include"}, {@code "pp-directive"}, {@code "map-unknown-value"}, {@code "incomplete-type"}.
 */
public record CDiagnostic(Severity severity, String code, String message, String uri, SourceRange range) {

    public enum Severity { ERROR, WARNING, INFO }

    @Override
    public String toString() {
        return severity + " " + code + " " + uri + ":" + range + " " + message;
    }
}
