package io.nexus.core.bus;

/**
 * The two delivery paths of an {@link EventBus}. Each path has its own partitions, consumers and
 * checkpoints, so a slow or failing consumer on one path never delays the other.
 */
public enum BusPath {

    /** Core events: ordered per aggregate, durable, the path projections and sagas rely on. */
    PRIMARY,

    /** Non-critical events (audit trails, analytics, notifications): queue-like, isolated from the primary path. */
    SECONDARY
}
