package io.htablab.hashtab.cfront;

/**
 * A 0-based, end-exclusive range of characters in one source file (LSP convention): lines and columns
 * count from 0, the column is a UTF-16 char index within the line, and {@code endCol} points just past
 * the last character.
 */
public record SourceRange(int startLine, int startCol, int endLine, int endCol) {

    public static final SourceRange NONE = new SourceRange(0, 0, 0, 0);

    public SourceRange {
        if (startLine < 0 || startCol < 0 || endLine < startLine || (endLine == startLine && endCol < startCol)) {
            throw new IllegalArgumentException("bad range " + startLine + ":" + startCol + "-" + endLine + ":" + endCol);
        }
    }

    /** The smallest range covering both. */
    public SourceRange union(SourceRange other) {
        boolean thisStartsFirst = startLine < other.startLine || (startLine == other.startLine && startCol <= other.startCol);
        boolean thisEndsLast = endLine > other.endLine || (endLine == other.endLine && endCol >= other.endCol);
        return new SourceRange(thisStartsFirst ? startLine : other.startLine, thisStartsFirst ? startCol : other.startCol,
                thisEndsLast ? endLine : other.endLine, thisEndsLast ? endCol : other.endCol);
    }

    /** True when the 0-based position lies inside the range (end exclusive, but an empty range contains its start). */
    public boolean contains(int line, int col) {
        if (line < startLine || line > endLine) {
            return false;
        }
        if (line == startLine && col < startCol) {
            return false;
        }
        return line != endLine || col < endCol || (col == endCol && startLine == endLine && startCol == endCol);
    }

    @Override
    public String toString() {
        return startLine + ":" + startCol + "-" + endLine + ":" + endCol;
    }
}
