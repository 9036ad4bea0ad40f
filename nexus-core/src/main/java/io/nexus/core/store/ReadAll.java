package io.nexus.core.store;

import io.nexus.core.event.EventEnvelope;

import java.util.List;

/**
 * The global-log read role of an event store: every event of every stream in one order that never
 * changes once read, consistent with each stream's own order. Tracking processors (projections) use it
 * to catch up from any position, including zero.
 */
public interface ReadAll {

    /**
     * Up to {@code maxCount} events with global position {@code >= fromPosition}, in position order.
     * Positions start at 1, only grow, and may have gaps in a distributed store.
     */
    List<EventEnvelope> readAll(long fromPosition, int maxCount);

    /** The position of the last event in the global log, 0 when the store is empty. */
    long headPosition();
}
