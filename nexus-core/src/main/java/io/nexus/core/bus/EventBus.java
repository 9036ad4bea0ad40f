package io.nexus.core.bus;

import io.nexus.core.event.EventEnvelope;

import java.util.List;

/**
 * The event bus port: events published after they are stored, fanned out to independent consumer
 * groups on two paths chosen by a {@link RoutingRule}.
 *
 * <p>Contract, for every implementation (checked by {@code EventBusContract} in {@code nexus-test-kit}):
 * <ul>
 *   <li>the partition key is the aggregate (stream) id: events of one aggregate reach each consumer
 *       group in publish order, one at a time; different aggregates are delivered in parallel;</li>
 *   <li>every consumer group receives every event of its path (fan-out), independently of the others;</li>
 *   <li>delivery is at-least-once: an event is redelivered until the group's consumer acknowledges it,
 *       and a group that stops (crash or close) resumes from its stored checkpoints when it subscribes
 *       again, so nothing is lost and at most the unacknowledged tail is delivered twice;</li>
 *   <li>a group that subscribes for the first time starts from the oldest event the bus retains;</li>
 *   <li>a slow or failing consumer delays only its own group's events of the same partition: never
 *       another group, and never the other path;</li>
 *   <li>a consumer that keeps failing on an event gets it again with backoff up to the bus's consumer
 *       retry policy's attempts (5 by default), then the event becomes a dead letter in the bus's
 *       dead-letter queue and the partition moves on; on the primary path the later events of the same
 *       aggregate are parked behind the dead letter until it is retried or discarded through the
 *       {@link ConsumerGroup}; on the secondary path nothing is parked (see {@link ResilientConsumer}).</li>
 * </ul>
 * Thread-safe. Publishing is as quick as the transport allows and does not wait for consumers.
 */
public interface EventBus extends EventPublisher, AutoCloseable {

    /**
     * Publishes the envelopes of one append, in stream order, each to the path its routing rule names.
     * Returns once the bus holds them durably (as durable as the implementation is).
     *
     * @throws NullPointerException  if {@code events} or an element is {@code null}
     * @throws IllegalStateException if the bus is closed
     * @throws io.nexus.core.NexusException if the transport fails; {@link io.nexus.core.NexusException#isTransient()} tells whether to retry
     */
    @Override
    void publish(List<EventEnvelope> events);

    /**
     * Starts delivering the events of {@code path} to {@code consumer} as consumer group {@code group},
     * from the group's checkpoints (or the oldest retained event for a new group). Closing the returned
     * group stops delivery; events handled and acknowledged by then are checkpointed. The returned group
     * also reports the group's health and lists, retries and discards its dead letters.
     *
     * @param group    the consumer group; not blank; each group has its own checkpoints per path
     * @param path     the path to consume
     * @param consumer the handler
     * @throws IllegalArgumentException if {@code group} is blank
     * @throws IllegalStateException    if the bus is closed, or the implementation cannot run a second
     *                                  consumer of the same group and path at once
     */
    ConsumerGroup subscribe(String group, BusPath path, BusConsumer consumer);

    /** Stops every subscription and releases the bus's resources. Closing twice is harmless. */
    @Override
    void close();
}
