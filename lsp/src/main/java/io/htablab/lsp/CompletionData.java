package io.htablab.lsp;

/**
 * One completion proposal.
 *
 * @param label      what the list shows (and inserts when {@code insertText} is null)
 * @param kind       what it is, mapped onto an LSP completion kind by the server
 * @param detail     a short description (a constant's value, a type's size)
 * @param insertText text to insert, or null for the label
 */
public record CompletionData(String label, Kind kind, String detail, String insertText) {

    public enum Kind { MAP_TYPE, FLAG, FIELD, TYPE }

    public String textToInsert() {
        return insertText == null ? label : insertText;
    }
}
