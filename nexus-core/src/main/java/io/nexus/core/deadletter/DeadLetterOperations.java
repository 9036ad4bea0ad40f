package io.nexus.core.deadletter;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.policy.PolicyDeniedException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The operator's one handle on every dead letter of an application ({@code nexus.deadLetterOperations()}): those
 * of its projections and those of its event bus's consumer groups, listed, inspected, retried and discarded the
 * same way whoever owns them. Retries and discards are governed: they ask the application's policy (actions
 * {@code dead-letter-retry} and {@code dead-letter-discard}, attributes {@code consumer}, {@code deadLetterId}, and
 * {@code projection} or {@code group} and {@code path}) on behalf of the principal given, and every denial is
 * recorded in the audit log (allowances too, when the application audits them).
 *
 * <p>Consumers are found when asked: projections and consumer groups of a started application; a consumer group
 * is listed while it is subscribed (between {@code start()} and {@code close()}). Thread-safe.
 */
public interface DeadLetterOperations {

    /** Every consumer that keeps dead letters, projections first, each in registration order. */
    List<DeadLetterOwner> owners();

    /**
     * Every owner with its dead letters (oldest first), in the order of {@link #owners()}; owners without dead
     * letters are included with an empty list.
     *
     * @throws io.nexus.core.NexusException if a dead-letter queue cannot be read
     */
    Map<DeadLetterOwner, List<DeadLetter>> list();

    /**
     * The dead letter {@code id} of any owner, if it exists.
     *
     * @throws io.nexus.core.NexusException if a dead-letter queue cannot be read
     */
    Optional<DeadLetter> find(UUID id);

    /**
     * The owner of dead letter {@code id}.
     *
     * @throws DeadLetterNotFoundException if no owner has dead letter {@code id}
     */
    DeadLetterOwner ownerOf(UUID id);

    /**
     * The events of dead letter {@code id}'s aggregate held back behind it, in version order, as retrying or
     * discarding it would handle them (empty where the owner does not park: a secondary-path consumer group).
     *
     * @throws DeadLetterNotFoundException if no owner has dead letter {@code id}
     */
    List<EventEnvelope> parked(UUID id);

    /**
     * Hands dead letter {@code id}'s event to its owner again, on the calling thread, once the policy allows
     * {@code principal} to; on success the letter is removed and the aggregate's parked events are handled in
     * order, on failure it stays with the new cause and one more attempt.
     *
     * @param principal who asks (as in the policy input document); not {@code null}, may be empty
     * @return whether the event was handled
     * @throws DeadLetterNotFoundException if no owner has dead letter {@code id}
     * @throws PolicyDeniedException       if the policy denies; nothing changed
     * @throws IllegalStateException       if the owning consumer group was closed
     */
    boolean retry(UUID id, Map<String, String> principal);

    /**
     * Drops dead letter {@code id} without handling its event, once the policy allows {@code principal} to; the
     * aggregate's parked events are then handled in order.
     *
     * @param principal who asks; not {@code null}, may be empty
     * @throws DeadLetterNotFoundException if no owner has dead letter {@code id}
     * @throws PolicyDeniedException       if the policy denies; nothing changed
     * @throws IllegalStateException       if the owning consumer group was closed
     */
    void discard(UUID id, Map<String, String> principal);
}
