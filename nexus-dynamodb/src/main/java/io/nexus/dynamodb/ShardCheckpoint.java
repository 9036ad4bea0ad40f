package io.nexus.dynamodb;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How far a change-capture reader got in one shard of a DynamoDB Stream.
 *
 * @param shardId        the shard
 * @param sequenceNumber the sequence number of the last record handled, {@code null} when none was yet
 * @param finished       whether the shard is closed and fully read (its children may start)
 * @deprecated shard checkpoints are core's {@link io.nexus.core.checkpoint.ShardCheckpoint}, kept in the
 *             {@link io.nexus.core.checkpoint.CheckpointStore} port through
 *             {@link io.nexus.core.checkpoint.ShardCheckpoints}.
 */
@Deprecated
public record ShardCheckpoint(String shardId, @Nullable String sequenceNumber, boolean finished) {

    public ShardCheckpoint {
        Objects.requireNonNull(shardId, "shardId");
    }
}
