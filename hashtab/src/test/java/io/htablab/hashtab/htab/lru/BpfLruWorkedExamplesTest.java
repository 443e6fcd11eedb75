package io.htablab.hashtab.htab.lru;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.htablab.hashtab.htab.lru.BpfLruListType.ACTIVE;
import static io.htablab.hashtab.htab.lru.BpfLruListType.FREE;
import static io.htablab.hashtab.htab.lru.BpfLruListType.INACTIVE;
import static io.htablab.hashtab.htab.lru.BpfLruListType.LOCAL_FREE;
import static io.htablab.hashtab.htab.lru.BpfLruListType.LOCAL_PENDING;
import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_ANY;
import static io.htablab.hashtab.htab.lru.LruTestTable.BPF_NOEXIST;
import static io.htablab.hashtab.htab.lru.LruTestTable.EEXIST;
import static io.htablab.hashtab.htab.lru.LruTestTable.keysOf;
import static io.htablab.hashtab.htab.lru.LruTestTable.range;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spec 9.11 worked examples A..E (verified on the live kernel, P = 2) and the shared oracle examples
 * 03/04 (key sets after each step; their dump order depends on jhash, which the LRU does not see).
 */
class BpfLruWorkedExamplesTest {

    private static final int P = 2;

    private static void ok(LruTestTable t, long key) {
        assertThat(t.update(key, BPF_ANY)).as("update %d", key).isZero();
        assertThat(t.lru.checkInvariants(t::isLinked)).isEmpty();
    }

    @Test
    void exampleA_ninthInsertionEvictsTwoKeysAtOnce() {
        LruTestTable t = new LruTestTable(8, P, false, false);
        assertThat(t.lru.targetFree()).isEqualTo(2);
        for (long k = 1; k <= 8; k++) {
            ok(t, k);
        }
        assertThat(t.keys()).isEqualTo(range(1, 8));
        ok(t, 9);
        assertThat(t.evicted).containsExactly(1L, 2L);
        assertThat(t.keys()).isEqualTo(range(3, 9));
    }

    @Test
    void exampleB_stepByStepListsOnOneCpu() {
        LruTestTable t = new LruTestTable(4, P, false, false);
        assertThat(t.lru.targetFree()).isEqualTo(1);
        assertThat(t.lru.listNodes(FREE, 0)).containsExactly(3, 2, 1, 0);

        ok(t, 1);
        assertThat(t.listKeys(LOCAL_PENDING, 0)).containsExactly(1L);
        assertThat(t.listKeys(INACTIVE, 0)).isEmpty();
        assertThat(t.lru.listNodes(FREE, 0)).containsExactly(2, 1, 0);

        ok(t, 2);
        assertThat(t.listKeys(LOCAL_PENDING, 0)).containsExactly(2L);
        assertThat(t.listKeys(INACTIVE, 0)).containsExactly(1L);

        ok(t, 3);
        assertThat(t.listKeys(INACTIVE, 0)).containsExactly(2L, 1L);
        assertThat(t.listKeys(LOCAL_PENDING, 0)).containsExactly(3L);

        ok(t, 4);
        assertThat(t.listKeys(INACTIVE, 0)).containsExactly(3L, 2L, 1L);
        assertThat(t.listKeys(LOCAL_PENDING, 0)).containsExactly(4L);
        assertThat(t.lru.listNodes(FREE, 0)).isEmpty();

        assertThat(t.progLookup(1)).isTrue();
        assertThat(t.lru.nodeRef(t.nodeOf(1))).isTrue();

        ok(t, 5);
        assertThat(t.evicted).containsExactly(2L);
        assertThat(t.listKeys(ACTIVE, 0)).containsExactly(1L);
        assertThat(t.lru.nodeRef(t.nodeOf(1))).as("promotion clears ref").isFalse();
        assertThat(t.listKeys(INACTIVE, 0)).containsExactly(4L, 3L);
        assertThat(t.listKeys(LOCAL_PENDING, 0)).containsExactly(5L);
        assertThat(t.keys()).isEqualTo(keysOf(1, 3, 4, 5));

        ok(t, 6);
        assertThat(t.evicted).containsExactly(2L, 3L);
        assertThat(t.listKeys(INACTIVE, 0)).containsExactly(5L, 4L);
        assertThat(t.listKeys(ACTIVE, 0)).containsExactly(1L);
        assertThat(t.keys()).isEqualTo(keysOf(1, 4, 5, 6));
    }

    @Test
    void exampleC_otherCpuHarvestsFromTheSharedGlobalList() {
        LruTestTable t = new LruTestTable(4, P, false, false);
        for (long k = 1; k <= 4; k++) {
            ok(t, k);
        }
        t.onCpu(1);
        ok(t, 5);
        assertThat(t.evicted).containsExactly(1L);
        ok(t, 6);
        assertThat(t.evicted).containsExactly(1L, 2L);
        assertThat(t.keys()).isEqualTo(keysOf(3, 4, 5, 6));
    }

