package io.htablab.hashtab.htab.event;

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
}
