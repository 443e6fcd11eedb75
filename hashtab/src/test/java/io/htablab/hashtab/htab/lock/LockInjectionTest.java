package io.htablab.hashtab.htab.lock;

import static io.htablab.hashtab.htab.lock.LockTestMaps.keyInBucket;
import static io.htablab.hashtab.htab.lock.LockTestMaps.le;
import static io.htablab.hashtab.htab.lock.LockTestMaps.u32;
import static io.htablab.hashtab.htab.lock.LockTestMaps.u64;
import static org.assertj.core.api.Assertions.assertThat;

import io.htablab.hashtab.htab.BatchResult;
import io.htablab.hashtab.htab.BpfMap;
import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.Htab;
import io.htablab.hashtab.htab.KernelProfile;
import io.htablab.hashtab.htab.MapFlag;
import io.htablab.hashtab.htab.MapType;
import io.htablab.hashtab.htab.OpResult;
import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.FreelistEvent;
import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.lru.BpfLru;
import io.htablab.hashtab.htab.lru.BpfLruListType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Injected lock failures take the kernel's failure paths (spec 10.2): the operation returns the lock's errno and
 * changes nothing (an LRU node popped before the failed bucket lock goes back), an eviction that cannot lock the
 * victim's bucket skips it, an LRU push that cannot lock marks its node pending_free, a pop that cannot lock gives up
 * or skips a CPU, a freelist pop or push that cannot lock a CPU's list uses another CPU's.
 */
class LockInjectionTest {

    private static void inject(BpfMap m, LockKind kind, int nth, Errno errno) {
        OpResult r = m.injectLockFailure(kind, nth, errno);
        assertThat(r.errno()).as("inject: %s", r.detail()).isEqualTo(Errno.OK);
    }

    private static Htab htab(BpfMap m) {
        return (Htab) m.state();
    }

