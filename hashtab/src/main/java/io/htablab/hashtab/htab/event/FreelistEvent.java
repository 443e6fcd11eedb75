package io.htablab.hashtab.htab.event;

import io.htablab.hashtab.htab.Errno;

/** Per-CPU freelist pops and pushes and the extra-element swaps. Owned by the freelist package. */
public sealed interface FreelistEvent extends HtabEvent {

    /** {@code elem} was taken from the head of {@code listCpu}'s list by an operation on {@code cpu}. */
    record Pop(int mapId, int elem, int listCpu, int cpu) implements FreelistEvent {
    }

    /** {@code elem} was pushed onto the head of {@code listCpu}'s list by an operation on {@code cpu}. */
    record Push(int mapId, int elem, int listCpu, int cpu) implements FreelistEvent {
    }

    /** At creation, {@code elem} (already popped) became CPU {@code cpu}'s extra element. */
    record ExtraInit(int mapId, int cpu, int elem) implements FreelistEvent {
    }

    /**
     * A replacing update on {@code cpu} used that CPU's extra element {@code newElem} for the new value and parked
     * the replaced {@code oldElem} as the CPU's extra.
     */
    record ExtraSwap(int mapId, int cpu, int newElem, int oldElem) implements FreelistEvent {
    }

    /**
     * CPU {@code listCpu}'s freelist lock could not be taken on {@code cpu}: a pop moves on to the next CPU's list, a
     * push tries the other CPUs' lists.
     */
    record FreelistLockFailed(int mapId, int listCpu, int cpu, Errno errno, String reason) implements FreelistEvent {
    }

    /**
     * CPU {@code cpu}'s extra element is in use by a replacing update ({@code busy}) or free again: between the extra
     * swap and the release of the replaced element's fields a re-entrant replacing update on that CPU fails (6.18).
     */
    record ExtraInUse(int mapId, int cpu, boolean busy) implements FreelistEvent {
    }
}
