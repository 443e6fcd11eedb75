package io.htablab.hashtab.scenario;

/**
 * A non-blank line of a scenario: either a parsed statement or the reason it could not be parsed.
 *
 * @param lineNumber 1-based line number in the file
 * @param text       the line as written (comment included)
 * @param statement  the statement, or null when {@code error} is set
 * @param error      why the line could not be parsed, or null
 */
public record ScriptLine(int lineNumber, String text, Statement statement, String error) {

    public boolean isValid() {
        return statement != null;
    }
}
