package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.lru.BpfLruListType;

import java.util.Arrays;

/**
 * The BPF LRU's lists as folded from {@link LruEvent}s: circular doubly-linked lists with one sentinel
 * per list, indexed like the kernel's (node id == element index).
 */
public final class LruModel {
    private final int nrElems;
    private final int possibleCpus;
    private final boolean percpu;
    private final int targetFree;
    private final int nrScans;
    private final int lruLists;
    private final int nLists;
    private int[] prev;
    private int[] next;
    private int[] listOf;
    private int[] size;
    private boolean[] ref;
    private int[] nodeCpu;
    private int[] rot;
    private int[] nextSteal;
    private int lastMoved = -1;
    private int lastScanned = -1;
    private LruEvent.Step lastStep;

    LruModel(LruEvent.Populated p) {
        nrElems = p.nrElems();
        possibleCpus = p.possibleCpus();
        percpu = p.percpu();
        targetFree = p.targetFree();
        nrScans = p.nrScans();
        lruLists = percpu ? possibleCpus : 1;
        nLists = 3 * lruLists + (percpu ? 0 : 2 * possibleCpus);
        int total = nrElems + nLists;
        prev = new int[total];
        next = new int[total];
        listOf = new int[nrElems];
        size = new int[nLists];
        ref = new boolean[nrElems];
        nodeCpu = new int[nrElems];
        Arrays.fill(listOf, -1);
        Arrays.fill(nodeCpu, -1);
        for (int l = 0; l < nLists; l++) {
            int s = sentinel(l);
            prev[s] = s;
            next[s] = s;
        }
        rot = new int[lruLists];
        Arrays.fill(rot, LruEvent.SENTINEL);
        nextSteal = new int[possibleCpus];
        for (int c = 0; c < possibleCpus; c++) {
            nextSteal[c] = c;
        }
        if (percpu) {
            int pe = nrElems / possibleCpus;
            for (int c = 0; c < possibleCpus; c++) {
                int l = listId(BpfLruListType.FREE, c);
                for (int i = c * pe; i < (c + 1) * pe; i++) {
                    insertAfter(i, sentinel(l), l);
                    nodeCpu[i] = c;
                }
            }
        } else {
            int l = listId(BpfLruListType.FREE, LruEvent.GLOBAL);
            for (int i = 0; i < nrElems; i++) {
                insertAfter(i, sentinel(l), l);
            }
        }
    }

    private LruModel(LruModel o) {
        nrElems = o.nrElems;
        possibleCpus = o.possibleCpus;
        percpu = o.percpu;
        targetFree = o.targetFree;
        nrScans = o.nrScans;
        lruLists = o.lruLists;
        nLists = o.nLists;
        prev = o.prev.clone();
        next = o.next.clone();
        listOf = o.listOf.clone();
        size = o.size.clone();
        ref = o.ref.clone();
        nodeCpu = o.nodeCpu.clone();
        rot = o.rot.clone();
        nextSteal = o.nextSteal.clone();
        lastMoved = o.lastMoved;
        lastScanned = o.lastScanned;
        lastStep = o.lastStep;
    }

    LruModel copy() {
        return new LruModel(this);
    }

    void apply(LruEvent e) {
        if (e instanceof LruEvent.NodeMoved m) {
            int to = listId(m.to().type(), m.to().cpu());
            unlinkNode(m.node());
            int at = m.after() == LruEvent.SENTINEL ? sentinel(to) : m.after();
            insertAfter(m.node(), at, to);
            ref[m.node()] = m.ref();
            if (!m.to().type().isLruListType() || percpu) {
                nodeCpu[m.node()] = m.to().cpu();
            }
            lastMoved = m.node();
            lastStep = m.step();
        } else if (e instanceof LruEvent.RefSet r) {
            ref[r.node()] = true;
            lastMoved = r.node();
        } else if (e instanceof LruEvent.RotationCursorMoved r) {
            rot[lruIndex(r.lruCpu())] = r.to();
        } else if (e instanceof LruEvent.NextStealMoved n) {
            nextSteal[n.cpu()] = n.to();
        } else if (e instanceof LruEvent.NodeScanned s) {
            lastScanned = s.node();
            lastStep = s.step();
        } else if (e instanceof LruEvent.NodePopped p) {
            lastMoved = p.node();
            lastStep = LruEvent.Step.POP;
        } else if (e instanceof LruEvent.NodeStolen s) {
            lastMoved = s.node();
            lastStep = LruEvent.Step.STEAL;
        }
    }

    private int lruIndex(int lruCpu) {
        return lruCpu == LruEvent.GLOBAL ? 0 : lruCpu;
    }

    /** Index of a list; LRU lists of the common LRU are named by {@link LruEvent#GLOBAL}. */
    public int listId(BpfLruListType type, int cpu) {
        if (type.isLruListType()) {
            return 3 * (percpu ? cpu : 0) + type.ordinal();
        }
        return 3 * lruLists + 2 * cpu + (type == BpfLruListType.LOCAL_FREE ? 0 : 1);
    }

    private int sentinel(int list) {
        return nrElems + list;
    }

    private void unlinkNode(int n) {
        int l = listOf[n];
        if (l < 0) {
            return;
        }
        next[prev[n]] = next[n];
        prev[next[n]] = prev[n];
        size[l]--;
        listOf[n] = -1;
    }

    private void insertAfter(int n, int at, int list) {
        int nx = next[at];
        prev[n] = at;
        next[n] = nx;
        next[at] = n;
        prev[nx] = n;
        listOf[n] = list;
        size[list]++;
    }

    // ------------------------------------------------------------------ read-only

    /** Nodes of a list, head first. */
    public int[] list(BpfLruListType type, int cpu) {
        int l = listId(type, cpu);
        int[] out = new int[size[l]];
        int s = sentinel(l);
        int i = 0;
        for (int p = next[s]; p != s && i < out.length; p = next[p]) {
            out[i++] = p;
        }
        return out;
    }

    public int size(BpfLruListType type, int cpu) {
        return size[listId(type, cpu)];
    }

    public boolean ref(int node) {
        return ref[node];
    }

    public int nodeCpu(int node) {
        return nodeCpu[node];
    }

    /** The INACTIVE rotation cursor: a node id or {@link LruEvent#SENTINEL}. */
    public int rotationCursor(int lruCpu) {
        return rot[lruIndex(lruCpu)];
    }

    public int nextSteal(int cpu) {
        return nextSteal[cpu];
    }

    public boolean isPercpu() {
        return percpu;
    }

    public int nrElems() {
        return nrElems;
    }

    public int possibleCpus() {
        return possibleCpus;
    }

    public int targetFree() {
        return targetFree;
    }

    public int nrScans() {
        return nrScans;
    }

    public int lastMoved() {
        return lastMoved;
    }

    public int lastScanned() {
        return lastScanned;
    }

    public LruEvent.Step lastStep() {
        return lastStep;
    }

    String fingerprint() {
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < nLists; l++) {
            int s = sentinel(l);
            sb.append('L').append(l).append('[');
            for (int p = next[s]; p != s; p = next[p]) {
                sb.append(p).append(ref[p] ? "*" : "").append(',');
            }
            sb.append(']');
        }
        sb.append(Arrays.toString(rot)).append(Arrays.toString(nextSteal)).append(Arrays.toString(nodeCpu))
                .append(lastMoved).append(lastScanned).append(lastStep).append('\n');
        return sb.toString();
    }
}
