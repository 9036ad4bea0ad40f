package io.nexus.core;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A checkpoint store that counts the loads it passes on to another. */
public final class CountingCheckpoints implements CheckpointStore {

    private final CheckpointStore delegate;
    /** How many times {@link #load} was called. */
    public final AtomicInteger loads = new AtomicInteger();

    public CountingCheckpoints(CheckpointStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<Checkpoint> load(String consumer, String partition) {
        loads.incrementAndGet();
        return delegate.load(consumer, partition);
    }

    @Override
    public Map<String, Checkpoint> loadAll(String consumer) {
        return delegate.loadAll(consumer);
    }

    @Override
    public void save(String consumer, String partition, String position) {
        delegate.save(consumer, partition, position);
    }

    @Override
    public void reset(String consumer) {
        delegate.reset(consumer);
    }
}
