package io.nexus.core.bus;

import io.nexus.core.event.EventEnvelope;

import java.util.List;

/**
 * Receives the events of each successful append right after it commits: the low-latency publish step
 * of the command path. A publisher that fails does not fail the command, whose events are already
 * stored; durable delivery comes from the store's global log and change capture, which tracking
 * consumers read from their checkpoints. Thread-safe.
 */
@FunctionalInterface
public interface EventPublisher {

    /** Publishes the envelopes of one append, in stream order. */
    void publish(List<EventEnvelope> events);

    /** Publishes nothing. */
    static EventPublisher none() {
        return events -> { };
    }
}
