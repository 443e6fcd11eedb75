package io.htablab.hashtab.htab.lru;

import io.htablab.hashtab.htab.event.EventSink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Test driver playing the hash table's role around a {@link BpfLru}: a key -> node map standing in
 * for the buckets, the LRU_HASH / LRU_PERCPU_HASH update algorithms of spec 9.10, delete and program
 * lookup. Return codes are errno values (0 on success).
 */
final class LruTestTable implements LruDeleteCallback {

    static final int BPF_ANY = 0;
    static final int BPF_NOEXIST = 1;
    static final int BPF_EXIST = 2;
    static final int ENOENT = 2;
    static final int ENOMEM = 12;
    static final int EEXIST = 17;
    static final int EINVAL = 22;

    private static final long NO_KEY = Long.MIN_VALUE;

    final BpfLru lru;
    private final boolean percpuHash;
    private final Map<Long, Integer> keyToNode = new HashMap<>();
    private final long[] nodeKey;
    /** Keys evicted by the LRU, in eviction order. */
    final List<Long> evicted = new ArrayList<>();
    int cpu;

    /**
     * @param percpuHash true for LRU_PERCPU_HASH, false for LRU_HASH
     * @param noCommonLru BPF_F_NO_COMMON_LRU (nrElems must then be a multiple of cpus)
     */
    LruTestTable(int nrElems, int cpus, boolean percpuHash, boolean noCommonLru, EventSink sink) {
        this.percpuHash = percpuHash;
        this.nodeKey = new long[nrElems];
        Arrays.fill(nodeKey, NO_KEY);
        this.lru = new BpfLru(nrElems, cpus, noCommonLru, this, sink);
        lru.bpfLruPopulate();
    }

    LruTestTable(int nrElems, int cpus, boolean percpuHash, boolean noCommonLru) {
        this(nrElems, cpus, percpuHash, noCommonLru, EventSink.NONE);
    }

    /** A hash standing in for jhash: only its round trip through the LRU matters. */
    static int hashOf(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    LruTestTable onCpu(int c) {
        this.cpu = c;
        return this;
    }

    @Override
    public boolean htabLruMapDeleteNode(int node, int hash) {
        long key = nodeKey[node];
        if (key == NO_KEY) {
            return false;
        }
        Integer linked = keyToNode.get(key);
        if (linked == null || linked != node) {
            return false;
        }
        if (hash != hashOf(key)) {
            throw new AssertionError("LRU passed hash " + hash + " for node " + node + " of key " + key
                    + ", expected " + hashOf(key));
        }
        keyToNode.remove(key);
        nodeKey[node] = NO_KEY;
        evicted.add(key);
        return true;
    }

    /** Syscall or program update (both allocate the same way on the LRU side). */
    int update(long key, int flags) {
        if (flags < 0 || flags > BPF_EXIST) {
            return EINVAL;
        }
        return percpuHash ? percpuUpdate(key, flags) : lruUpdate(key, flags);
    }

    /** LRU_HASH: pop before looking the key up; a replacement gets a fresh, referenced node. */
    private int lruUpdate(long key, int flags) {
        int node = lru.bpfLruPopFree(cpu, hashOf(key));
        if (node < 0) {
            return ENOMEM;
        }
        Integer old = keyToNode.get(key);
        int err = checkFlags(old, flags);
        if (err != 0) {
            lru.bpfLruPushFree(cpu, node); // evictions done by the pop stay done
            return err;
        }
        keyToNode.put(key, node);
        nodeKey[node] = key;
        if (old != null) {
            lru.bpfLruNodeSetRef(node);
            nodeKey[old] = NO_KEY;
            lru.bpfLruPushFree(cpu, old);
        }
        return 0;
    }

    /** LRU_PERCPU_HASH: EXIST never allocates; an existing key is updated in place and referenced. */
    private int percpuUpdate(long key, int flags) {
        int node = -1;
        if (flags != BPF_EXIST) {
            node = lru.bpfLruPopFree(cpu, hashOf(key));
            if (node < 0) {
                return ENOMEM;
            }
        }
        Integer old = keyToNode.get(key);
        int err = checkFlags(old, flags);
        if (err != 0) {
            if (node >= 0) {
                lru.bpfLruPushFree(cpu, node);
            }
            return err;
        }
        if (old != null) {
            lru.bpfLruNodeSetRef(old);
            if (node >= 0) {
                lru.bpfLruPushFree(cpu, node);
            }
            return 0;
        }
        keyToNode.put(key, node);
        nodeKey[node] = key;
        return 0;
    }

    private static int checkFlags(Integer old, int flags) {
        if (old != null && flags == BPF_NOEXIST) {
            return EEXIST;
        }
        if (old == null && flags == BPF_EXIST) {
            return ENOENT;
        }
        return 0;
    }

    /** Delete / lookup-and-delete: unlink, then push. */
    int delete(long key) {
        Integer node = keyToNode.remove(key);
        if (node == null) {
            return ENOENT;
        }
        nodeKey[node] = NO_KEY;
        lru.bpfLruPushFree(cpu, node);
        return 0;
    }

    /** Unlink a key without returning its node (the caller pushes it its own way). */
    void unlinkOnly(long key) {
        Integer node = keyToNode.remove(key);
        if (node != null) {
            nodeKey[node] = NO_KEY;
        }
    }

    /** Program lookup: sets the ref bit. */
    boolean progLookup(long key) {
        Integer node = keyToNode.get(key);
        if (node == null) {
            return false;
        }
        lru.bpfLruNodeSetRef(node);
        return true;
    }

    /** Syscall lookup: never touches the LRU. */
    boolean lookup(long key) {
        return keyToNode.containsKey(key);
    }

    Set<Long> keys() {
        return new TreeSet<>(keyToNode.keySet());
    }

    boolean isLinked(int node) {
        return nodeKey[node] != NO_KEY;
    }

    long keyOf(int node) {
        return nodeKey[node];
    }

    Integer nodeOf(long key) {
        return keyToNode.get(key);
    }

    int size() {
        return keyToNode.size();
    }

    /** A list's contents as keys (nodes without a key show as -1). */
    List<Long> listKeys(BpfLruListType type, int c) {
        List<Long> out = new ArrayList<>();
        for (int n : lru.listNodes(type, c)) {
            out.add(nodeKey[n] == NO_KEY ? -1L : nodeKey[n]);
        }
        return out;
    }

    /** Keys 1..n as a sorted set. */
    static Set<Long> range(long from, long toInclusive) {
        Set<Long> s = new TreeSet<>();
        for (long k = from; k <= toInclusive; k++) {
            s.add(k);
        }
        return s;
    }

    @SafeVarargs
    static Set<Long> union(Set<Long>... sets) {
        Set<Long> s = new TreeSet<>();
        for (Set<Long> x : sets) {
            s.addAll(x);
        }
        return s;
    }

    static Set<Long> keysOf(long... keys) {
        Set<Long> s = new TreeSet<>();
        for (long k : keys) {
            s.add(k);
        }
        return s;
    }
}
