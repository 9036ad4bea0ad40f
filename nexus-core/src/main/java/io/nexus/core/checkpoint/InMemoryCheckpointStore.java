package io.nexus.core.checkpoint;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded {@link CheckpointStore}: a concurrent map per consumer. Checkpoints live as long as the
 * instance, which is what a test or an embedded application restarting its consumers in one process
 * needs. Thread-safe.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {

    private final Clock clock;
    private final Map<String, Map<String, Checkpoint>> byConsumer = new ConcurrentHashMap<>();

    public InMemoryCheckpointStore() {
        this(Clock.systemUTC());
    }

    /** A store that stamps checkpoints with {@code clock}. */
    public InMemoryCheckpointStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Optional<Checkpoint> load(String consumer, String partition) {
        Checkpoint.requireText(consumer, "consumer");
        Checkpoint.requireText(partition, "partition");
        Map<String, Checkpoint> partitions = byConsumer.get(consumer);
        return partitions == null ? Optional.empty() : Optional.ofNullable(partitions.get(partition));
    }

    @Override
    public Map<String, Checkpoint> loadAll(String consumer) {
        Checkpoint.requireText(consumer, "consumer");
        Map<String, Checkpoint> partitions = byConsumer.get(consumer);
        return partitions == null ? Map.of() : Map.copyOf(partitions);
    }

    @Override
    public void save(String consumer, String partition, String position) {
        Checkpoint checkpoint = new Checkpoint(consumer, partition, position, clock.instant());
        byConsumer.computeIfAbsent(consumer, c -> new ConcurrentHashMap<>()).put(partition, checkpoint);
    }

    @Override
    public void reset(String consumer) {
        Checkpoint.requireText(consumer, "consumer");
        byConsumer.remove(consumer);
    }
}
