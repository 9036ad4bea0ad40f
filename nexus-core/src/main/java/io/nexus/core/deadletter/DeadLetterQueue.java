package io.nexus.core.deadletter;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The dead-letter queue port: where consumers put events they gave up on. Retrying and discarding go
 * through the consumer that owns a dead letter (for projections, {@code ProjectionProcessor}), because it
 * must also release the events it parked behind it; this port only stores.
 *
 * <p>Contract: every method is visible to every later call once it returns; {@link #list} returns
 * a consumer's dead letters oldest first. Implementations are thread-safe; arguments are never
 * {@code null}.
 */
public interface DeadLetterQueue {

    /**
     * Stores {@code deadLetter}, replacing a stored one with the same id.
     *
     * @throws io.nexus.core.NexusException if the queue cannot be reached (transient)
     */
    void put(DeadLetter deadLetter);

    /** The dead letters of {@code consumer}, oldest first. */
    List<DeadLetter> list(String consumer);

    /** The dead letter with {@code id}, empty if there is none. */
    Optional<DeadLetter> find(UUID id);

    /** Removes the dead letter with {@code id}; {@code false} if there was none. */
    boolean remove(UUID id);

    /** How many dead letters {@code consumer} has. */
    default int count(String consumer) {
        return list(consumer).size();
    }
}
