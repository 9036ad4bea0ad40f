package io.nexus.core.checkpoint;

import java.util.Map;
import java.util.Optional;

/**
 * The checkpoint store port: where tracking consumers (projections, bus consumer groups) keep how far
 * they have got, per partition, so that a restart resumes exactly where the last stored checkpoint says.
 *
 * <p>Contract, for every implementation: a {@link #save} is visible to every later {@link #load} once it
 * returns (read-your-writes), and a save replaces the previous position of the same consumer and
 * partition whatever its value (a rebuild moves a checkpoint backwards on purpose). Consumers save after
 * handling, so a crash between handling and saving redelivers: delivery is at-least-once.
 *
 * <p>Implementations are thread-safe. Arguments are never {@code null}; names are not blank.
 */
public interface CheckpointStore {

    /**
     * The stored checkpoint of {@code consumer} in {@code partition}, empty if none was saved.
     *
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient)
     */
    Optional<Checkpoint> load(String consumer, String partition);

    /**
     * Every stored checkpoint of {@code consumer}, by partition; empty if none.
     *
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient)
     */
    Map<String, Checkpoint> loadAll(String consumer);

    /**
     * Stores {@code position} as the last handled position of {@code consumer} in {@code partition}.
     *
     * @throws IllegalArgumentException     if a name or the position is blank
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient); the previous checkpoint stands
     */
    void save(String consumer, String partition, String position);

    /**
     * Removes every checkpoint of {@code consumer}, so that it starts again from the beginning.
     *
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient)
     */
    void reset(String consumer);
}
