package io.nexus.core.deadletter;

import io.nexus.core.event.EventEnvelope;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The dead-letter queue port: where consumers put events they gave up on. Retrying and discarding go
 * through the consumer that owns a dead letter (for projections, {@code ProjectionProcessor}), because it
 * must also release the events it parked behind it; this port only stores. A consumer that can read its
 * events back (a projection reads the event store) parks by remembering the blocked stream; one that
 * cannot (a bus consumer) keeps the parked events here with {@link #park}.
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

    /**
     * Whether what is stored here outlives the process (a table, a file), so a consumer may move its
     * checkpoint past a dead letter: after a restart the letter still parks its aggregate. A queue that
     * forgets on restart returns false, and consumers then keep their checkpoints before its letters.
     * True by default; thread-safe and constant.
     */
    default boolean isDurable() {
        return true;
    }

    /** How many dead letters {@code consumer} has. */
    default int count(String consumer) {
        return list(consumer).size();
    }

    /**
     * Keeps {@code event} parked for {@code consumer} behind the dead letter of its stream, for a consumer
     * that cannot read the event back from its source (a bus consumer: the bus moves on). Parking the same
     * event (same stream and version) again is a no-op.
     *
     * @throws io.nexus.core.NexusException if the queue cannot be reached (transient); nothing changed
     */
    void park(String consumer, EventEnvelope event);

    /** The events parked for {@code consumer} in stream {@code streamId}, in version order; empty if none. */
    List<EventEnvelope> parked(String consumer, String streamId);

    /**
     * Removes the events parked for {@code consumer} in stream {@code streamId} up to and including
     * {@code throughVersion} (after they were handled, or discarded with their dead letter).
     *
     * @return how many were removed
     */
    int unpark(String consumer, String streamId, long throughVersion);
}
