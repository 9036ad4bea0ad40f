package io.nexus.core.projection;

import io.nexus.core.event.EventEnvelope;

import java.util.OptionalLong;
import java.util.Set;

/**
 * A read-side consumer of events: builds and keeps a read model up to date. Run by a
 * {@link ProjectionProcessor}, which reads the event store's global log from the projection's checkpoint,
 * decodes (and upcasts) each event of a declared type, and calls {@link #handle}.
 *
 * <p>Delivery is at-least-once: after a crash between handling an event and storing the checkpoint, the
 * event is handled again. Make {@code handle} idempotent with the event's idempotency key
 * ({@link EventEnvelope#idempotencyKey()}: stream id and version, unique per event and stable across
 * redeliveries) or its {@link EventEnvelope#eventId()}, for example by storing the aggregate version with
 * the read model and ignoring versions already applied. Events of one aggregate are handled in version
 * order; a processor calls {@code handle} from one thread at a time.
 */
public interface Projection {

    /**
     * A projection that declares its handlers by event class instead of type names:
     * {@code Projection.handling("order-summaries").on(OrderPlaced.class, (event, envelope) -> ...).build()}.
     * See {@link TypedProjection}.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    static TypedProjection.Builder handling(String name) {
        return new TypedProjection.Builder(name);
    }

    /** The projection's stable name: its checkpoints and dead letters are stored under it. Not blank. */
    String name();

    /** The event type names this projection handles; other events pass by without a call. Not empty. */
    Set<String> eventTypes();

    /**
     * Applies one event to the read model.
     *
     * @param event    the payload decoded to its registered class, upcast to the current schema version
     * @param envelope the envelope of the upcast payload (its schemaVersion is the payload's): stream id, version, position, timestamp, metadata as stored
     * @throws Exception anything; the processor retries the event with backoff and, past the retry limit,
     *                   dead-letters it with this exception as the cause and parks the aggregate's later events
     */
    void handle(Object event, EventEnvelope envelope) throws Exception;

    /**
     * The version of the last event of stream {@code streamId} that the read model holds, if the
     * projection can tell (a read model that stores the aggregate version can). The processor asks when
     * it meets a stream it has no memory of (after a restart) and finds an event whose predecessors the
     * read model lacks: it reads them back from the store and applies them first instead of applying the
     * event over the gap. Empty by default (the processor then relies on its own memory of the versions
     * it passed since starting). Called on the processing thread; must be quick and must not throw.
     */
    default OptionalLong lastAppliedVersion(String streamId) {
        return OptionalLong.empty();
    }
}
