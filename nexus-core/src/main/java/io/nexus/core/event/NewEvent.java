package io.nexus.core.event;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An event about to be appended: everything of an {@link EventEnvelope} except what the store
 * assigns (stream version, global position, timestamp).
 *
 * @param eventId       unique per stream; appending the same id twice is idempotent, see the event store contract
 * @param eventType     the registered name of the event type (stable across class renames)
 * @param schemaVersion the version of the event type's schema the payload was written with, at least 1
 * @param payload       the serialized body
 * @param correlationId the id shared by everything one request caused; may be {@code null}
 * @param causationId   the id of the command or event that caused this one; may be {@code null}
 * @param metadata      free-form user metadata, never {@code null}
 */
public record NewEvent(UUID eventId, String eventType, int schemaVersion, EventPayload payload,
                       @Nullable String correlationId, @Nullable String causationId, Map<String, String> metadata) {

    public NewEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(payload, "payload");
        if (eventType == null || eventType.isBlank()) {
            throw new IllegalArgumentException("eventType must not be blank, but was '" + eventType + "'");
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be >= 1, but was " + schemaVersion);
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A new event with a fresh id ({@link EventIds#next()}) and no correlation, causation or metadata. */
    public static NewEvent of(String eventType, int schemaVersion, EventPayload payload) {
        return new NewEvent(EventIds.next(), eventType, schemaVersion, payload, null, null, Map.of());
    }

    /** The size this event counts against a store's event size limit: payload plus metadata text. */
    public int approximateSize() {
        int size = payload.size() + eventType.length() + 64;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            size += e.getKey().length() + e.getValue().length();
        }
        if (correlationId != null) {
            size += correlationId.length();
        }
        if (causationId != null) {
            size += causationId.length();
        }
        return size;
    }
}
