package io.htablab.hashtab.cfront;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * Headers parsed once per JVM and per preprocessor state, shared by every file and every edit that includes
 * them the same way. The key is (state before the include, header path): the state is a digest of everything
 * that can change what the header means at that point (the options: include paths, system paths, -D macros;
 * every {@code #define}/{@code #undef}/{@code #pragma once} seen so far; every header unit read so far, with
 * the fingerprints of the files it read). A header is only cached while nothing but directives has come
 * before it (the "clean prefix": then the parser's state is exactly the units read so far); anywhere else it is
 * read afresh, as is a header that uses {@code __COUNTER__} or {@code __BASE_FILE__} (state the key does not cover).
 * A cached unit is reused only when every file it read still has the fingerprint it had.
 *
 * <p>Bounded: the units kept weigh at most {@code -Dhtablab.cfront.headerCacheChars} characters of source
 * (default 32 Mi, about ten vmlinux.h), least recently used first out. Thread-safe; a unit being built is
 * waited for, not built twice.
 */
final class HeaderCache {

    static final HeaderCache SHARED = new HeaderCache(Long.getLong("htablab.cfront.headerCacheChars", 32L << 20));

    private record Key(String before, String path) {
    }

    private static final class Entry {
        final CountDownLatch done = new CountDownLatch(1);
        volatile HeaderUnit unit;
    }

    private final long budget;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long weight;
    private long hits;
    private long misses;
    private static final ThreadLocal<Set<Key>> BUILDING = ThreadLocal.withInitial(HashSet::new);

    HeaderCache(long budget) {
        this.budget = budget;
    }

    /**
     * The unit for {@code path} read in state {@code before}: a current cached one, or the one {@code build}
     * makes (stored unless its weight is negative, meaning "not cacheable"). Null when {@code build} returns null.
     */
    HeaderUnit get(String before, Path path, IncludeReader reader, Supplier<HeaderUnit> build) {
        Key key = new Key(before, path.toString());
        Set<Key> building = BUILDING.get();
        if (building.contains(key)) {
            return build.get(); // a header that includes itself in the same state: no waiting on ourselves
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            Entry e;
            boolean mine = false;
            synchronized (this) {
                e = entries.get(key);
                if (e == null) {
                    e = new Entry();
                    entries.put(key, e);
                    mine = true;
                    misses++;
                }
            }
            if (mine) {
                return buildInto(key, e, build, building);
            }
            try {
                e.done.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return build.get();
            }
            HeaderUnit u = e.unit;
            if (u != null && u.isCurrent(reader)) {
                synchronized (this) {
                    hits++;
                }
                return u;
            }
            synchronized (this) {
                if (entries.get(key) == e) {
                    entries.remove(key);
                    weight -= u == null ? 0 : Math.max(0, u.weight());
                }
            }
        }
        return build.get();
    }

    private HeaderUnit buildInto(Key key, Entry e, Supplier<HeaderUnit> build, Set<Key> building) {
        HeaderUnit u = null;
        building.add(key);
        try {
            u = build.get();
        } finally {
            building.remove(key);
            e.unit = u != null && u.weight() >= 0 ? u : null;
            e.done.countDown();
            synchronized (this) {
                if (e.unit == null) {
                    if (entries.get(key) == e) {
                        entries.remove(key);
                    }
                } else {
                    weight += u.weight();
                    evict(key);
                }
            }
        }
        return u;
    }

    private void evict(Key keep) {
        Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
        while (weight > budget && it.hasNext()) {
            Map.Entry<Key, Entry> x = it.next();
            if (x.getKey().equals(keep) || x.getValue().done.getCount() > 0) {
                continue;
            }
            HeaderUnit u = x.getValue().unit;
            weight -= u == null ? 0 : u.weight();
            it.remove();
        }
    }

    synchronized void clear() {
        entries.entrySet().removeIf(x -> x.getValue().done.getCount() == 0);
        weight = 0;
        for (Entry e : entries.values()) {
            HeaderUnit u = e.unit;
            weight += u == null ? 0 : u.weight();
        }
    }

    synchronized long hits() { return hits; }

    synchronized long misses() { return misses; }

    synchronized int size() { return entries.size(); }

    /** The next state: a SHA-256 over the previous state and what happened. */
    static String mix(String state, String event) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(state.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(event.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
