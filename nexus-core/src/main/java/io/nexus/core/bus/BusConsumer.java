package io.nexus.core.bus;

import io.nexus.core.event.EventEnvelope;

/**
 * Receives the events of one consumer group on one {@link BusPath}.
 *
 * <p>Delivery is at-least-once: an event may arrive again after a failure or a restart, so a consumer
 * must be idempotent (use {@link EventEnvelope#eventId()} or {@link EventEnvelope#idempotencyKey()}).
 * Events of one aggregate arrive one at a time, in the order they were published; events of different
 * aggregates may arrive concurrently on different threads, so an implementation shared across
 * aggregates must be thread-safe.
 */
@FunctionalInterface
public interface BusConsumer {

    /**
     * Handles one event. Returning normally acknowledges it; throwing anything leaves it unacknowledged,
     * and the bus delivers it again (after a backoff) before any later event of the same aggregate, up to
     * the bus's consumer retry policy's attempts; then it becomes a dead letter of the group (see
     * {@link ConsumerGroup}). An {@link InterruptedException} means the group is stopping: the event stays
     * unacknowledged and is delivered again after a restart.
     */
    void onEvent(EventEnvelope event) throws Exception;
}