    @Test
    void exampleD_replacementPopsFirstAndFailedNoexistDoesNotEvict() {
        LruTestTable t = new LruTestTable(4, P, false, false);
        for (long k = 1; k <= 4; k++) {
            ok(t, k);
        }
        assertThat(t.update(4, BPF_ANY)).isZero();
        assertThat(t.evicted).containsExactly(1L);
        int newNode = t.nodeOf(4);
        assertThat(t.lru.nodeRef(newNode)).as("replacement node is referenced").isTrue();
        assertThat(t.update(4, BPF_NOEXIST)).isEqualTo(EEXIST);
        assertThat(t.evicted).containsExactly(1L);
        assertThat(t.keys()).isEqualTo(keysOf(2, 3, 4));
        // The refused node went back onto CPU0's LOCAL_FREE stack; the referenced 4 was flushed to ACTIVE.
        assertThat(t.lru.listNodes(LOCAL_FREE, 0)).hasSize(1);
        assertThat(t.listKeys(ACTIVE, 0)).containsExactly(4L);
        assertThat(t.lru.checkInvariants(t::isLinked)).isEmpty();
    }

    @Test
    void exampleE_noCommonLruShrinksUpToFourOfTheCpusOwnKeys() {
        LruTestTable t = new LruTestTable(4, P, false, true);
        t.onCpu(0);
        ok(t, 1);
        ok(t, 2);
        t.onCpu(1);
        ok(t, 3);
        ok(t, 4);
        t.onCpu(0);
        ok(t, 5);
        assertThat(t.evicted).containsExactly(1L, 2L);
        assertThat(t.keys()).isEqualTo(keysOf(3, 4, 5));
        t.onCpu(1);
        assertThat(t.progLookup(3)).isTrue();
        ok(t, 6);
        assertThat(t.evicted).containsExactly(1L, 2L, 4L);
        assertThat(t.keys()).isEqualTo(keysOf(3, 5, 6));
        assertThat(t.listKeys(ACTIVE, 1)).containsExactly(3L);
        assertThat(t.listKeys(INACTIVE, 1)).containsExactly(6L);
        assertThat(t.listKeys(INACTIVE, 0)).containsExactly(5L);
        assertThat(t.lru.listNodes(FREE, 0)).hasSize(1);
    }

    /** oracle/examples/03-lru-eviction: LRU_HASH max 4, 8-byte keys, all on CPU 0. */
    @Test
    void oracle03_lruEviction() {
        LruTestTable t = new LruTestTable(4, P, false, false);
        for (long k = 1; k <= 4; k++) {
            ok(t, k);
        }
        assertThat(t.lookup(1)).isTrue(); // syscall lookup: no reference
        assertThat(t.progLookup(2)).isTrue();
        ok(t, 5);
        assertThat(t.keys()).isEqualTo(keysOf(2, 3, 4, 5));
        ok(t, 6);
        assertThat(t.keys()).isEqualTo(keysOf(2, 4, 5, 6));
        assertThat(t.update(2, BPF_NOEXIST)).isEqualTo(EEXIST);
        assertThat(t.update(7, BPF_NOEXIST)).isZero();
        assertThat(t.keys()).isEqualTo(keysOf(2, 5, 6, 7));
        ok(t, 8); // program update: allocates the same way
        assertThat(t.keys()).isEqualTo(keysOf(2, 6, 7, 8));
    }

    /** oracle/examples/04-lru-no-common: LRU_HASH NO_COMMON_LRU max 3 (rounded up to 4 by the table). */
    @Test
    void oracle04_lruNoCommon() {
        LruTestTable t = new LruTestTable(4, P, false, true);
        t.onCpu(0);
        ok(t, 1);
        ok(t, 2);
        t.onCpu(1);
        ok(t, 11);
        ok(t, 12);
        assertThat(t.keys()).isEqualTo(keysOf(1, 2, 11, 12));
        t.onCpu(0);
        assertThat(t.progLookup(1)).isTrue();
        ok(t, 3);
        assertThat(t.keys()).isEqualTo(keysOf(1, 3, 11, 12));
        t.onCpu(1);
        ok(t, 13);
        assertThat(t.keys()).isEqualTo(keysOf(1, 3, 13));
        t.onCpu(0);
        assertThat(t.delete(13)).isZero();
        assertThat(t.lru.listNodes(FREE, 1)).as("pushed to its owner's list").hasSize(2);
        ok(t, 4);
        assertThat(t.keys()).isEqualTo(keysOf(1, 4));
        assertThat(t.lru.checkInvariants(t::isLinked)).isEmpty();
        assertThat(List.of(t.lru.nodeCpu(t.nodeOf(1)), t.lru.nodeCpu(t.nodeOf(4)))).containsExactly(0, 0);
    }
}
