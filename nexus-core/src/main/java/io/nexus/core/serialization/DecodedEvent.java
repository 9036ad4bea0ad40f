package io.nexus.core.serialization;

import io.nexus.core.event.EventEnvelope;

import java.util.Objects;

/**
 * A stored event decoded for a reader: the payload object at the current schema version of its type, and
 * the envelope that describes that payload. When the event was upcast, {@code envelope} is the stored
 * envelope with the upcast payload bytes and the current {@link EventEnvelope#schemaVersion()}; every
 * other field (event id, stream, version, position, timestamp, ids, metadata) is as stored. When no upcast
 * was needed it is the stored envelope itself. Immutable.
 *
 * @param event    the payload as an object of its registered class; not null
 * @param envelope the envelope whose payload and schema version are those of {@code event}; not null
 */
public record DecodedEvent(Object event, EventEnvelope envelope) {

    public DecodedEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(envelope, "envelope");
    }
}
