package io.htablab.visualizer.model;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.event.FreelistEvent;
import io.htablab.hashtab.htab.event.HtabEvent;
import io.htablab.hashtab.htab.event.LruEvent;
import io.htablab.hashtab.htab.event.MapEvent;
import io.htablab.visualizer.model.fields.Field;
import io.htablab.visualizer.model.fields.MapTypes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One-line log text and a teaching explanation for every event. */
public final class EventText {
    private EventText() {
    }

    private static String lruCpu(int c) {
        return c == LruEvent.GLOBAL ? "global" : "CPU " + c;
    }

    private static String list(LruEvent.ListRef r) {
        return r.type() + (r.cpu() == LruEvent.GLOBAL ? "" : "[cpu" + r.cpu() + "]");
    }

    /** A compact log line, e.g. {@code NodeVisited b5 e3 hash=yes key=no}. */
    public static String brief(HtabEvent e) {
        return brief(e, null);
    }

    /**
     * The log line with keys and values written by field when map {@code m} (the event's map, may be null) has
     * known C types.
     */
    public static String brief(HtabEvent e, MapModel map) {
        if (e instanceof MapEvent.MapCreated c) {
            return "MapCreated " + c.type().scenarioName() + " key=" + c.keySize() + " value=" + c.valueSize()
                    + " max=" + c.maxEntries() + " buckets=" + c.nBuckets() + " seed=" + Hex.u32(c.hashrnd());
        } else if (e instanceof MapEvent.OpStarted s) {
            return "▶ " + s.op() + " on CPU " + s.cpu() + (s.key() == null ? "" : " key " + key(map, s.key()));
        } else if (e instanceof MapEvent.OpFinished f) {
            return "■ " + f.op() + " → " + f.result();
        } else if (e instanceof MapEvent.CounterChanged c) {
            return "count = " + c.count();
        } else if (e instanceof MapEvent.ElemAllocated a) {
            return "allocate e" + a.elem();
        } else if (e instanceof MapEvent.ElemFreed f) {
            return "free e" + f.elem();
        } else if (e instanceof MapEvent.ValueCopied v) {
            return "copy value into e" + v.elem() + (v.cpuSlot() >= 0 ? " slot " + v.cpuSlot() : "") + " @"
                    + v.offset() + " = " + copied(map, v);
        } else if (e instanceof MapEvent.Error err) {
            return "error " + err.errno() + ": " + err.reason();
        } else if (e instanceof BucketEvent.HashComputed h) {
            return "jhash(" + key(map, h.key()) + ", seed " + Hex.u32(h.seed()) + ") = " + Hex.u32(h.hash())
                    + " → bucket " + h.bucket();
        } else if (e instanceof BucketEvent.BucketLocked l) {
            return "lock bucket " + l.bucket() + " (CPU " + l.cpu() + ")";
        } else if (e instanceof BucketEvent.BucketUnlocked u) {
            return "unlock bucket " + u.bucket();
        } else if (e instanceof BucketEvent.NodeVisited v) {
            return "visit e" + v.elem() + " in bucket " + v.bucket() + ": hash " + (v.hashMatch() ? "=" : "≠")
                    + (v.hashMatch() ? ", key " + (v.keyMatch() ? "=" : "≠") : "");
        } else if (e instanceof BucketEvent.NullsReached n) {
            return "nulls marker " + n.marker() + (n.restart() ? " ≠ bucket " + n.bucket() + ": RESTART" : " (end)");
        } else if (e instanceof BucketEvent.ElemLinked l) {
            return "link e" + l.elem() + " at head of bucket " + l.bucket() + " (key " + key(map, l.key()) + ")";
        } else if (e instanceof BucketEvent.ElemUnlinked u) {
            return "unlink e" + u.elem() + " from bucket " + u.bucket();
        } else if (e instanceof FreelistEvent.Pop p) {
            return "pop e" + p.elem() + " from CPU " + p.listCpu() + "'s freelist";
        } else if (e instanceof FreelistEvent.Push p) {
            return "push e" + p.elem() + " onto CPU " + p.listCpu() + "'s freelist";
        } else if (e instanceof FreelistEvent.ExtraInit x) {
            return "e" + x.elem() + " becomes CPU " + x.cpu() + "'s extra";
        } else if (e instanceof FreelistEvent.ExtraSwap s) {
            return "extra swap on CPU " + s.cpu() + ": use e" + s.newElem() + ", park e" + s.oldElem();
        } else if (e instanceof LruEvent.Populated p) {
            return "LRU populated: " + p.nrElems() + " nodes, " + (p.percpu() ? "per-CPU lists" : "common list")
                    + ", target_free " + p.targetFree();
        } else if (e instanceof LruEvent.NodeMoved m) {
            return "n" + m.node() + ": " + list(m.from()) + " → " + list(m.to()) + (m.ref() ? " (ref)" : "") + " ["
                    + m.step() + "]";
        } else if (e instanceof LruEvent.RefSet r) {
            return "n" + r.node() + " ref = 1";
        } else if (e instanceof LruEvent.PopStarted p) {
            return "LRU pop on CPU " + p.cpu();
        } else if (e instanceof LruEvent.NodePopped p) {
            return "LRU hands out n" + p.node() + " to CPU " + p.cpu();
        } else if (e instanceof LruEvent.PopFailed p) {
            return "LRU pop failed on CPU " + p.cpu();
        } else if (e instanceof LruEvent.NodePushed p) {
            return "LRU push n" + p.node();
        } else if (e instanceof LruEvent.PendingFreeMarked p) {
            return "n" + p.node() + " pending_free";
        } else if (e instanceof LruEvent.HarvestStarted h) {
            return "harvest for CPU " + h.cpu() + " (target " + h.targetFree() + ")";
        } else if (e instanceof LruEvent.PendingFlushStarted f) {
            return "flush CPU " + f.cpu() + "'s pending list (" + f.nrNodes() + ")";
        } else if (e instanceof LruEvent.RotateStarted r) {
            return "rotate " + lruCpu(r.lruCpu()) + " (active " + r.nrActive() + ", inactive " + r.nrInactive()
                    + ")";
        } else if (e instanceof LruEvent.NodeScanned s) {
            return "scan n" + s.node() + (s.ref() ? " (ref)" : "") + " [" + s.step() + "]";
        } else if (e instanceof LruEvent.RotationCursorMoved r) {
            return "rotation cursor → " + (r.to() == LruEvent.SENTINEL ? "sentinel" : "n" + r.to());
        } else if (e instanceof LruEvent.ShrinkStarted s) {
            return "shrink " + lruCpu(s.lruCpu()) + ", want " + s.want();
        } else if (e instanceof LruEvent.ForcedPickStarted f) {
            return "forced pick from " + f.list();
        } else if (e instanceof LruEvent.EvictAttempted ev) {
            return (ev.evicted() ? "EVICT n" : "cannot evict n") + ev.node();
        } else if (e instanceof LruEvent.NodeStolen s) {
            return "CPU " + s.byCpu() + " steals n" + s.node() + " from CPU " + s.victimCpu();
        } else if (e instanceof LruEvent.NextStealMoved n) {
            return "CPU " + n.cpu() + " next_steal → " + n.to();
        } else if (e instanceof io.htablab.hashtab.htab.event.FieldEvent.SpinLockAcquired l) {
            return "CPU " + l.cpu() + " takes e" + l.elem() + "'s bpf_spin_lock @" + l.offset();
        } else if (e instanceof io.htablab.hashtab.htab.event.FieldEvent.SpinLockReleased l) {
            return "CPU " + l.cpu() + " releases e" + l.elem() + "'s bpf_spin_lock @" + l.offset();
        }
        return e.getClass().getSimpleName();
    }

