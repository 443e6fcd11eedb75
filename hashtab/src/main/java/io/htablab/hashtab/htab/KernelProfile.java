package io.htablab.hashtab.htab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which kernel the engine behaves like. The hash-map family changed between 6.14 and 6.18 in ways user space can
 * see; each difference is one method here so that the mechanism code asks a question ({@link #hasMapLockedGuard()})
 * instead of comparing versions.
 *
 * <ul>
 *   <li>{@link #V6_18} (default): resilient spinlocks everywhere (bucket, LRU and freelist locks may fail with
 *       EDEADLK/ETIMEDOUT), no recursion guard, common-LRU {@code target_free} scaled to the map size, LOCAL_FREE
 *       consumed in harvest order, hash_of_maps updated in place without extra elements. Verified against the live
 *       6.18.44 kernel.</li>
 *   <li>{@link #V6_14} (before 6.15): the per-CPU {@code map_locked} recursion guard around every bucket lock (8
 *       slots per map, {@code hash & min(7, n_buckets-1)}, EBUSY), raw spinlocks that cannot fail, {@code target_free}
 *       fixed at 128, LOCAL_FREE consumed last-harvested first, hash_of_maps updates that replace the element through
 *       the per-CPU extra elements. Taken from the v6.14 sources (hashtab.c, bpf_lru_list.c); no 6.14 kernel was
 *       available to check it live.</li>
 * </ul>
 */
public enum KernelProfile {
    V6_18("6.18"),
    V6_14("6.14");

    private final String scenarioName;

    KernelProfile(String scenarioName) {
        this.scenarioName = scenarioName;
    }

    /** The name scenarios and the command line use: {@code 6.18}, {@code 6.14}. */
    public String scenarioName() {
        return scenarioName;
    }

    /** The profile the engine uses unless told otherwise. */
    public static KernelProfile defaultProfile() {
        return V6_18;
    }

    /** The profile named {@code name} ({@code 6.18}, {@code 6.14}), or null. */
    public static KernelProfile fromScenarioName(String name) {
        for (KernelProfile p : values()) {
            if (p.scenarioName.equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** The names a scenario may give, for messages: {@code 6.18|6.14}. */
    public static String names() {
        StringBuilder sb = new StringBuilder();
        for (KernelProfile p : values()) {
            sb.append(sb.length() == 0 ? "" : "|").append(p.scenarioName);
        }
        return sb.toString();
    }

    /**
     * Before 6.15, htab_lock_bucket incremented a per-CPU counter {@code map_locked[hash & min(7, n_buckets-1)]} and
     * gave up with EBUSY when it was already taken on this CPU.
     */
    public boolean hasMapLockedGuard() {
        return this == V6_14;
    }

    /**
     * Since 6.15 the bucket, LRU and freelist locks are resilient queued spinlocks: an acquisition can fail with
     * EDEADLK (the same CPU holds it, or an ABBA cycle) or ETIMEDOUT. Before, they were raw spinlocks that never fail
     * (re-entering one would hang the CPU).
     */
    public boolean hasResilientLocks() {
        return this == V6_18;
    }

    /**
     * The common LRU's harvest target: clamp((nr_elems / P) / 2, 1, 128) since the 2025 change, a constant 128
     * (LOCAL_FREE_TARGET) before it.
     */
    public boolean lruTargetFreeScaled() {
        return this == V6_18;
    }

    /**
     * Whether a harvest's nodes are popped in the order they were gathered (6.18: a lock-free stack filled so that
     * the first gathered is on top). Before, harvested nodes were list_move()d to the head of the local free list
     * one by one, so the last gathered was popped first.
     */
    public boolean lruLocalFreeInHarvestOrder() {
        return this == V6_18;
    }

    /**
     * Since 6.15 a hash_of_maps update of an existing key swaps the inner map pointer in place
     * (htab_map_update_elem_in_place) and the map has no per-CPU extra elements. Before, it replaced the element like
     * a plain HASH update (new element at the chain head, the old one parked as the CPU's extra element).
     */
    public boolean fdHtabUpdatesInPlace() {
        return this == V6_18;
    }

    /**
     * Observed on 6.18.44: a replacing HASH update that re-enters the map on the same CPU while an outer replacing
     * update still has the CPU's extra element in use (between the extra swap and the release of the old element's
     * fields, under the outer bucket lock) fails with EBUSY. 6.14 has no such check: the nested update takes the
     * extra element the outer update is still releasing.
     */
    public boolean guardsExtraElemReentry() {
        return this == V6_18;
    }

    /**
     * The profile of the kernel this process runs on, from {@code /proc/sys/kernel/osrelease} ({@code 6.18.44-...} is
     * 6.18), or null when it is none of the modelled ones or cannot be read.
     */
    public static KernelProfile running() {
        String release = runningRelease();
        return release == null ? null : ofRelease(release);
    }

    /** The running kernel's release string, or null. */
    public static String runningRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease"), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The profile a kernel release ({@code 6.14.0}, {@code 6.18.44-fc}) is, or null. */
    public static KernelProfile ofRelease(String release) {
        String[] parts = release.split("[.\\-+]");
        if (parts.length < 2) {
            return null;
        }
        return fromScenarioName(parts[0] + "." + parts[1]);
    }

    @Override
    public String toString() {
        return scenarioName;
    }
}
