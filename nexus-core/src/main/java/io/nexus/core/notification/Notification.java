package io.nexus.core.notification;

import java.util.Objects;

/**
 * "A projection has applied this event": enough for a client to know whether its own write is visible.
 *
 * @param projection  the projection that applied it
 * @param aggregateId the aggregate (stream) id
 * @param version     the aggregate version now reflected by the projection
 * @param eventType   the type of the event applied (the latest one, when notifications were coalesced)
 */
public record Notification(String projection, String aggregateId, long version, String eventType) {

    public Notification {
        Objects.requireNonNull(projection, "projection");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(eventType, "eventType");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, but was " + version);
        }
    }
}
