package io.htablab.hashtab.htab.lru;

import io.htablab.hashtab.htab.event.EventSink;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.LruEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds LRU list membership, order and ref bits from the event stream alone (as a visualizer
 * would), so tests can compare it with the LRU's real state ({@link #mismatches}). Used on a bare
 * {@link BpfLru} here and, together with the hash-table fold, on whole LRU maps.
 */
public final class LruEventReplayer implements EventSink {

    final Map<LruEvent.ListRef, List<Integer>> lists = new HashMap<>();
    final Map<Integer, Boolean> refs = new HashMap<>();
    final Map<Integer, Boolean> pendingFree = new HashMap<>();
    final List<HtabEvent> all = new ArrayList<>();
    /** Inconsistencies inside the stream itself (a move from a list the node was not on, ...). */
    public final List<String> problems = new ArrayList<>();
    /** Whether to keep every event in {@link #all} (off for long runs). */
    private final boolean keepAll;

    public LruEventReplayer() {
        this(true);
    }

    public LruEventReplayer(boolean keepAll) {
        this.keepAll = keepAll;
    }

    @Override
    public void accept(HtabEvent event) {
        if (keepAll) {
            all.add(event);
        }
        if (event instanceof LruEvent.Populated p) {
            int perCpu = p.percpu() ? p.nrElems() / p.possibleCpus() : p.nrElems();
            int owners = p.percpu() ? p.possibleCpus() : 1;
            for (int c = 0; c < owners; c++) {
                List<Integer> free = list(BpfLruListType.FREE, p.percpu() ? c : LruEvent.GLOBAL);
                for (int n = (c + 1) * perCpu - 1; n >= c * perCpu; n--) {
                    free.add(n);
                    refs.put(n, false);
                }
            }
        } else if (event instanceof LruEvent.NodeMoved m) {
            List<Integer> from = list(m.from().type(), m.from().cpu());
            if (!from.remove((Integer) m.node())) {
                problems.add("node " + m.node() + " moved from " + m.from() + " where it was not: " + event);
            }
            List<Integer> to = list(m.to().type(), m.to().cpu());
            int at = 0;
            if (m.after() != LruEvent.SENTINEL) {
                at = to.indexOf(m.after()) + 1;
                if (at == 0) {
                    problems.add("insertion point " + m.after() + " not on " + m.to() + ": " + event);
                }
            }
            to.add(at, m.node());
            refs.put(m.node(), m.ref());
            if (m.to().type() == BpfLruListType.LOCAL_PENDING || m.from().type() == BpfLruListType.LOCAL_PENDING
                    || m.to().type() == BpfLruListType.LOCAL_FREE) {
                pendingFree.put(m.node(), false);
            }
        } else if (event instanceof LruEvent.RefSet r) {
            refs.put(r.node(), true);
        } else if (event instanceof LruEvent.PendingFreeMarked p) {
            pendingFree.put(p.node(), true);
        }
    }

    List<Integer> list(BpfLruListType type, int cpu) {
        return lists.computeIfAbsent(new LruEvent.ListRef(type, cpu), k -> new ArrayList<>());
    }

    /** Every list rebuilt from events against the real list of {@code lru}, and the ref bits; empty when equal. */
    public List<String> mismatches(BpfLru lru) {
        List<String> v = new ArrayList<>();
        for (int c = 0; c < lru.possibleCpus(); c++) {
            for (BpfLruListType type : BpfLruListType.values()) {
                boolean local = !type.isLruListType();
                if (local && lru.isPercpu()) {
                    continue;
                }
                if (!local && !lru.isPercpu() && c > 0) {
                    continue;
                }
                int eventCpu = local || lru.isPercpu() ? c : LruEvent.GLOBAL;
                int[] real = lru.listNodes(type, c);
                int[] rebuilt = list(type, eventCpu).stream().mapToInt(Integer::intValue).toArray();
                if (!java.util.Arrays.equals(real, rebuilt)) {
                    v.add(type + "(" + eventCpu + "): real " + java.util.Arrays.toString(real) + " rebuilt "
                            + java.util.Arrays.toString(rebuilt));
                }
            }
        }
        for (int node = 0; node < lru.nrElems(); node++) {
            if (refs.getOrDefault(node, false) != lru.nodeRef(node)) {
                v.add("ref of node " + node + ": real " + lru.nodeRef(node));
            }
        }
        return v;
    }
}
