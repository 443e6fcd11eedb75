package io.htablab.hashtab.htab.store;

import java.util.Arrays;

/**
 * The bucket array: one chain head per bucket ("hlist_nulls_head").
 *
 * <p>A link (a head here, or an element's next in {@link ElemStore}) is either an element index
 * ({@code >= 0}) or a <em>nulls marker</em>. A marker is stored as {@code ~value} = {@code -(value + 1)}, always
 * negative, where {@code value} is the index of the bucket whose chain it ends. The kernel keeps
 * {@code (value << 1) | 1} in the pointer; only "is it a marker, and of which bucket" matters, which this
 * encoding answers with one sign test.
 */
public final class Buckets {

    private final int[] heads;

    public Buckets(int nBuckets) {
        heads = new int[nBuckets];
        for (int b = 0; b < nBuckets; b++) {
            heads[b] = nullsMarker(b); // every chain starts empty, ending in its own marker
        }
    }

    /** The link value that ends bucket {@code bucket}'s chain. */
    public static int nullsMarker(int bucket) {
        return ~bucket;
    }

    public static boolean isNulls(int link) {
        return link < 0;
    }

    /** The bucket index a marker designates (get_nulls_value). */
    public static int nullsValue(int link) {
        return ~link;
    }

    public int nBuckets() {
        return heads.length;
    }

    public int head(int bucket) {
        return heads[bucket];
    }

    /** Insert {@code elem} at the head of {@code bucket}'s chain (hlist_nulls_add_head_rcu). */
    public void addHead(ElemStore store, int bucket, int elem) {
        store.setNext(elem, heads[bucket]);
        heads[bucket] = elem;
    }

    /**
     * Unlink {@code elem} from {@code bucket}'s chain in place (hlist_nulls_del_rcu). The element's own next link
     * is left as it was, so a lockless walker standing on it can still move on.
     *
     * @return false when the element was not in that chain
     */
    public boolean unlink(ElemStore store, int bucket, int elem) {
        int cur = heads[bucket];
        if (cur == elem) {
            heads[bucket] = store.next(elem);
            return true;
        }
        while (!isNulls(cur)) {
            int nxt = store.next(cur);
            if (nxt == elem) {
                store.setNext(cur, store.next(elem));
                return true;
            }
            cur = nxt;
        }
        return false;
    }

    /** Number of elements in {@code bucket}'s chain. */
    public int chainLength(ElemStore store, int bucket) {
        int n = 0;
        for (int cur = heads[bucket]; !isNulls(cur); cur = store.next(cur)) {
            n++;
        }
        return n;
    }

    /** Element indices of the chain, head first (a copy). */
    public int[] chain(ElemStore store, int bucket) {
        int[] out = new int[chainLength(store, bucket)];
        int i = 0;
        for (int cur = heads[bucket]; !isNulls(cur); cur = store.next(cur)) {
            out[i++] = cur;
        }
        return out;
    }

    /** The nulls value the chain of {@code bucket} ends with (its own index unless the structure is broken). */
    public int chainEndMarker(ElemStore store, int bucket) {
        int cur = heads[bucket];
        while (!isNulls(cur)) {
            cur = store.next(cur);
        }
        return nullsValue(cur);
    }

    @Override
    public String toString() {
        return "Buckets" + Arrays.toString(heads);
    }
}
