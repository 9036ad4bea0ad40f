package io.nexus.core.store;

import io.nexus.core.NexusException;

/**
 * An event is larger than the store accepts. Thrown before anything of the append is written.
 * Permanent: keep large data outside the event (store a reference) or split the event.
 */
public class EventTooLargeException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String streamId;
    private final String eventType;
    private final long size;
    private final long limit;

    public EventTooLargeException(String streamId, String eventType, long size, long limit) {
        super("Event '" + eventType + "' for stream '" + streamId + "' is " + size + " bytes but the store accepts at most "
                + limit + " bytes per event; store large data elsewhere and keep a reference in the event.");
        this.streamId = streamId;
        this.eventType = eventType;
        this.size = size;
        this.limit = limit;
    }

    public String streamId() {
        return streamId;
    }

    public String eventType() {
        return eventType;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