    private static String key(MapModel m, byte[] k) {
        return m == null ? Hex.of(k) : m.keyText(k);
    }

    /**
     * The bytes of a value copy, by field when the value type is known: each CPU slot it covers; a slot covered in
     * part shows the members lying wholly inside the copied range.
     */
    static String copied(MapModel m, MapEvent.ValueCopied v) {
        MapTypes t = m == null ? null : m.types();
        if (t == null || !t.hasValue() || m.geometry() == null) {
            return Hex.of(v.bytes());
        }
        int size = m.geometry().valueSize();
        int stride = (int) MapModel.roundUp8(size);
        int slots = m.isPercpu() ? m.possibleCpus() : 1;
        int from = v.offset();
        int to = v.offset() + v.bytes().length;
        List<String> parts = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            int start = s * stride;
            int lo = Math.max(from, start);
            int hi = Math.min(to, start + size);
            if (lo >= hi) {
                continue;
            }
            byte[] slot = new byte[size];
            System.arraycopy(v.bytes(), lo - from, slot, lo - start, hi - lo);
            Field root = t.decodeValue(slot);
            String text;
            if (lo == start && hi == start + size) {
                text = root.text();
            } else {
                List<String> covered = new ArrayList<>();
                for (MapTypes.Line l : MapTypes.lines(root)) {
                    Field f = l.field();
                    if (!f.isPadding() && f.offset() >= lo - start && f.offset() + f.size() <= hi - start) {
                        covered.add(l.label() + "=" + l.text());
                    }
                }
                text = covered.isEmpty() ? Hex.of(Arrays.copyOfRange(slot, lo - start, hi - start))
                        : "{" + String.join(", ", covered) + "}";
            }
            parts.add(slots > 1 ? "CPU " + s + " " + text : text);
        }
        return parts.isEmpty() ? Hex.of(v.bytes()) : String.join(" | ", parts);
    }

    /** Why this step happens, in a sentence for the guided-mode caption. */
    public static String explain(HtabEvent e) {
        return explain(e, null);
    }

    /** {@link #explain(HtabEvent)} with keys and values by field when {@code m} has known C types. */
    public static String explain(HtabEvent e, MapModel map) {
        if (e instanceof MapEvent.MapCreated c) {
            return "The map is created with " + c.nBuckets() + " buckets (max_entries rounded up to a power of two)"
                    + (c.prealloc() ? " and " + c.numEntries() + " preallocated elements." : "; elements are "
                    + "allocated on demand.");
        } else if (e instanceof MapEvent.OpStarted s) {
            return s.op() + " starts on CPU " + s.cpu() + ".";
        } else if (e instanceof MapEvent.OpFinished f) {
            return f.op() + (f.result().isOk() ? " succeeds." : " returns " + f.result() + ".");
        } else if (e instanceof MapEvent.CounterChanged c) {
            return "The map's element count is now " + c.count() + ".";
        } else if (e instanceof MapEvent.ValueCopied v) {
            return "The value bytes are copied into element e" + v.elem() + (v.cpuSlot() >= 0 ? " (CPU " + v.cpuSlot()
                    + "'s slot)" : "") + ".";
        } else if (e instanceof BucketEvent.HashComputed h) {
            return "The key is hashed with jhash and the map's seed; the low bits (hash & (n_buckets-1)) pick "
                    + "bucket " + h.bucket() + ".";
        } else if (e instanceof BucketEvent.NodeVisited v) {
            return v.hashMatch()
                    ? (v.keyMatch() ? "Stored hash and key bytes both match: found." : "Same 32-bit hash, but the "
                    + "key bytes differ: a full collision, keep walking.")
                    : "The walk compares the stored 32-bit hash first; it differs, so the key bytes are not even "
                    + "compared.";
        } else if (e instanceof BucketEvent.NullsReached n) {
            return n.restart() ? "The chain ended on a nulls marker naming bucket " + n.marker() + ", not bucket "
                    + n.bucket() + ": the walker was carried into a foreign chain, so it restarts from its own "
                    + "bucket's head." : "The chain ends on the nulls marker of this bucket: the key is absent.";
        } else if (e instanceof BucketEvent.ElemLinked l) {
            return "New elements are always published at the head of their bucket's chain.";
        } else if (e instanceof BucketEvent.ElemUnlinked u) {
            return "Unlinked in place; the element keeps its next link so a lockless reader standing on it can "
                    + "walk on.";
        } else if (e instanceof BucketEvent.BucketLocked l) {
            return "Writers take the bucket lock; lookups never do.";
        } else if (e instanceof FreelistEvent.Pop p) {
            return "A new key takes the head of the current CPU's freelist (other CPUs' lists only when it is "
                    + "empty).";
        } else if (e instanceof FreelistEvent.Push p) {
            return "A freed element goes onto the CURRENT CPU's freelist, wherever it came from.";
        } else if (e instanceof FreelistEvent.ExtraSwap s) {
            return "Replacing a key uses this CPU's extra element and keeps the old element as the new extra, "
                    + "so a full map can still replace values.";
        } else if (e instanceof MapEvent.Error err) {
            return "The operation fails with " + err.errno() + ": " + err.reason() + ".";
        } else if (e instanceof LruEvent.RotateStarted r) {
            return "Rotation: referenced nodes move to ACTIVE; unreferenced ACTIVE nodes sink to INACTIVE.";
        } else if (e instanceof LruEvent.ShrinkStarted s) {
            return "No free node left: the LRU shrinks, evicting unreferenced nodes from the INACTIVE tail.";
        } else if (e instanceof LruEvent.EvictAttempted ev) {
            return ev.evicted() ? "The LRU evicts this node's key from the hash table." : "The node's key could "
                    + "not be evicted.";
        } else if (e instanceof LruEvent.RefSet r) {
            return "A BPF program lookup sets the reference bit; it protects the node at the next rotation.";
        } else if (e instanceof LruEvent.HarvestStarted h) {
            return "CPU " + h.cpu() + "'s local free list is empty: it harvests nodes from the global LRU.";
        } else if (e instanceof LruEvent.NodeStolen s) {
            return "Nothing left globally: CPU " + s.byCpu() + " steals a node from CPU " + s.victimCpu()
                    + "'s local lists.";
        } else if (e instanceof io.htablab.hashtab.htab.event.FieldEvent.SpinLockAcquired l) {
            return "BPF_F_LOCK: the value is copied while holding the element's own bpf_spin_lock (not the bucket "
                    + "lock), so a program using the same lock never sees half a value.";
        }
        return brief(e, map);
    }
}
