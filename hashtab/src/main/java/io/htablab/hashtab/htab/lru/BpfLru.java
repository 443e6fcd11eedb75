package io.htablab.hashtab.htab.lru;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.event.LruEvent.ListRef;
import io.htablab.hashtab.htab.event.LruEvent.Step;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The kernel's BPF LRU (bpf_lru_list.c): the common LRU with global ACTIVE/INACTIVE/FREE lists and
 * per-CPU LOCAL_FREE/PENDING lists, or the per-CPU LRU ({@code BPF_F_NO_COMMON_LRU}).
 *
 * <p>Nodes are identified by element index 0..nrElems-1 (the same identity the hash table's element
 * store uses). The LRU never touches buckets: it evicts through {@link LruDeleteCallback}.
 *
 * <p>Representation (flat, so a map of a million entries costs about 17 bytes per node): every list
 * is circular and doubly linked through the shared {@code prev}/{@code next} arrays; indices
 * {@code >= nrElems} are sentinels. Sentinel layout: LRU list {@code i} (0 for the common LRU, CPU i
 * for NO_COMMON_LRU) owns {@code nrElems + 3*i + type} for ACTIVE, INACTIVE, FREE; the common LRU's
 * CPU c owns {@code nrElems + 3 + 2*c} (LOCAL_FREE, a stack whose top is the head) and
 * {@code nrElems + 4 + 2*c} (PENDING). Every operation runs atomically; the list locks are asked for through
 * {@link LruLocks} at the points bpf_lru_list.c takes them, and a failed acquisition takes the kernel's failure path
 * (a pop gives up or skips a CPU, a push marks the node pending_free).
 */
public final class BpfLru {

    /** LOCAL_FREE_TARGET / LOCAL_NR_SCANS of the common LRU. */
    public static final int LOCAL_FREE_TARGET = 128;
    public static final int LOCAL_NR_SCANS = LOCAL_FREE_TARGET;
    /** PERCPU_FREE_TARGET / PERCPU_NR_SCANS of the per-CPU LRU. */
    public static final int PERCPU_FREE_TARGET = 4;
    public static final int PERCPU_NR_SCANS = PERCPU_FREE_TARGET;

    private static final byte T_ACTIVE = 0;
    private static final byte T_INACTIVE = 1;
    private static final byte T_FREE = 2;
    private static final byte T_LOCAL_FREE = 3;
    private static final byte T_LOCAL_PENDING = 4;

    private final int nrElems;
    private final int possibleCpus;
    private final boolean percpu;
    private final LruDeleteCallback deleteFromHtab;
    private final EventSink events;
    /** The map the events belong to. */
    private final int mapId;
    /**
     * Whether the operation in progress reports events: read from the sink once when a public operation
     * starts, so a listener-free LRU pays one test per operation instead of one per list move.
     */
    private boolean trace;
    private final int nrScans;
    private final int targetFree;

    // Node state, indexed by node id (prev/next also by sentinel index).
    private final int[] prev;
    private final int[] next;
    private final byte[] type;
    private final byte[] ref;
    private final short[] cpu;
    private final int[] hash;
    private final boolean[] pendingFree;

    // Per LRU list (1 for the common LRU, P for the per-CPU LRU).
    private final int[] nrActive;
    private final int[] nrInactive;
    /** next_inactive_rotation: a node on that list's INACTIVE list or its INACTIVE sentinel. */
    private final int[] rot;

    /** Common LRU only: next_steal per CPU. */
    private final int[] nextSteal;

    /**
     * During a harvest: the last node gathered onto the harvesting CPU's LOCAL_FREE stack, so that
     * the next one goes below it (first gathered = first popped). -1 outside a harvest.
     */
    private int gatherTail = -1;
    private boolean populated;
    /** Whether harvested nodes are popped in the order they were gathered (6.18) or the reverse (6.14). */
    private final boolean harvestOrder;
    private LruLocks locks = LruLocks.NONE;
    /** The CPU of the push in progress (the CPU that takes the locks). */
    private int pushCpu;

    /** An LRU on its own (tests, benchmarks): its events carry map id 0. */
    public BpfLru(int nrElems, int possibleCpus, boolean percpu, LruDeleteCallback deleteFromHtab, EventSink events) {
        this(nrElems, possibleCpus, percpu, deleteFromHtab, events, 0);
    }

    /**
     * @param nrElems       number of nodes (the map's effective max_entries)
     * @param possibleCpus  number of possible CPUs (P)
     * @param percpu        true for BPF_F_NO_COMMON_LRU (one LRU list per CPU)
     * @param deleteFromHtab eviction callback into the hash table
     * @param events        event sink (EventSink.NONE when nobody listens)
     * @param mapId         the id the events carry (the owning map's)
     */
    public BpfLru(int nrElems, int possibleCpus, boolean percpu, LruDeleteCallback deleteFromHtab, EventSink events,
                  int mapId) {
        this(nrElems, possibleCpus, percpu, deleteFromHtab, events, mapId, true, true);
    }

