package io.htablab.hashtab.scenario;

/**
 * A statement the scenario layer refuses before it reaches a map: bad syntax, an unknown map, a key
 * of the wrong length. The run prints {@code error EINVAL} for it, reports the reason on standard
 * error with the file and line, and goes on.
 */
public class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;

    public ScenarioException(String message) {
        super(message);
    }
}
