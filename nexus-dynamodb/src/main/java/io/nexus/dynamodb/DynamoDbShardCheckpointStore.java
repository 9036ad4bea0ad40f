package io.nexus.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.Optional;

/**
 * Shard checkpoints in the checkpoints table, through {@link DynamoDbCheckpointStore} in the encoding of
 * {@link io.nexus.core.checkpoint.ShardCheckpoints}. There is no lease: run one reader per reader name at
 * a time. Thread-safe.
 *
 * @deprecated give {@link DynamoDbChangeCapture.Builder#checkpoints(io.nexus.core.checkpoint.CheckpointStore)}
 *             a {@link DynamoDbCheckpointStore}; this class is that, behind the old interface.
 */
@Deprecated
public final class DynamoDbShardCheckpointStore implements ShardCheckpointStore {

    private final ShardCheckpointStore delegate;

    /**
     * @param client    the caller's client
     * @param tableName the checkpoints table
     */
    public DynamoDbShardCheckpointStore(DynamoDbClient client, String tableName) {
        this.delegate = ShardCheckpointStore.over(new DynamoDbCheckpointStore(client, tableName));
    }

    @Override
    public Optional<ShardCheckpoint> load(String readerName, String shardId) {
        return delegate.load(readerName, shardId);
    }

    @Override
    public void save(String readerName, ShardCheckpoint checkpoint) {
        delegate.save(readerName, checkpoint);
    }
}
