package io.htablab.hashtab.scenario;

import io.htablab.hashtab.htab.Errno;
import io.htablab.hashtab.htab.HtabAttr;

import java.util.List;

/** The htab-lab engine as a scenario {@link Backend}. (Being connected to the engine API.) */
public final class EngineBackend implements Backend {
    public static final int MAX_CPUS = 64;

    public void setPossibleCpusDirect(int cpus) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    public void setSeed(int seed) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public String name() {
        return "engine";
    }

    @Override
    public int possibleCpus() {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public void setPossibleCpus(long count) throws ScenarioException {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public Errno selectCpu(int cpu) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public Created create(String name, HtabAttr attr) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public void close(MapHandle map) {
    }

    @Override
    public ValueReply lookup(MapHandle map, byte[] key, long flags) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public Errno update(MapHandle map, byte[] key, byte[] value, long flags) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public Errno delete(MapHandle map, byte[] key) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public ValueReply lookupAndDelete(MapHandle map, byte[] key, long flags) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public KeyReply getNextKey(MapHandle map, byte[] key) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public BatchReply lookupBatch(MapHandle map, boolean andDelete, byte[] in, long count, long elemFlags) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public BatchReply updateBatch(MapHandle map, List<byte[]> keys, List<byte[]> values, long elemFlags) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public BatchReply deleteBatch(MapHandle map, List<byte[]> keys, long elemFlags) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public InfoReply info(MapHandle map) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public ValueReply progLookup(MapHandle map, byte[] key) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public Errno progUpdate(MapHandle map, byte[] key, byte[] value, long flags) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public Errno progDelete(MapHandle map, byte[] key) {
        throw new UnsupportedOperationException("engine not connected yet");
    }

    @Override
    public void close() {
    }
}
