package io.nexus.core.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A stored event with everything known about it.
 *
 * @param eventId        unique per stream; used for idempotency by stores and consumers
 * @param streamId       the stream, which is the aggregate's id
 * @param aggregateType  the aggregate type that owns the stream
 * @param version        1-based position of the event in its stream
 * @param globalPosition position in the store's global log, or {@link #NO_POSITION} when the store keeps none
 * @param eventType      the registered name of the event type
 * @param schemaVersion  the schema version of {@code payload}: the one it was written with as read from a store,
 *                       the current one after an upcast ({@link io.nexus.core.serialization.EventCodec#decodeWithEnvelope})
 * @param timestamp      when the store accepted the event; never decreases within a stream
 * @param correlationId  the id shared by everything one request caused; may be {@code null}
 * @param causationId    the id of the command or event that caused this one; may be {@code null}
 * @param metadata       free-form user metadata, never {@code null}
 * @param payload        the serialized body
 */
public record EventEnvelope(UUID eventId, String streamId, String aggregateType, long version, long globalPosition,
                            String eventType, int schemaVersion, Instant timestamp, @Nullable String correlationId,
                            @Nullable String causationId, Map<String, String> metadata, EventPayload payload) {

    /** The global position of an event whose store keeps no global log. */
    public static final long NO_POSITION = -1;

    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(payload, "payload");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, but was " + version);
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** Builds the stored form of {@code event} once a store has placed it. */
    public static EventEnvelope stored(NewEvent event, String streamId, String aggregateType, long version,
                                       long globalPosition, Instant timestamp) {
        return new EventEnvelope(event.eventId(), streamId, aggregateType, version, globalPosition, event.eventType(),
                event.schemaVersion(), timestamp, event.correlationId(), event.causationId(), event.metadata(),
                event.payload());
    }

    /** Whether the store that produced this envelope keeps a global log. */
    public boolean hasGlobalPosition() {
        return globalPosition != NO_POSITION;
    }

    /** The same event with another payload and schema version, as an upcaster produces it. */
    public EventEnvelope withPayload(String newEventType, int newSchemaVersion, EventPayload newPayload) {
        return new EventEnvelope(eventId, streamId, aggregateType, version, globalPosition, newEventType,
                newSchemaVersion, timestamp, correlationId, causationId, metadata, newPayload);
    }

    /** A key that identifies this delivery of this event for idempotent consumers. */
    public String idempotencyKey() {
        return streamId + "@" + version;
    }
}
