package io.nexus.core.projection;

import io.nexus.core.event.EventEnvelope;

/**
 * Told each time a projection has applied an event (the handler returned), for example to notify clients
 * waiting to read their own writes. Called on the processing thread (the appending thread in inline mode):
 * it must be quick and must not block. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface ProjectionListener {

    /** {@code projection} has applied {@code event}. */
    void applied(String projection, EventEnvelope event);
}
