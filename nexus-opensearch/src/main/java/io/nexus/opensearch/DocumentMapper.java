package io.nexus.opensearch;

import io.nexus.core.event.EventEnvelope;
import org.jspecify.annotations.Nullable;

/**
 * Turns one event into the next state of a document: the user's half of an {@link OpenSearchProjection}.
 * Must be deterministic and free of side effects: the same current document and event always give the
 * same result (events may be delivered again, and rebuilds replay them all).
 *
 * @param <D> the document type
 */
@FunctionalInterface
public interface DocumentMapper<D> {

    /**
     * @param current  the document before this event, or {@code null} if there is none
     * @param event    the decoded (and upcast) event
     * @param envelope the event's envelope
     * @return the document after the event; {@code null} deletes the document
     */
    @Nullable D apply(@Nullable D current, Object event, EventEnvelope envelope);
}
