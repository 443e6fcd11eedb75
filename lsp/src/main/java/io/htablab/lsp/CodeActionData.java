package io.htablab.lsp;

import java.util.List;

/**
 * A quick fix: a title, the edits (all on the same document, non-overlapping) and the code of the
 * diagnostic it fixes.
 */
public record CodeActionData(String title, String diagnosticCode, List<TextEdit> edits) {
}
