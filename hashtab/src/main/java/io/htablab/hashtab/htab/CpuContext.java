package io.htablab.hashtab.htab;

import java.util.List;

/** A {@link BpfMap} seen from one CPU: the same operations without the CPU argument. */
public final class CpuContext {

    private final BpfMap map;
    private final int cpu;

    CpuContext(BpfMap map, int cpu) {
        this.map = map;
        this.cpu = cpu;
    }

    public int cpu() {
        return cpu;
    }

    public BpfMap map() {
        return map;
    }

    public ValueResult lookup(byte[] key, long flags) {
        return map.lookup(cpu, key, flags);
    }

    public ValueResult lookup(byte[] key) {
        return map.lookup(cpu, key, 0);
    }

    public Errno lookup(byte[] key, byte[] valueOut, long flags) {
        return map.lookup(cpu, key, valueOut, flags);
    }

    public Errno update(byte[] key, byte[] value, long flags) {
        return map.update(cpu, key, value, flags);
    }

    public Errno update(byte[] key, byte[] value) {
        return map.update(cpu, key, value, ElemFlag.BPF_ANY);
    }

    public Errno delete(byte[] key) {
        return map.delete(cpu, key);
    }

    public ValueResult lookupAndDelete(byte[] key, long flags) {
        return map.lookupAndDelete(cpu, key, flags);
    }

    public KeyResult getNextKey(byte[] keyOrNull) {
        return map.getNextKey(cpu, keyOrNull);
    }

    public BatchResult lookupBatch(byte[] inBatchOrNull, long count, long elemFlags, long flags) {
        return map.lookupBatch(cpu, inBatchOrNull, count, elemFlags, flags);
    }

    public BatchResult lookupAndDeleteBatch(byte[] inBatchOrNull, long count, long elemFlags, long flags) {
        return map.lookupAndDeleteBatch(cpu, inBatchOrNull, count, elemFlags, flags);
    }

    public BatchResult updateBatch(List<byte[]> keys, List<byte[]> values, long elemFlags) {
        return map.updateBatch(cpu, keys, values, elemFlags);
    }

    public BatchResult deleteBatch(List<byte[]> keys, long elemFlags) {
        return map.deleteBatch(cpu, keys, elemFlags);
    }

    public ValueResult progLookup(byte[] key) {
        return map.progLookup(cpu, key);
    }

    public Errno progLookup(byte[] key, byte[] valueOut) {
        return map.progLookup(cpu, key, valueOut);
    }

    public ValueResult progLookupPercpu(byte[] key, int targetCpu) {
        return map.progLookupPercpu(cpu, key, targetCpu);
    }

    public Errno progUpdate(byte[] key, byte[] value, long flags) {
        return map.progUpdate(cpu, key, value, flags);
    }

    public Errno progDelete(byte[] key) {
        return map.progDelete(cpu, key);
    }

    public ChainWalker beginLookup(byte[] key) {
        return map.beginLookup(cpu, key);
    }

    public io.htablab.hashtab.htab.fields.HelperResult bpfTimerInit(byte[] key, String field, long flags) {
        return map.bpfTimerInit(cpu, key, field, flags);
    }

    public io.htablab.hashtab.htab.fields.HelperResult bpfTimerSetCallback(byte[] key, String field,
            io.htablab.hashtab.htab.fields.BpfCallback callback) {
        return map.bpfTimerSetCallback(cpu, key, field, callback);
    }

    public io.htablab.hashtab.htab.fields.HelperResult bpfTimerStart(byte[] key, String field, long nsecs,
            long flags) {
        return map.bpfTimerStart(cpu, key, field, nsecs, flags);
    }

    public io.htablab.hashtab.htab.fields.HelperResult bpfTimerCancel(byte[] key, String field) {
        return map.bpfTimerCancel(cpu, key, field);
    }

    public io.htablab.hashtab.htab.fields.HelperResult bpfWqInit(byte[] key, String field, long flags) {
        return map.bpfWqInit(cpu, key, field, flags);
    }

    public io.htablab.hashtab.htab.fields.HelperResult bpfWqSetCallback(byte[] key, String field,
            io.htablab.hashtab.htab.fields.BpfCallback callback, long flags) {
        return map.bpfWqSetCallback(cpu, key, field, callback, flags);
    }

    public io.htablab.hashtab.htab.fields.HelperResult bpfWqStart(byte[] key, String field, long flags) {
        return map.bpfWqStart(cpu, key, field, flags);
    }

    public Errno progValueAdd(byte[] key, int offset, long delta) {
        return map.progValueAdd(cpu, key, offset, delta);
    }
}
