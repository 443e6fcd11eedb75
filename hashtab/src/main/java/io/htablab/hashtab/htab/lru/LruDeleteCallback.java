package io.htablab.hashtab.htab.lru;

/**
 * The only way the LRU reaches the hash table: ask it to evict the element behind a node.
 * The kernel's counterpart is the {@code del_from_htab} callback given to {@code bpf_lru_init}.
 */
@FunctionalInterface
public interface LruDeleteCallback {
    /**
     * Unlink element {@code node} (stored hash {@code hash}) from its bucket if it is still linked.
     *
     * @return true when the element was found and unlinked (the LRU may then reuse the node)
     */
    boolean htabLruMapDeleteNode(int node, int hash);
}