    /**
     * @param scaledTargetFree the common LRU's harvest target is clamp((nrElems / P) / 2, 1, 128) (6.18); false: a
     *                         constant 128 (LOCAL_FREE_TARGET), as before the 2025 change
     * @param harvestOrder     harvested nodes are popped first-gathered first (6.18); false: last-gathered first, as
     *                         when they were list_move()d onto the local free list one by one
     */
    public BpfLru(int nrElems, int possibleCpus, boolean percpu, LruDeleteCallback deleteFromHtab, EventSink events,
                  int mapId, boolean scaledTargetFree, boolean harvestOrder) {
        if (nrElems < 1) {
            throw new IllegalArgumentException("BpfLru: nrElems must be >= 1, got " + nrElems);
        }
        if (possibleCpus < 1 || possibleCpus > Short.MAX_VALUE) {
            throw new IllegalArgumentException("BpfLru: possibleCpus must be in 1.." + Short.MAX_VALUE
                    + ", got " + possibleCpus);
        }
        if (percpu && nrElems % possibleCpus != 0) {
            // The hash table rounds max_entries up to a multiple of P for NO_COMMON_LRU.
            throw new IllegalArgumentException("BpfLru: NO_COMMON_LRU needs nrElems (" + nrElems
                    + ") to be a multiple of possibleCpus (" + possibleCpus + ")");
        }
        if (deleteFromHtab == null || events == null) {
            throw new IllegalArgumentException("BpfLru: deleteFromHtab and events must not be null");
        }
        this.nrElems = nrElems;
        this.possibleCpus = possibleCpus;
        this.percpu = percpu;
        this.deleteFromHtab = deleteFromHtab;
        this.events = events;
        this.mapId = mapId;
        this.nrScans = percpu ? PERCPU_NR_SCANS : LOCAL_NR_SCANS;
        this.harvestOrder = harvestOrder;
        this.targetFree = percpu ? PERCPU_FREE_TARGET
                : !scaledTargetFree ? LOCAL_FREE_TARGET
                : Math.max(1, Math.min((nrElems / possibleCpus) / 2, LOCAL_FREE_TARGET));
        int nrLists = nrLruLists();
        int nrSentinels = percpu ? 3 * possibleCpus : 3 + 2 * possibleCpus;
        long total = (long) nrElems + nrSentinels;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("BpfLru: too many nodes: " + nrElems);
        }
        this.prev = new int[(int) total];
        this.next = new int[(int) total];
        this.type = new byte[nrElems];
        this.ref = new byte[nrElems];
        this.cpu = new short[nrElems];
        this.hash = new int[nrElems];
        this.pendingFree = new boolean[nrElems];
        this.nrActive = new int[nrLists];
        this.nrInactive = new int[nrLists];
        this.rot = new int[nrLists];
        this.nextSteal = percpu ? new int[0] : new int[possibleCpus];
        for (int s = nrElems; s < total; s++) {
            prev[s] = s;
            next[s] = s;
        }
        for (int i = 0; i < nrLists; i++) {
            rot[i] = lruSentinel(i, T_INACTIVE);
        }
        for (int c = 0; c < nextSteal.length; c++) {
            nextSteal[c] = c;
        }
        // Unpopulated nodes point at themselves: on no list.
        for (int n = 0; n < nrElems; n++) {
            prev[n] = n;
            next[n] = n;
        }
    }

    // ------------------------------------------------------------------ public API (engine)

    /** The locks the LRU asks for (the hash table's lock model); {@link LruLocks#NONE} until set. */
    public void setLocks(LruLocks locks) {
        this.locks = locks == null ? LruLocks.NONE : locks;
    }

    /** Put every node on the free list(s) in the kernel's population order (bpf_lru_populate). */
    public void bpfLruPopulate() {
        if (populated) {
            throw new IllegalStateException("BpfLru: bpfLruPopulate called twice");
        }
        trace = events.enabled();
        populated = true;
        if (percpu) {
            bpfPercpuLruPopulate();
        } else {
            bpfCommonLruPopulate();
        }
        if (trace) {
            events.accept(new LruEvent.Populated(mapId, nrElems, possibleCpus, percpu, targetFree, nrScans));
        }
    }

    /**
     * Obtain a node for a new element on {@code cpu} (bpf_lru_pop_free); may evict other elements.
     *
     * @return the node (element index), or -1 when none could be obtained (the caller reports ENOMEM)
     */
    public int bpfLruPopFree(int cpu, int hash) {
        trace = events.enabled();
        checkCpu(cpu, "bpfLruPopFree");
        if (trace) {
            events.accept(new LruEvent.PopStarted(mapId, cpu, hash));
        }
        int node = percpu ? bpfPercpuLruPopFree(cpu, hash) : bpfCommonLruPopFree(cpu, hash);
        if (trace) {
            events.accept(node >= 0 ? new LruEvent.NodePopped(mapId, cpu, node, hash)
                    : new LruEvent.PopFailed(mapId, cpu, hash));
        }
        return node;
    }

    /** Return a node whose element was unlinked (bpf_lru_push_free); {@code cpu} is the calling CPU. */
    public void bpfLruPushFree(int cpu, int node) {
        trace = events.enabled();
        checkCpu(cpu, "bpfLruPushFree");
        checkNode(node, "bpfLruPushFree");
        if (trace) {
            events.accept(new LruEvent.NodePushed(mapId, cpu, node));
        }
        pushCpu = cpu;
        if (percpu) {
            bpfPercpuLruPushFree(node);
        } else {
            bpfCommonLruPushFree(node);
        }
    }

    /**
     * Return a node whose push could not take its LRU (or local) lock (spec 10.2): the node stays on
     * its list, marked pending_free; flush, shrink and steal later treat it as free without evicting.
     * Only for lock-failure injection; ordinary runs use {@link #bpfLruPushFree}.
     */
    public void bpfLruPushFreeLockFailure(int cpu, int node) {
        trace = events.enabled();
        checkCpu(cpu, "bpfLruPushFreeLockFailure");
        checkNode(node, "bpfLruPushFreeLockFailure");
        byte t = type[node];
        if (t == T_FREE || t == T_LOCAL_FREE) {
            throw new IllegalStateException("BpfLru: node " + node + " is already free (" + typeOf(node) + ")");
        }
        if (trace) {
            events.accept(new LruEvent.NodePushed(mapId, cpu, node));
        }
        pendingFree[node] = true;
        if (trace) {
            events.accept(new LruEvent.PendingFreeMarked(mapId, node));
        }
    }

    /** Mark a node referenced (bpf_lru_node_set_ref): program lookups and replacing updates. */
    public void bpfLruNodeSetRef(int node) {
        // The kernel only writes when the bit is clear, to keep the cache line shared.
        if (ref[node] == 0) {
            ref[node] = 1;
            if (events.enabled()) {
                events.accept(new LruEvent.RefSet(mapId, node));
            }
        }
    }

    /** The hash stored in a node at pop time (read by the eviction callback). */
    public int nodeHash(int node) {
        return hash[node];
    }

    // ------------------------------------------------------------------ read-only accessors

    public int nrElems() {
        return nrElems;
    }

    public int possibleCpus() {
        return possibleCpus;
    }

    /** True for the per-CPU LRU (NO_COMMON_LRU). */
    public boolean isPercpu() {
        return percpu;
    }

    /** Scan limit of rotations and shrinks: 128 (common) or 4 (per-CPU). */
    public int nrScans() {
        return nrScans;
    }

    /** Common LRU: target_free of a harvest; per-CPU LRU: the shrink target (4). */
    public int targetFree() {
        return targetFree;
    }

    public BpfLruListType nodeType(int node) {
        return typeOf(node);
    }

    public boolean nodeRef(int node) {
        return ref[node] != 0;
    }

    /**
     * The node's cpu field: the owner for NO_COMMON_LRU; for the common LRU the CPU whose pop last
     * handed it out (stale once the node leaves that CPU's PENDING list, as in the kernel).
     */
    public int nodeCpu(int node) {
        return cpu[node];
    }

    public boolean nodePendingFree(int node) {
        return pendingFree[node];
    }

    /**
     * Contents of one list, head first (for LOCAL_FREE: top of the stack first).
     *
     * @param type the list
     * @param cpu  the owning CPU for NO_COMMON_LRU lists and for local lists; ignored for the common
     *             LRU's global ACTIVE/INACTIVE/FREE lists
     */
    public int[] listNodes(BpfLruListType type, int cpu) {
        int sentinel = sentinelOf(type, cpu);
        int count = 0;
        for (int n = next[sentinel]; n != sentinel && count <= nrElems; n = next[n]) {
            count++;
        }
        int[] out = new int[Math.min(count, nrElems)];
        int i = 0;
        for (int n = next[sentinel]; n != sentinel && i < out.length; n = next[n]) {
            out[i++] = n;
        }
        return out;
    }

    /** ACTIVE counter of an LRU list ({@code lruCpu} ignored for the common LRU). */
    public int activeCount(int lruCpu) {
        return nrActive[lruIndex(lruCpu)];
    }

    /** INACTIVE counter of an LRU list ({@code lruCpu} ignored for the common LRU). */
    public int inactiveCount(int lruCpu) {
        return nrInactive[lruIndex(lruCpu)];
    }

    /** The INACTIVE rotation cursor: a node id, or {@link LruEvent#SENTINEL} for the sentinel. */
    public int rotationCursor(int lruCpu) {
        int r = rot[lruIndex(lruCpu)];
        return r >= nrElems ? LruEvent.SENTINEL : r;
    }

    /** Common LRU: the CPU the next steal by {@code cpu} starts at. */
    public int nextSteal(int cpu) {
        if (percpu) {
            throw new IllegalStateException("BpfLru: next_steal exists only in the common LRU");
        }
        checkCpu(cpu, "nextSteal");
        return nextSteal[cpu];
    }

    /** Structural invariants; see {@link #checkInvariants(IntPredicate)}. */
    public List<String> checkInvariants() {
        return checkInvariants(null);
    }

    /**
     * Check the LRU's invariants and return the violations (empty when everything holds).
     *
     * <p>Structural: each node is on exactly one list and its type matches that list; links are
     * consistent; counters equal list lengths; each rotation cursor is its INACTIVE sentinel or an
     * INACTIVE node of the same list; per-CPU owners match. With {@code linked} (element is in the hash
     * table): a linked node is ACTIVE, INACTIVE or LOCAL_PENDING and not pending_free; a FREE or
     * LOCAL_FREE node is not linked; an unlinked node still on ACTIVE/INACTIVE/PENDING is pending_free.
     */
    public List<String> checkInvariants(IntPredicate linked) {
        List<String> violations = new ArrayList<>();
        if (!populated) {
            return violations;
        }
        int[] seenOn = new int[nrElems];
        java.util.Arrays.fill(seenOn, -1);
        for (int i = 0; i < nrLruLists(); i++) {
            int lruCpu = percpu ? i : LruEvent.GLOBAL;
            for (byte t = T_ACTIVE; t <= T_FREE; t++) {
                int len = walkList(lruSentinel(i, t), t, percpu ? i : -1, seenOn, violations);
                if (t == T_ACTIVE && len != nrActive[i]) {
                    violations.add("list " + lruCpu + ": ACTIVE counter " + nrActive[i] + " != length " + len);
                }
                if (t == T_INACTIVE && len != nrInactive[i]) {
                    violations.add("list " + lruCpu + ": INACTIVE counter " + nrInactive[i] + " != length " + len);
                }
            }
            int r = rot[i];
            if (r != lruSentinel(i, T_INACTIVE)) {
                if (r < 0 || r >= nrElems) {
                    violations.add("list " + lruCpu + ": rotation cursor " + r + " is a foreign sentinel");
                } else if (type[r] != T_INACTIVE || (percpu && cpu[r] != i)) {
                    violations.add("list " + lruCpu + ": rotation cursor at node " + r + " which is "
                            + typeOf(r) + " (cpu " + cpu[r] + ")");
                }
            }
        }
        if (!percpu) {
            for (int c = 0; c < possibleCpus; c++) {
                walkList(localFreeSentinel(c), T_LOCAL_FREE, -1, seenOn, violations);
                walkList(pendingSentinel(c), T_LOCAL_PENDING, c, seenOn, violations);
                if (nextSteal[c] < 0 || nextSteal[c] >= possibleCpus) {
                    violations.add("cpu " + c + ": next_steal " + nextSteal[c] + " out of range");
                }
            }
        }
        for (int n = 0; n < nrElems; n++) {
            if (seenOn[n] < 0) {
                violations.add("node " + n + " (" + typeOf(n) + ") is on no list");
            }
            if (ref[n] > 1) {
                violations.add("node " + n + ": ref " + ref[n]);
            }
            if (linked != null) {
                boolean isLinked = linked.test(n);
                byte t = type[n];
                boolean inUseType = t == T_ACTIVE || t == T_INACTIVE || t == T_LOCAL_PENDING;
                if (isLinked && (!inUseType || pendingFree[n])) {
                    violations.add("node " + n + " is in the table but " + typeOf(n)
                            + (pendingFree[n] ? " pending_free" : ""));
                }
                if (!isLinked && inUseType && !pendingFree[n]) {
                    violations.add("node " + n + " is " + typeOf(n) + " but not in the table");
                }
            }
        }
        return violations;
    }

    // ------------------------------------------------------------------ population

    private void bpfCommonLruPopulate() {
        int free = lruSentinel(0, T_FREE);
        for (int n = 0; n < nrElems; n++) {
            type[n] = T_FREE;
            ref[n] = 0;
            listAdd(n, free);
        }
    }

    private void bpfPercpuLruPopulate() {
        int perCpu = nrElems / possibleCpus;
        int n = 0;
        for (int c = 0; c < possibleCpus; c++) {
            int free = lruSentinel(c, T_FREE);
            for (int k = 0; k < perCpu; k++, n++) {
                cpu[n] = (short) c;
                type[n] = T_FREE;
                ref[n] = 0;
                listAdd(n, free);
            }
        }
    }

    // ------------------------------------------------------------------ primitive moves

    /**
     * MOVE (__bpf_lru_node_move): {@code node}, on one of LRU list {@code l}'s three lists, goes to
     * the head of list {@code tgt}; ref cleared; the rotation cursor steps back if it was on the node.
     */
    private void bpfLruNodeMove(int l, int node, byte tgt, Step step) {
        byte old = type[node];
        if (old != tgt) {
            countDec(l, old);
            countInc(l, tgt);
            type[node] = tgt;
        }
        ref[node] = 0;
        stepRotationCursorOff(l, node);
        listDel(node);
        listAdd(node, lruSentinel(l, tgt));
        if (trace) {
            emitMoved(node, new ListRef(BpfLruListType.of(old), lruCpu(l)),
                    new ListRef(BpfLruListType.of(tgt), lruCpu(l)), LruEvent.SENTINEL, step);
        }
    }

    /**
     * TAKE (__bpf_lru_node_move_to_free): {@code node} leaves LRU list {@code l} for a free list
     * ({@code destSentinel}: l's FREE or a CPU's LOCAL_FREE) with type {@code newType}; ref kept.
     * While a harvest gathers, nodes are stacked below the ones gathered before them.
     */
    private void bpfLruNodeMoveToFree(int l, int node, int destSentinel, byte newType, Step step) {
        byte old = type[node];
        stepRotationCursorOff(l, node);
        countDec(l, old);
        type[node] = newType;
        pendingFree[node] = false;
        listDel(node);
        int after = gatherTail >= 0 ? gatherTail : destSentinel;
        listAdd(node, after);
        if (gatherTail >= 0) {
            gatherTail = node;
        }
        if (trace) {
            ListRef to = newType == T_LOCAL_FREE
                    ? new ListRef(BpfLruListType.LOCAL_FREE, localCpuOfSentinel(destSentinel))
                    : new ListRef(BpfLruListType.of(newType), lruCpu(l));
            emitMoved(node, new ListRef(BpfLruListType.of(old), lruCpu(l)), to,
                    after >= nrElems ? LruEvent.SENTINEL : after, step);
        }
    }

    /**
     * MOVE_IN (__bpf_lru_node_move_in): a node from CPU {@code fromCpu}'s PENDING list enters the
     * head of list {@code tgt} of LRU list {@code l}; ref and pending_free cleared.
     */
    private void bpfLruNodeMoveIn(int l, int node, byte tgt, int fromCpu) {
        countInc(l, tgt);
        type[node] = tgt;
        ref[node] = 0;
        pendingFree[node] = false;
        listDel(node);
        listAdd(node, lruSentinel(l, tgt));
        if (trace) {
            emitMoved(node, new ListRef(BpfLruListType.LOCAL_PENDING, fromCpu),
                    new ListRef(BpfLruListType.of(tgt), lruCpu(l)), LruEvent.SENTINEL, Step.FLUSH);
        }
    }

    private void stepRotationCursorOff(int l, int node) {
        if (rot[l] == node) {
            setRotationCursor(l, prev[node]);
        }
    }

    private void setRotationCursor(int l, int to) {
        int from = rot[l];
        rot[l] = to;
        if (from != to && trace) {
            events.accept(new LruEvent.RotationCursorMoved(mapId, lruCpu(l),
                    from >= nrElems ? LruEvent.SENTINEL : from, to >= nrElems ? LruEvent.SENTINEL : to));
        }
    }

    // ------------------------------------------------------------------ rotation and shrinking

    /** ROTATE (__bpf_lru_list_rotate): refill INACTIVE from ACTIVE when it is the smaller, then scan it. */
    private void bpfLruListRotate(int l) {
        boolean inactiveLow = nrInactive[l] < nrActive[l];
        if (trace) {
            events.accept(new LruEvent.RotateStarted(mapId, lruCpu(l), nrActive[l], nrInactive[l], inactiveLow));
        }
        if (inactiveLow) {
            bpfLruListRotateActive(l);
        }
        bpfLruListRotateInactive(l);
    }

    /**
     * ROTATE_ACTIVE: walk ACTIVE from the tail up to the node that was its head when the walk started
     * (or nr_scans nodes); referenced nodes go back to the ACTIVE head, the others to INACTIVE.
     */
    private void bpfLruListRotateActive(int l) {
        int active = lruSentinel(l, T_ACTIVE);
        int first = next[active];
        int i = 0;
        for (int node = prev[active]; node != active; ) {
            int before = prev[node]; // remembered first: the move relinks node
            boolean referenced = ref[node] != 0;
            scanned(l, node, Step.ROTATE_ACTIVE, referenced);
            bpfLruNodeMove(l, node, referenced ? T_ACTIVE : T_INACTIVE, Step.ROTATE_ACTIVE);
            if (++i == nrScans || node == first) {
                break;
            }
            node = before;
        }
    }

    /**
     * ROTATE_INACTIVE: from the rotation cursor toward the head, wrapping past the sentinel, promote
     * referenced nodes to ACTIVE; unreferenced ones stay. The cursor lets the next rotation resume
     * where this one stopped.
     */
    private void bpfLruListRotateInactive(int l) {
        int inactive = lruSentinel(l, T_INACTIVE);
        if (next[inactive] == inactive) {
            return;
        }
        int last = next[rot[l]];
        if (last == inactive) {
            last = next[last];
        }
        int cur = rot[l];
        int nxt = inactive;
        int i = 0;
        while (i < nrScans) {
            if (cur == inactive) {
                cur = prev[cur];
                continue;
            }
            nxt = prev[cur];
            boolean referenced = ref[cur] != 0;
            scanned(l, cur, Step.ROTATE_INACTIVE, referenced);
            if (referenced) {
                bpfLruNodeMove(l, cur, T_ACTIVE, Step.ROTATE_INACTIVE);
            }
            if (cur == last) {
                break;
            }
            cur = nxt;
            i++;
        }
        setRotationCursor(l, nxt);
    }

    /**
     * SHRINK_INACTIVE: walk INACTIVE from the tail (at most nr_scans nodes); referenced nodes get a
     * second chance on ACTIVE, the others are evicted and taken until {@code want} were freed.
     */
    private int bpfLruListShrinkInactive(int l, int want, int destSentinel, byte newType) {
        int inactive = lruSentinel(l, T_INACTIVE);
        int got = 0;
        int i = 0;
        for (int node = prev[inactive]; node != inactive; ) {
            int before = prev[node];
            boolean referenced = ref[node] != 0;
            scanned(l, node, Step.SHRINK_INACTIVE, referenced);
            if (referenced && !pendingFree[node]) {
                bpfLruNodeMove(l, node, T_ACTIVE, Step.SHRINK_INACTIVE);
            } else if (pendingFree[node] || evict(node)) {
                bpfLruNodeMoveToFree(l, node, destSentinel, newType, Step.SHRINK_INACTIVE);
                if (++got == want) {
                    break;
                }
            }
            if (++i == nrScans) {
                break;
            }
            node = before;
        }
        return got;
    }

    /**
     * SHRINK: SHRINK_INACTIVE, and when that freed nothing, a forced pick from the tail of INACTIVE
     * (or ACTIVE when INACTIVE is empty) that ignores ref bits and the scan limit.
     */
    private int bpfLruListShrink(int l, int want, int destSentinel, byte newType) {
        if (trace) {
            events.accept(new LruEvent.ShrinkStarted(mapId, lruCpu(l), want));
        }
        int got = bpfLruListShrinkInactive(l, want, destSentinel, newType);
        if (got > 0) {
            return got;
        }
        int inactive = lruSentinel(l, T_INACTIVE);
        byte forceType = next[inactive] != inactive ? T_INACTIVE : T_ACTIVE;
        int force = lruSentinel(l, forceType);
        if (trace) {
            events.accept(new LruEvent.ForcedPickStarted(mapId, lruCpu(l), BpfLruListType.of(forceType)));
        }
        for (int node = prev[force]; node != force; node = prev[node]) {
            scanned(l, node, Step.FORCE_SHRINK, ref[node] != 0);
            if (pendingFree[node] || evict(node)) {
                bpfLruNodeMoveToFree(l, node, destSentinel, newType, Step.FORCE_SHRINK);
                return 1;
            }
        }
        return 0;
    }

    /** EVICT: the hash table's del_from_htab callback. */
    private boolean evict(int node) {
        boolean evicted = deleteFromHtab.htabLruMapDeleteNode(node, hash[node]);
        if (trace) {
            events.accept(new LruEvent.EvictAttempted(mapId, node, hash[node], evicted));
        }
        return evicted;
    }

    // ------------------------------------------------------------------ common LRU

    /**
     * POP on CPU {@code c} (bpf_common_lru_pop_free). Locks: c's local lock around the local pop and the harvest
     * (which takes the global list lock inside), each victim's local lock during the steal, then c's local lock again
     * to queue a stolen node. A failed lock makes the pop give up (own lock), skip the harvest (global lock), skip the
     * victim (steal), or park the stolen node on c's LOCAL_FREE stack and give up (re-queue).
     */
    private int bpfCommonLruPopFree(int c, int h) {
        if (!lockLocal(c, c)) {
            return -1;
        }
        int node = localListPopFree(c);
        if (node < 0) {
            bpfLruListPopFreeToLocal(c);
            node = localListPopFree(c);
        }
        if (node >= 0) {
            localListAddPending(c, node, h, new ListRef(BpfLruListType.LOCAL_FREE, c), Step.POP);
            locks.unlockLocal(c, c);
            return node;
        }
        locks.unlockLocal(c, c);
        // Nothing local even after harvesting: steal from the CPUs in order, starting at next_steal.
        int first = nextSteal[c];
        int s = first;
        BpfLruListType fromList = BpfLruListType.LOCAL_FREE;
        int victim = -1;
        do {
            if (lockLocal(s, c)) {
                fromList = BpfLruListType.LOCAL_FREE;
                node = localListPopFree(s);
                if (node < 0) {
                    fromList = BpfLruListType.LOCAL_PENDING;
                    node = localListPopPending(s);
                }
                locks.unlockLocal(s, c);
                if (node >= 0 && trace) {
                    events.accept(new LruEvent.NodeStolen(mapId, node, s, c, fromList));
                }
                victim = s;
            }
            s = (s + 1) % possibleCpus;
        } while (node < 0 && s != first);
        if (nextSteal[c] != s) {
            if (trace) {
                events.accept(new LruEvent.NextStealMoved(mapId, c, nextSteal[c], s));
            }
            nextSteal[c] = s;
        }
        if (node < 0) {
            return -1;
        }
        if (!lockLocal(c, c)) {
            // Not orphaned: the stolen node waits on c's LOCAL_FREE stack for c's next pop.
            type[node] = T_LOCAL_FREE;
            ref[node] = 0;
            pendingFree[node] = false;
            listAdd(node, localFreeSentinel(c));
            if (trace) {
                emitMoved(node, new ListRef(fromList, victim), new ListRef(BpfLruListType.LOCAL_FREE, c),
                        LruEvent.SENTINEL, Step.STEAL);
                events.accept(new LruEvent.StolenNodeParked(mapId, c, node));
            }
            return -1;
        }
        localListAddPending(c, node, h, new ListRef(fromList, victim), Step.STEAL);
        locks.unlockLocal(c, c);
        return node;
    }

    /** Take CPU {@code owner}'s local-list lock on {@code cpu}; reports a failure. */
    private boolean lockLocal(int owner, int cpu) {
        Errno e = locks.lockLocal(owner, cpu);
        if (e == Errno.OK) {
            return true;
        }
        if (trace) {
            events.accept(new LruEvent.LruLockFailed(mapId, cpu, owner, true, e, locks.lastFailure()));
        }
        return false;
    }

    /** Take LRU list {@code list}'s lock ({@link LruLocks#GLOBAL} or a CPU) on {@code cpu}; reports a failure. */
    private boolean lockList(int list, int cpu) {
        Errno e = locks.lockList(list, cpu);
        if (e == Errno.OK) {
            return true;
        }
        if (trace) {
            events.accept(new LruEvent.LruLockFailed(mapId, cpu, list, false, e, locks.lastFailure()));
        }
        return false;
    }

    /**
     * HARVEST (bpf_lru_list_pop_free_to_local): flush CPU c's PENDING list into the global list,
     * rotate, then gather up to target_free nodes onto c's LOCAL_FREE stack, from the global FREE
     * list first and by shrinking (evicting) for the rest.
     */
    private void bpfLruListPopFreeToLocal(int c) {
        if (!lockList(LruLocks.GLOBAL, c)) {
            return; // no harvest this time; the pop goes on to steal
        }
        try {
            harvest(c);
        } finally {
            locks.unlockList(LruLocks.GLOBAL, c);
        }
    }

    private void harvest(int c) {
        if (trace) {
            events.accept(new LruEvent.HarvestStarted(mapId, c, targetFree));
        }
        localListFlush(c);
        bpfLruListRotate(0);
        int free = lruSentinel(0, T_FREE);
        int localFree = localFreeSentinel(c);
        // 6.18: gathered nodes go below each other so that the first gathered is popped first. 6.14: each goes on
        // top (gatherTail stays off), so the last gathered is popped first.
        gatherTail = harvestOrder ? localFree : -1;
        try {
            int taken = 0;
            while (taken < targetFree && next[free] != free) {
                bpfLruNodeMoveToFree(0, next[free], localFree, T_LOCAL_FREE, Step.HARVEST_FREE);
                taken++;
            }
            if (taken < targetFree) {
                bpfLruListShrink(0, targetFree - taken, localFree, T_LOCAL_FREE);
            }
        } finally {
            gatherTail = -1;
        }
    }

    /** Flush (__local_list_flush): PENDING tail first into the global list, so the newest ends at the head. */
    private void localListFlush(int c) {
        int pending = pendingSentinel(c);
        if (trace) {
            int count = 0;
            for (int n = next[pending]; n != pending; n = next[n]) {
                count++;
            }
            events.accept(new LruEvent.PendingFlushStarted(mapId, c, count));
        }
        for (int node = prev[pending]; node != pending; ) {
            int before = prev[node];
            byte tgt = pendingFree[node] ? T_FREE : ref[node] != 0 ? T_ACTIVE : T_INACTIVE;
            bpfLruNodeMoveIn(0, node, tgt, c);
            node = before;
        }
    }

    /** Pop the top of CPU c's LOCAL_FREE stack (unlinked; the caller re-links it), or -1. */
    private int localListPopFree(int c) {
        int localFree = localFreeSentinel(c);
        int node = next[localFree];
        if (node == localFree) {
            return -1;
        }
        listDel(node);
        return node;
    }

    /**
     * PICK_PENDING (__local_list_pop_pending): from the tail of CPU s's PENDING list, the first
     * unreferenced node that is pending_free or evictable; failing that, the first such node ignoring
     * ref. Returned unlinked, or -1.
     */
    private int localListPopPending(int s) {
        int pending = pendingSentinel(s);
        for (int pass = 0; pass < 2; pass++) {
            boolean force = pass == 1;
            for (int node = prev[pending]; node != pending; node = prev[node]) {
                if ((ref[node] == 0 || force) && (pendingFree[node] || evict(node))) {
                    listDel(node);
                    return node;
                }
            }
        }
        return -1;
    }

    /** ADD_PENDING (__local_list_add_pending): an unlinked node becomes CPU c's newest pending node. */
    private void localListAddPending(int c, int node, int h, ListRef from, Step step) {
        hash[node] = h;
        cpu[node] = (short) c;
        type[node] = T_LOCAL_PENDING;
        ref[node] = 0;
        pendingFree[node] = false;
        listAdd(node, pendingSentinel(c));
        if (trace) {
            emitMoved(node, from, new ListRef(BpfLruListType.LOCAL_PENDING, c), LruEvent.SENTINEL, step);
        }
    }

    /** PUSH for the common LRU (bpf_common_lru_push_free). */
    private void bpfCommonLruPushFree(int node) {
        byte t = type[node];
        if (t == T_FREE || t == T_LOCAL_FREE) {
            // The kernel warns and ignores a double free; so do we, loudly.
            throw new IllegalStateException("BpfLru: push of node " + node + " which is already " + typeOf(node));
        }
        if (t == T_LOCAL_PENDING) {
            // Still on its CPU's pending list: it becomes that CPU's next local free node.
            int owner = cpu[node];
            if (!lockLocal(owner, pushCpu)) {
                markPendingFree(node);
                return;
            }
            type[node] = T_LOCAL_FREE;
            ref[node] = 0;
            listDel(node);
            listAdd(node, localFreeSentinel(owner));
            locks.unlockLocal(owner, pushCpu);
            if (trace) {
                emitMoved(node, new ListRef(BpfLruListType.LOCAL_PENDING, owner),
                        new ListRef(BpfLruListType.LOCAL_FREE, owner), LruEvent.SENTINEL, Step.PUSH);
            }
            return;
        }
        if (!lockList(LruLocks.GLOBAL, pushCpu)) {
            markPendingFree(node);
            return;
        }
        try {
            bpfLruNodeMove(0, node, T_FREE, Step.PUSH);
        } finally {
            locks.unlockList(LruLocks.GLOBAL, pushCpu);
        }
    }

    /** A push that could not take its lock: the node stays where it is, marked free for later passes. */
    private void markPendingFree(int node) {
        pendingFree[node] = true;
        if (trace) {
            events.accept(new LruEvent.PendingFreeMarked(mapId, node));
        }
    }

    // ------------------------------------------------------------------ per-CPU LRU

    /** POP on CPU c for NO_COMMON_LRU (bpf_percpu_lru_pop_free): rotate on every pop, shrink when FREE is empty. */
    private int bpfPercpuLruPopFree(int c, int h) {
        if (!lockList(c, c)) {
            return -1;
        }
        try {
            return percpuPop(c, h);
        } finally {
            locks.unlockList(c, c);
        }
    }

    private int percpuPop(int c, int h) {
        bpfLruListRotate(c);
        int free = lruSentinel(c, T_FREE);
        if (next[free] == free) {
            bpfLruListShrink(c, PERCPU_FREE_TARGET, free, T_FREE);
        }
        int node = next[free];
        if (node == free) {
            return -1;
        }
        hash[node] = h;
        ref[node] = 0;
        bpfLruNodeMove(c, node, T_INACTIVE, Step.POP);
        return node;
    }

    /** PUSH for NO_COMMON_LRU (bpf_percpu_lru_push_free): back to the head of its owner's FREE list. */
    private void bpfPercpuLruPushFree(int node) {
        byte t = type[node];
        if (t == T_FREE) {
            throw new IllegalStateException("BpfLru: push of node " + node + " which is already FREE");
        }
        int owner = cpu[node];
        if (!lockList(owner, pushCpu)) {
            markPendingFree(node);
            return;
        }
        try {
            bpfLruNodeMove(owner, node, T_FREE, Step.PUSH);
        } finally {
            locks.unlockList(owner, pushCpu);
        }
    }

    // ------------------------------------------------------------------ list plumbing

    /** Insert {@code node} right after {@code pos} (a sentinel inserts at the head). */
    private void listAdd(int node, int pos) {
        int after = next[pos];
        next[pos] = node;
        prev[node] = pos;
        next[node] = after;
        prev[after] = node;
    }

    private void listDel(int node) {
        int p = prev[node];
        int n = next[node];
        next[p] = n;
        prev[n] = p;
        prev[node] = node;
        next[node] = node;
    }

    private void countInc(int l, byte t) {
        if (t == T_ACTIVE) {
            nrActive[l]++;
        } else if (t == T_INACTIVE) {
            nrInactive[l]++;
        }
    }

    private void countDec(int l, byte t) {
        if (t == T_ACTIVE) {
            nrActive[l]--;
        } else if (t == T_INACTIVE) {
            nrInactive[l]--;
        }
    }

    private int nrLruLists() {
        return percpu ? possibleCpus : 1;
    }

    private int lruSentinel(int l, byte t) {
        return nrElems + 3 * l + t;
    }

    private int localFreeSentinel(int c) {
        return nrElems + 3 + 2 * c;
    }

    private int pendingSentinel(int c) {
        return nrElems + 4 + 2 * c;
    }

    private int localCpuOfSentinel(int sentinel) {
        return (sentinel - nrElems - 3) / 2;
    }

    /** The CPU number events use for LRU list l. */
    private int lruCpu(int l) {
        return percpu ? l : LruEvent.GLOBAL;
    }

    private int lruIndex(int lruCpu) {
        if (!percpu) {
            return 0;
        }
        checkCpu(lruCpu, "lru list");
        return lruCpu;
    }

    private int sentinelOf(BpfLruListType t, int c) {
        switch (t) {
            case ACTIVE:
            case INACTIVE:
            case FREE:
                return lruSentinel(lruIndex(c), (byte) t.ordinal());
            default:
                if (percpu) {
                    throw new IllegalArgumentException("BpfLru: NO_COMMON_LRU has no " + t + " lists");
                }
                checkCpu(c, "listNodes");
                return t == BpfLruListType.LOCAL_FREE ? localFreeSentinel(c) : pendingSentinel(c);
        }
    }

    private BpfLruListType typeOf(int node) {
        return BpfLruListType.of(type[node]);
    }

    private void checkCpu(int c, String where) {
        if (c < 0 || c >= possibleCpus) {
            throw new IllegalArgumentException("BpfLru." + where + ": cpu " + c + " is not a possible CPU (0.."
                    + (possibleCpus - 1) + ")");
        }
    }

    private void checkNode(int node, String where) {
        if (node < 0 || node >= nrElems) {
            throw new IllegalArgumentException("BpfLru." + where + ": node " + node + " out of range 0.."
                    + (nrElems - 1));
        }
    }

    private void scanned(int l, int node, Step step, boolean referenced) {
        if (trace) {
            events.accept(new LruEvent.NodeScanned(mapId, lruCpu(l), node, step, referenced));
        }
    }

    private void emitMoved(int node, ListRef from, ListRef to, int after, Step step) {
        events.accept(new LruEvent.NodeMoved(mapId, node, from, to, after, ref[node] != 0, step));
    }

    /** Walk one list checking links and types; returns its length. */
    private int walkList(int sentinel, byte t, int ownerCpu, int[] seenOn, List<String> violations) {
        int len = 0;
        int p = sentinel;
        for (int n = next[sentinel]; n != sentinel; n = next[n]) {
            if (n >= nrElems || n < 0) {
                violations.add("list sentinel " + sentinel + ": reached foreign sentinel " + n);
                break;
            }
            if (prev[n] != p) {
                violations.add("node " + n + ": prev " + prev[n] + " but reached from " + p);
            }
            if (seenOn[n] >= 0) {
                violations.add("node " + n + " is on two lists (sentinels " + seenOn[n] + " and " + sentinel + ")");
                break; // also stops a cycle
            }
            seenOn[n] = sentinel;
            if (type[n] != t) {
                violations.add("node " + n + " has type " + typeOf(n) + " but is on a "
                        + BpfLruListType.of(t) + " list");
            }
            if (ownerCpu >= 0 && cpu[n] != ownerCpu) {
                violations.add("node " + n + " has cpu " + cpu[n] + " but is on cpu " + ownerCpu + "'s "
                        + BpfLruListType.of(t) + " list");
            }
            p = n;
            len++;
        }
        if (prev[sentinel] != p) {
            violations.add("list sentinel " + sentinel + ": tail link " + prev[sentinel] + " != last node " + p);
        }
        return len;
    }
}
