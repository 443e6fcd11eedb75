package io.htablab.hashtab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a scenario named on the command line: a path, or {@code -} for standard input. */
record ScenarioSource(String displayName, String text) {

    static ScenarioSource read(String name, InputStream stdin) throws IOException {
        if (name.equals("-")) {
            return new ScenarioSource("<stdin>", new String(stdin.readAllBytes(), StandardCharsets.UTF_8));
        }
        return new ScenarioSource(name, Files.readString(Path.of(name), StandardCharsets.UTF_8));
    }
}
