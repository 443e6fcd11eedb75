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
 * would), so tests can compare it with the LRU's real state.
 */
final class LruEventReplayer implements EventSink {

    final Map<LruEvent.ListRef, List<Integer>> lists = new HashMap<>();
    final Map<Integer, Boolean> refs = new HashMap<>();
    final Map<Integer, Boolean> pendingFree = new HashMap<>();
    final List<HtabEvent> all = new ArrayList<>();
    final List<String> problems = new ArrayList<>();

    @Override
    public void accept(HtabEvent event) {
        all.add(event);
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
}
