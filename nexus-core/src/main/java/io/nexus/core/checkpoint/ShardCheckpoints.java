package io.nexus.core.checkpoint;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Shard checkpoints of sharded-stream readers (the Kinesis bus's consumer groups, DynamoDB Streams change
 * capture) kept in the {@link CheckpointStore} port, in one encoding for every reader: consumer = the
 * reader's name, partition = the shard id, position = the last sequence number handled, followed by
 * {@value #FINISHED} once the shard is read to its end ({@value #NONE} stands for "no record yet", so a
 * shard closed before anything was read is {@code "-/finished"}).
 *
 * <p>Thread-safe when the store is; a reader is the only writer of its own checkpoints.
 */
public final class ShardCheckpoints {

    /** The suffix of a shard read to its end. */
    public static final String FINISHED = "/finished";
    /** The sequence number of a shard finished before any record was handled. */
    public static final String NONE = "-";
    /** The finished marker earlier releases of the Kinesis bus wrote; read as finished. */
    private static final String LEGACY_SHARD_END = "SHARD_END";

    private final CheckpointStore store;

    private ShardCheckpoints(CheckpointStore store) {
        this.store = store;
    }

    /**
     * Shard checkpoints kept in {@code store}.
     *
     * @throws NullPointerException if {@code store} is {@code null}
     */
    public static ShardCheckpoints over(CheckpointStore store) {
        return new ShardCheckpoints(Objects.requireNonNull(store, "store"));
    }

    /** The store behind these checkpoints. */
    public CheckpointStore store() {
        return store;
    }

    /**
     * The checkpoint of {@code shardId} for {@code reader}, if one was saved.
     *
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient)
     */
    public Optional<ShardCheckpoint> load(String reader, String shardId) {
        return store.load(reader, shardId).map(c -> decode(shardId, c.position()));
    }

    /**
     * Every shard checkpoint of {@code reader}, by shard id.
     *
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient)
     */
    public Map<String, ShardCheckpoint> loadAll(String reader) {
        Map<String, ShardCheckpoint> out = new java.util.HashMap<>();
        store.loadAll(reader).forEach((shard, c) -> out.put(shard, decode(shard, c.position())));
        return out;
    }

    /**
     * Stores {@code checkpoint} for {@code reader}, replacing the one held for its shard.
     *
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient); the previous checkpoint stands
     */
    public void save(String reader, ShardCheckpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        store.save(reader, checkpoint.shardId(), encode(checkpoint));
    }

    /** The stored position of {@code checkpoint}. */
    public static String encode(ShardCheckpoint checkpoint) {
        String sequence = checkpoint.sequenceNumber() == null ? NONE : checkpoint.sequenceNumber();
        return checkpoint.finished() ? sequence + FINISHED : sequence;
    }

    /**
     * The checkpoint of {@code shardId} stored as {@code position}.
     *
     * @throws IllegalArgumentException if {@code position} is blank
     */
    public static ShardCheckpoint decode(String shardId, String position) {
        Checkpoint.requireText(position, "position");
        if (LEGACY_SHARD_END.equals(position)) {
            return new ShardCheckpoint(shardId, null, true);
        }
        boolean finished = position.endsWith(FINISHED);
        String sequence = finished ? position.substring(0, position.length() - FINISHED.length()) : position;
        return new ShardCheckpoint(shardId, NONE.equals(sequence) ? null : sequence, finished);
    }
}