    @Test
    void aFailedBucketLockChangesNothing() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, 8, 0);
        h.update(0, u32(1), u64(1), 0);
        int[] freelist0 = h.state().freelist(0);

        inject(h, LockKind.BUCKET, 1, Errno.EDEADLK);
        assertThat(h.update(0, u32(2), u64(2), 0)).isEqualTo(Errno.EDEADLK);
        inject(h, LockKind.BUCKET, 1, Errno.ETIMEDOUT);
        assertThat(h.update(0, u32(1), u64(9), 0)).isEqualTo(Errno.ETIMEDOUT);
        inject(h, LockKind.BUCKET, 1, Errno.EDEADLK);
        assertThat(h.delete(0, u32(1))).isEqualTo(Errno.EDEADLK);
        inject(h, LockKind.BUCKET, 1, Errno.EDEADLK);
        assertThat(h.lookupAndDelete(0, u32(1), 0).errno()).isEqualTo(Errno.EDEADLK);

        assertThat(h.count()).isEqualTo(1);
        assertThat(le(h.lookup(0, u32(1), 0).value())).isEqualTo(1);
        assertThat(h.state().freelist(0)).containsExactly(freelist0);
        assertThat(h.update(0, u32(2), u64(2), 0)).as("the injection was used up").isEqualTo(Errno.OK);
        assertThat(t.eventsOf(BucketEvent.BucketLockFailed.class)).hasSize(4)
                .allSatisfy(f -> assertThat(f.reason()).startsWith("injected"));
    }

    @Test
    void theNthAcquisitionFails() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, 8, 0);
        inject(h, LockKind.BUCKET, 3, Errno.EDEADLK);
        assertThat(h.update(0, u32(1), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(h.update(0, u32(2), u64(2), 0)).isEqualTo(Errno.OK);
        assertThat(h.update(0, u32(3), u64(3), 0)).isEqualTo(Errno.EDEADLK);
        assertThat(h.update(0, u32(3), u64(3), 0)).isEqualTo(Errno.OK);
    }

    @Test
    void aBatchStopsAtTheBucketItCannotLock() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, 8, 0);
        int a = keyInBucket(1, 8, 1);
        int b = keyInBucket(5, 8, 1);
        h.update(0, u32(a), u64(1), 0);
        h.update(0, u32(b), u64(2), 0);
        inject(h, LockKind.BUCKET, 2, Errno.EDEADLK); // bucket 1 locks, bucket 5 does not
        BatchResult r = h.lookupAndDeleteBatch(0, null, 8, 0, 0);
        assertThat(r.errno()).isEqualTo(Errno.EDEADLK);
        assertThat(r.count()).isEqualTo(1);
        assertThat(r.outBatch()).as("the cursor names the bucket that failed").containsExactly(5, 0, 0, 0);
        assertThat(r.keys()).hasSize(1);
        assertThat(h.count()).isEqualTo(1);
        assertThat(h.lookup(0, u32(b), 0).errno()).isEqualTo(Errno.OK);
    }

    @Test
    void anLruNodePoppedBeforeAFailedBucketLockGoesBack() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap lru = t.map(MapType.LRU_HASH, 8, 0);
        lru.update(0, u32(1), u64(1), 0);
        inject(lru, LockKind.BUCKET, 1, Errno.EDEADLK);
        assertThat(lru.update(0, u32(2), u64(2), 0)).isEqualTo(Errno.EDEADLK);
        assertThat(lru.count()).isEqualTo(1);
        BpfLru l = htab(lru).lru();
        assertThat(l.checkInvariants(n -> contains(lru, n))).isEmpty();
        // the popped node was pushed back onto CPU 0's local free stack, so the next pop hands it out again
        int[] localFree = l.listNodes(BpfLruListType.LOCAL_FREE, 0);
        assertThat(lru.update(0, u32(2), u64(2), 0)).isEqualTo(Errno.OK);
        assertThat(lru.state().chain(bucketOf(lru, 2))).contains(localFree[0]);
    }

    @Test
    void anEvictionThatCannotLockItsBucketSkipsThatVictim() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap lru = t.map(MapType.LRU_HASH, 4, 0); // target_free 1: each harvest evicts one key
        for (int k = 1; k <= 4; k++) {
            lru.update(0, u32(k), u64(k), 0);
        }
        // the 5th insert harvests: flush, no free node, shrink evicts the INACTIVE tail (key 1) ...
        inject(lru, LockKind.BUCKET, 1, Errno.EDEADLK);
        assertThat(lru.update(0, u32(5), u64(5), 0)).isEqualTo(Errno.OK);
        // ... whose bucket lock fails, so key 2 goes instead
        assertThat(lru.lookup(0, u32(1), 0).errno()).isEqualTo(Errno.OK);
        assertThat(lru.lookup(0, u32(2), 0).errno()).isEqualTo(Errno.ENOENT);
        List<LruEvent.EvictAttempted> evicts = t.eventsOf(LruEvent.EvictAttempted.class);
        assertThat(evicts).extracting(LruEvent.EvictAttempted::evicted).containsExactly(false, true);
        assertThat(htab(lru).lru().checkInvariants(n -> contains(lru, n))).isEmpty();
    }

    @Test
    void aPushThatCannotLockMarksItsNodePendingFree() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap lru = t.map(MapType.LRU_HASH, 8, 0);
        for (int k = 1; k <= 3; k++) {
            lru.update(0, u32(k), u64(k), 0);
        }
        BpfLru l = htab(lru).lru();
        int node = lru.state().chain(bucketOf(lru, 1))[0];
        inject(lru, LockKind.LRU, 1, Errno.EDEADLK);
        assertThat(lru.delete(0, u32(1))).isEqualTo(Errno.OK);
        assertThat(l.nodePendingFree(node)).isTrue();
        assertThat(lru.count()).isEqualTo(2);
        assertThat(t.eventsOf(LruEvent.PendingFreeMarked.class)).singleElement()
                .satisfies(e -> assertThat(e.node()).isEqualTo(node));
        assertThat(l.checkInvariants(n -> contains(lru, n))).isEmpty();
        // later passes treat it as free without evicting: fill the map and no EVICT is tried for it
        t.events.clear();
        for (int k = 10; k < 20; k++) {
            assertThat(lru.update(0, u32(k), u64(k), 0)).isEqualTo(Errno.OK);
        }
        assertThat(t.eventsOf(LruEvent.EvictAttempted.class)).noneSatisfy(e -> assertThat(e.node()).isEqualTo(node));
        assertThat(l.nodePendingFree(node)).isFalse();
        assertThat(l.checkInvariants(n -> contains(lru, n))).isEmpty();
    }

    @Test
    void aPopThatCannotTakeItsOwnLocalLockGivesUp() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap lru = t.map(MapType.LRU_HASH, 8, 0);
        inject(lru, LockKind.LRU, 1, Errno.ETIMEDOUT);
        assertThat(lru.update(0, u32(1), u64(1), 0)).isEqualTo(Errno.ENOMEM);
        assertThat(lru.count()).isZero();
        assertThat(htab(lru).lru().listNodes(BpfLruListType.FREE, 0)).hasSize(8);
        assertThat(lru.update(0, u32(1), u64(1), 0)).isEqualTo(Errno.OK);
    }

    @Test
    void aHarvestThatCannotLockTheGlobalListStealsInstead() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap lru = t.map(MapType.LRU_HASH, 8, 0); // target_free 2
        lru.update(1, u32(1), u64(1), 0); // CPU 1 harvests two nodes and keeps one on its LOCAL_FREE
        BpfLru l = htab(lru).lru();
        int spare = l.listNodes(BpfLruListType.LOCAL_FREE, 1)[0];
        inject(lru, LockKind.LRU, 2, Errno.EDEADLK); // CPU 0: own local lock ok, the global list lock fails
        assertThat(lru.update(0, u32(2), u64(2), 0)).isEqualTo(Errno.OK);
        assertThat(t.eventsOf(LruEvent.NodeStolen.class)).singleElement().satisfies(s -> {
            assertThat(s.node()).isEqualTo(spare);
            assertThat(s.victimCpu()).isEqualTo(1);
        });
        assertThat(l.listNodes(BpfLruListType.FREE, 0)).as("nothing was harvested").hasSize(6);
    }

    @Test
    void aStolenNodeThatCannotBeQueuedWaitsOnTheLocalFreeStack() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap lru = t.map(MapType.LRU_HASH, 8, 0);
        lru.update(1, u32(1), u64(1), 0);
        BpfLru l = htab(lru).lru();
        int spare = l.listNodes(BpfLruListType.LOCAL_FREE, 1)[0];
        // CPU 0's pop: its local lock (1), the global lock for the harvest (2, fails), the steal from CPU 0 (3) and
        // from CPU 1 (4, which gives the spare node), then its local lock again to queue the node (5, fails)
        inject(lru, LockKind.LRU, 2, Errno.EDEADLK);
        inject(lru, LockKind.LRU, 5, Errno.EDEADLK);
        assertThat(lru.update(0, u32(2), u64(2), 0)).isEqualTo(Errno.ENOMEM);
        assertThat(t.eventsOf(LruEvent.StolenNodeParked.class)).singleElement()
                .satisfies(e -> assertThat(e.node()).isEqualTo(spare));
        assertThat(l.listNodes(BpfLruListType.LOCAL_FREE, 0)).containsExactly(spare);
        assertThat(l.listNodes(BpfLruListType.LOCAL_FREE, 1)).isEmpty();
        assertThat(lru.count()).isEqualTo(1);
        assertThat(l.checkInvariants(n -> contains(lru, n))).isEmpty();
        // CPU 0's next pop finds it there
        assertThat(lru.update(0, u32(2), u64(2), 0)).isEqualTo(Errno.OK);
        assertThat(lru.state().chain(bucketOf(lru, 2))).containsExactly(spare);
    }

    @Test
    void aFreelistPopThatCannotLockTakesFromTheNextCpu() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, 8, 0);
        int[] cpu0 = h.state().freelist(0);
        int[] cpu1 = h.state().freelist(1);
        inject(h, LockKind.FREELIST, 1, Errno.EDEADLK);
        assertThat(h.update(0, u32(1), u64(1), 0)).isEqualTo(Errno.OK);
        assertThat(h.state().chain(bucketOf(h, 1))).containsExactly(cpu1[0]);
        assertThat(h.state().freelist(0)).containsExactly(cpu0);
        assertThat(t.eventsOf(FreelistEvent.FreelistLockFailed.class)).singleElement()
                .satisfies(e -> assertThat(e.listCpu()).isEqualTo(0));
    }

    @Test
    void aFreelistPushThatCannotLockGoesToAnotherCpusList() {
        LockTestMaps t = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t.map(MapType.HASH, 8, 0);
        h.update(0, u32(1), u64(1), 0);
        int elem = h.state().chain(bucketOf(h, 1))[0];
        inject(h, LockKind.FREELIST, 2, Errno.EDEADLK); // 1: the update's pop; 2: the delete's push onto CPU 0
        h.update(0, u32(2), u64(2), 0);
        assertThat(h.delete(0, u32(1))).isEqualTo(Errno.OK);
        assertThat(h.state().freelist(1)[0]).as("pushed onto CPU 1's list").isEqualTo(elem);
        assertThat(h.state().freelist(0)).doesNotContain(elem);
    }

    @Test
    void whatEachProfileCanInject() {
        LockTestMaps t618 = new LockTestMaps(KernelProfile.V6_18);
        BpfMap h = t618.map(MapType.HASH, 8, 0);
        assertThat(h.injectLockFailure(LockKind.BUCKET, 1, Errno.EBUSY).errno()).isEqualTo(Errno.EINVAL);
        assertThat(h.injectLockFailure(LockKind.LRU, 1, Errno.EDEADLK).detail()).contains("not an LRU map");
        assertThat(h.injectLockFailure(LockKind.BUCKET, 0, Errno.EDEADLK).errno()).isEqualTo(Errno.EINVAL);
        BpfMap lru = t618.map(MapType.LRU_HASH, 8, 0);
        assertThat(lru.injectLockFailure(LockKind.FREELIST, 1, Errno.EDEADLK).detail()).contains("no per-CPU freelist");
        BpfMap noPrealloc = t618.map(MapType.HASH, 8, MapFlag.NO_PREALLOC.bit());
        assertThat(noPrealloc.injectLockFailure(LockKind.FREELIST, 1, Errno.EDEADLK).errno()).isEqualTo(Errno.EINVAL);

        LockTestMaps t614 = new LockTestMaps(KernelProfile.V6_14);
        BpfMap old = t614.map(MapType.HASH, 8, 0);
        assertThat(old.injectLockFailure(LockKind.BUCKET, 1, Errno.EDEADLK).detail()).contains("EBUSY");
        assertThat(old.injectLockFailure(LockKind.FREELIST, 1, Errno.EDEADLK).detail()).contains("cannot fail");
        inject(old, LockKind.BUCKET, 1, Errno.EBUSY);
        assertThat(old.update(0, u32(1), u64(1), 0)).isEqualTo(Errno.EBUSY);
        assertThat(old.count()).isZero();
        assertThat(old.update(0, u32(1), u64(1), 0)).isEqualTo(Errno.OK);
    }

    private static int bucketOf(BpfMap m, int key) {
        return LockTestMaps.bucketOf(key, m.nBuckets());
    }

    private static boolean contains(BpfMap m, int node) {
        for (int b = 0; b < m.nBuckets(); b++) {
            for (int e : m.state().chain(b)) {
                if (e == node) {
                    return true;
                }
            }
        }
        return false;
    }
}
