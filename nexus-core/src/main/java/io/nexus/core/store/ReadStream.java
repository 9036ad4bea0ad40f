package io.nexus.core.store;

import io.nexus.core.event.EventEnvelope;

import java.util.List;

/** The per-stream read role of an event store. */
public interface ReadStream {

    /**
     * The events of one stream selected by {@code query}, in version order. Reads its own writes:
     * an append that returned is visible to every later read. An unknown stream reads as empty.
     * Served from a per-stream index: the cost does not grow with the size of the whole store.
     */
    List<EventEnvelope> read(StreamQuery query);

    /** The stream's current version: the version of its last event, 0 when the stream does not exist. */
    long currentVersion(String streamId);
}
