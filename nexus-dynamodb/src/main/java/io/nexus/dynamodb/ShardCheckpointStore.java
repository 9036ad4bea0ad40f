package io.nexus.dynamodb;

import java.util.Optional;

/**
 * Where a {@link DynamoDbChangeCapture} reader keeps its shard checkpoints, per reader name. Deliberately
 * small so that a general checkpoint port can stand behind it through a two-method adapter.
 *
 * <p>Implementations are thread-safe. A checkpoint saved is returned by every later {@link #load} of the
 * same reader and shard (read-your-writes); a reader is the only writer of its own checkpoints.
 */
public interface ShardCheckpointStore {

    /** The checkpoint of {@code shardId} for {@code readerName}, if one was saved. */
    Optional<ShardCheckpoint> load(String readerName, String shardId);

    /**
     * Stores {@code checkpoint} for {@code readerName}, replacing the one held for the same shard.
     *
     * @throws DynamoDbAccessException (or another {@link io.nexus.core.NexusException}) if it cannot be stored
     */
    void save(String readerName, ShardCheckpoint checkpoint);
}
