package io.htablab.visualizer.model;

/** Who caused an event: the console / scenario ("main" side), or the lock-free reader of the nulls race. */
public enum Actor {
    MAIN, READER
}
