package io.nexus.core.bus;

import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.Subscription;

import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * A running consumer group on one {@link BusPath}: what {@link EventBus#subscribe} returns. Besides
 * stopping delivery ({@link #close()}), it is the operator's handle on the group's failures: an event
 * the consumer still fails on after the bus's consumer retry policy becomes a {@link DeadLetter}; on the
 * {@link BusPath#PRIMARY primary} path the later events of the same aggregate are parked behind it in
 * the dead-letter queue (and acknowledged to the bus, so the rest of the partition moves on) until the
 * letter is retried or discarded; on the {@link BusPath#SECONDARY secondary} path nothing is parked
 * (a queue with a redrive policy: later events go on, the failed one waits to be redriven).
 *
 * <p>Dead letters and parked events are kept in the bus's dead-letter queue under {@link #consumer()},
 * so they survive a restart when that queue is durable: a group that subscribes again keeps its
 * aggregates parked until an operator acts.
 *
 * <p>Thread-safe: every method may be called from any thread while the bus delivers.
 */
public interface ConsumerGroup extends Subscription {

    /** The group's name, as given to {@link EventBus#subscribe}. */
    String group();

    /** The path this group consumes. */
    BusPath path();

    /**
     * The name this group's checkpoints and dead letters are kept under (for example
     * {@code "billing/primary"} on the embedded bus, {@code "billing/<kinesis stream>"} on Kinesis).
     */
    String consumer();

    /** The group's health now; answers without waiting for delivery. */
    ConsumerGroupHealth health();

    /**
     * How many events the group is behind, now: events published to its path that it has not yet handled
     * (acknowledged: handled, given up on as a dead letter, or parked), the one it is handling included. Each bus
     * defines how it counts: the {@linkplain InMemoryEventBus embedded bus} exactly; the Kinesis bus, which
     * knows no event counts, from the global-log positions its records carry (see its documentation). The
     * application's meter {@code nexus.bus.consumer.lag.events} reads it. Answers without waiting for delivery.
     *
     * @return the lag in events, never negative; empty when this bus cannot tell (the default), for the group's
     *         whole life
     */
    default OptionalLong lagEvents() {
        return OptionalLong.empty();
    }

    /** The group's dead letters, oldest first. */
    List<DeadLetter> deadLetters();

    /**
     * The events of aggregate {@code streamId} parked behind its dead letter (primary path), in version order;
     * empty when the aggregate is not parked. The default throws: a group that parks must say what it parked.
     *
     * @param streamId the aggregate's id; not {@code null}
     * @throws UnsupportedOperationException if this group cannot list its parked events
     * @throws io.nexus.core.NexusException  if the dead-letter queue cannot be read
     */
    default List<EventEnvelope> parked(String streamId) {
        throw new UnsupportedOperationException("Consumer group '" + consumer() + "' (" + getClass().getName()
                + ") cannot list its parked events; implement ConsumerGroup.parked");
    }

    /**
     * Hands a dead letter's event to the consumer again, on the calling thread, after the cause was fixed.
     * On success the letter is removed and, on the primary path, the aggregate's parked events are handled
     * in order (each with the consumer retry policy; one that still fails becomes the aggregate's new dead
     * letter and the events after it stay parked). On failure the letter stays, with the new cause and one
     * more attempt counted.
     *
     * @param id the dead letter's id; not {@code null}
     * @return whether the dead letter's event was handled
     * @throws DeadLetterNotFoundException if this group has no dead letter {@code id}
     * @throws IllegalStateException       if the group is closed (subscribe again to retry)
     */
    boolean retryDeadLetter(UUID id);

    /**
     * Drops a dead letter without handling its event. On the primary path the aggregate's parked events
     * are then handled in order, as after a successful {@link #retryDeadLetter retry}.
     *
     * @param id the dead letter's id; not {@code null}
     * @throws DeadLetterNotFoundException if this group has no dead letter {@code id}
     * @throws IllegalStateException       if the group is closed (subscribe again to discard)
     */
    void discardDeadLetter(UUID id);

    /** Stops delivery; events acknowledged by then are checkpointed. Dead letters and parked events stay. */
    @Override
    void close();
}
