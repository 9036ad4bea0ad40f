package io.nexus.dynamodb;

import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.ShardCheckpoints;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a {@link DynamoDbChangeCapture} reader keeps its shard checkpoints, per reader name.
 *
 * <p>Implementations are thread-safe. A checkpoint saved is returned by every later {@link #load} of the
 * same reader and shard (read-your-writes); a reader is the only writer of its own checkpoints.
 *
 * @deprecated give {@link DynamoDbChangeCapture.Builder#checkpoints(CheckpointStore)} a core
 *             {@link CheckpointStore}: shard checkpoints are kept there by {@link ShardCheckpoints}, in the
 *             one encoding the Kinesis bus uses too.
 */
@Deprecated
public interface ShardCheckpointStore {

    /** The checkpoint of {@code shardId} for {@code readerName}, if one was saved. */
    Optional<ShardCheckpoint> load(String readerName, String shardId);

    /**
     * Stores {@code checkpoint} for {@code readerName}, replacing the one held for the same shard.
     *
     * @throws DynamoDbAccessException (or another {@link io.nexus.core.NexusException}) if it cannot be stored
     */
    void save(String readerName, ShardCheckpoint checkpoint);

    /**
     * Shard checkpoints kept in a core {@link CheckpointStore} in the encoding of {@link ShardCheckpoints}.
     *
     * @param store the core checkpoint store; not {@code null}
     * @return a view that reads and writes through {@code store}
     */
    static ShardCheckpointStore over(CheckpointStore store) {
        ShardCheckpoints shards = ShardCheckpoints.over(Objects.requireNonNull(store, "store"));
        return new ShardCheckpointStore() {
            @Override
            public Optional<ShardCheckpoint> load(String readerName, String shardId) {
                return shards.load(readerName, shardId)
                        .map(c -> new ShardCheckpoint(c.shardId(), c.sequenceNumber(), c.finished()));
            }

            @Override
            public void save(String readerName, ShardCheckpoint checkpoint) {
                Objects.requireNonNull(checkpoint, "checkpoint");
                shards.save(readerName, new io.nexus.core.checkpoint.ShardCheckpoint(checkpoint.shardId(),
                        checkpoint.sequenceNumber(), checkpoint.finished()));
            }
        };
    }
}
