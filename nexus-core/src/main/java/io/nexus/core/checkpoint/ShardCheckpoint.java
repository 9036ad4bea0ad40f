package io.nexus.core.checkpoint;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How far one reader got in one shard of a sharded stream (a Kinesis stream, a DynamoDB Stream).
 *
 * @param shardId        the shard; not blank
 * @param sequenceNumber the sequence number of the last record handled, {@code null} when none was yet
 * @param finished       whether the shard is closed and read to its end, so that its children may start
 */
public record ShardCheckpoint(String shardId, @Nullable String sequenceNumber, boolean finished) {

    public ShardCheckpoint {
        Checkpoint.requireText(shardId, "shardId");
        if (sequenceNumber != null && (sequenceNumber.isBlank() || sequenceNumber.indexOf('/') >= 0)) {
            throw new IllegalArgumentException("sequenceNumber must be null or non-blank text without '/', but was '"
                    + sequenceNumber + "'");
        }
    }

    /** The checkpoint after handling the record {@code sequenceNumber} of {@code shardId}. */
    public static ShardCheckpoint at(String shardId, String sequenceNumber) {
        return new ShardCheckpoint(shardId, Objects.requireNonNull(sequenceNumber, "sequenceNumber"), false);
    }

    /** This checkpoint marked as read to the shard's end. */
    public ShardCheckpoint finish() {
        return new ShardCheckpoint(shardId, sequenceNumber, true);
    }
}
