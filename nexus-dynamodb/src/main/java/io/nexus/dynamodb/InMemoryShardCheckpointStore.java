package io.nexus.dynamodb;

import io.nexus.core.checkpoint.InMemoryCheckpointStore;

import java.util.Optional;

/**
 * Checkpoints in memory, lost with the process. Thread-safe.
 *
 * @deprecated give {@link DynamoDbChangeCapture.Builder#checkpoints(io.nexus.core.checkpoint.CheckpointStore)}
 *             an {@link InMemoryCheckpointStore}; this class is that, behind the old interface.
 */
@Deprecated
public final class InMemoryShardCheckpointStore implements ShardCheckpointStore {

    private final ShardCheckpointStore delegate = ShardCheckpointStore.over(new InMemoryCheckpointStore());

    @Override
    public Optional<ShardCheckpoint> load(String readerName, String shardId) {
        return delegate.load(readerName, shardId);
    }

    @Override
    public void save(String readerName, ShardCheckpoint checkpoint) {
        delegate.save(readerName, checkpoint);
    }
}
