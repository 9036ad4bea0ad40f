package io.nexus.core.store;

import io.nexus.core.event.EventEnvelope;

import java.util.List;

/**
 * Told of every committed append. Implementations must be quick and must not block: hand the events
 * to another thread or queue if work follows. An exception thrown here is logged and never fails the
 * append.
 */
@FunctionalInterface
public interface AppendListener {

    /** The envelopes of one committed append, in stream order. */
    void onAppend(List<EventEnvelope> events);
}
