package io.nexus.dynamodb;

import io.nexus.core.checkpoint.CheckpointStore;

import java.util.Objects;
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

    /**
     * Shard checkpoints kept in a core {@link CheckpointStore} (the embedded one, {@link DynamoDbCheckpointStore},
     * or any other): consumer = reader name, partition = shard id, position = the sequence number, followed
     * by {@code "/finished"} once the shard is fully read ({@code "-"} stands for "no record yet").
     *
     * @param store the core checkpoint store; not {@code null}
     * @return a view that reads and writes through {@code store}
     */
    static ShardCheckpointStore over(CheckpointStore store) {
        Objects.requireNonNull(store, "store");
        String finished = "/finished";
        return new ShardCheckpointStore() {
            @Override
            public Optional<ShardCheckpoint> load(String readerName, String shardId) {
                return store.load(readerName, shardId).map(c -> {
                    String position = c.position();
                    boolean done = position.endsWith(finished);
                    String sequence = done ? position.substring(0, position.length() - finished.length()) : position;
                    return new ShardCheckpoint(shardId, "-".equals(sequence) ? null : sequence, done);
                });
            }

            @Override
            public void save(String readerName, ShardCheckpoint checkpoint) {
                String sequence = checkpoint.sequenceNumber() == null ? "-" : checkpoint.sequenceNumber();
                store.save(readerName, checkpoint.shardId(), checkpoint.finished() ? sequence + finished : sequence);
            }
        };
    }
}
