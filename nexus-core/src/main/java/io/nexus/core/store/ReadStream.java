package io.nexus.core.store;

import io.nexus.core.event.EventEnvelope;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;

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

    /**
     * The version at which stream {@code streamId} holds the event {@code eventId}; empty when the stream
     * holds no such event or does not exist. Event ids are unique per stream only: an event with this id in
     * another stream is not found. Reads its own writes, like {@link #read}: an append that returned is
     * found by every later call, and an append in progress is found either whole or not at all.
     *
     * <p>The command bus asks this before every decision, to recognise a command it already applied
     * (event ids derive from the command id), so stores answer it from the index that keeps event ids
     * unique rather than by reading the stream. This default does read the whole stream; it is correct,
     * and meant only for wrappers and test doubles. Thread-safe like the store.
     *
     * @param streamId the stream; not blank
     * @param eventId  the event id; not {@code null}
     * @return the event's version ({@code >= 1}), or empty
     * @throws IllegalArgumentException if {@code streamId} is blank
     * @throws NullPointerException     if {@code eventId} is {@code null}
     */
    default OptionalLong versionOf(String streamId, UUID eventId) {
        if (streamId == null || streamId.isBlank()) {
            throw new IllegalArgumentException("streamId must not be blank, but was '" + streamId + "'");
        }
        Objects.requireNonNull(eventId, "eventId");
        for (EventEnvelope event : read(StreamQuery.stream(streamId))) {
            if (event.eventId().equals(eventId)) {
                return OptionalLong.of(event.version());
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The events {@code query} selects and the version at which the same stream holds {@code eventId}: the answers
     * of {@link #read(StreamQuery) read(query)} and then {@link #versionOf versionOf(query.streamId(), eventId)}.
     * The lookup sees at least what the read saw: an append that the read shows is found, and an append that
     * returned before this call is in both. The command bus loads an aggregate with it and so learns in the same
     * call whether the command id was already applied.
     *
     * <p>This default makes the two calls in that order. A store whose reads are remote calls overrides it to answer
     * both in one (the PostgreSQL store does it in one statement, from one snapshot). Thread-safe like the store.
     *
     * @param query   the stream read; not {@code null}
     * @param eventId the event id to look up in {@code query}'s stream; not {@code null}
     * @return the events and the looked-up version; never {@code null}
     * @throws NullPointerException if {@code query} or {@code eventId} is {@code null}
     * @throws EventStoreUnavailableException if the store cannot be reached
     */
    default StreamRead readAndFind(StreamQuery query, UUID eventId) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(eventId, "eventId");
        List<EventEnvelope> events = read(query);
        return new StreamRead(events, versionOf(query.streamId(), eventId));
    }
}
