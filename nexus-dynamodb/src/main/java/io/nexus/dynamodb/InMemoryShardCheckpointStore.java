package io.nexus.dynamodb;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checkpoints in a map, lost with the process: for readers that start at the Stream's latest position
 * anyway, such as {@link DynamoDbEventStore#subscribe}. Thread-safe.
 */
public final class InMemoryShardCheckpointStore implements ShardCheckpointStore {

    private final Map<String, ShardCheckpoint> checkpoints = new ConcurrentHashMap<>();

    @Override
    public Optional<ShardCheckpoint> load(String readerName, String shardId) {
        return Optional.ofNullable(checkpoints.get(readerName + '\n' + shardId));
    }

    @Override
    public void save(String readerName, ShardCheckpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        checkpoints.put(readerName + '\n' + checkpoint.shardId(), checkpoint);
    }
}
