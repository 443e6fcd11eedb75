package io.htablab.lsp;

/** A label shown after the character at (line, col), 0-based. */
public record InlayHintData(int line, int col, String label) {
}
