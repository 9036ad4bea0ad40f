package io.nexus.core.store;

import io.nexus.core.NexusException;

import java.util.UUID;

/**
 * An append carried an event id that the stream already holds at another position (or twice within
 * the batch). Re-sending the very same batch at the same position is not this error: it is an
 * idempotent success. Permanent: give the new event a new id.
 */
public class DuplicateEventIdException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String streamId;
    private final UUID eventId;

    public DuplicateEventIdException(String streamId, UUID eventId, String where) {
        super("Event id '" + eventId + "' in stream '" + streamId + "' " + where
                + "; give each new event a new id (re-sending an identical batch is accepted as a no-op).");
        this.streamId = streamId;
        this.eventId = eventId;
    }

    public String streamId() {
        return streamId;
    }

    public UUID eventId() {
        return eventId;
    }
}
