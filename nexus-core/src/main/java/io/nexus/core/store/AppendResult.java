package io.nexus.core.store;

import io.nexus.core.event.EventEnvelope;

import java.util.List;

/**
 * The outcome of a successful append.
 *
 * @param streamId   the stream appended to
 * @param newVersion the stream's version after the append (the version of its last event)
 * @param events     the stored envelopes, in stream order, with versions and positions assigned
 * @param duplicate  {@code true} when every event had already been stored by an earlier append of
 *                   the same ids: nothing was written and {@code events} are the stored originals
 */
public record AppendResult(String streamId, long newVersion, List<EventEnvelope> events, boolean duplicate) {

    public AppendResult {
        events = List.copyOf(events);
    }

    /** The global position of the last event appended, or {@link EventEnvelope#NO_POSITION}. */
    public long lastGlobalPosition() {
        return events.isEmpty() ? EventEnvelope.NO_POSITION : events.get(events.size() - 1).globalPosition();
    }
}
