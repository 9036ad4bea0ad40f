package io.nexus.core.aggregate;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The base class of every event-sourced aggregate.
 *
 * <p>A subclass decides in its command methods and records each decision as an event with
 * {@link #apply(Object)}: the event's handler changes the state at once, and the event is kept as
 * uncommitted until the repository appends it. State changes happen only in handlers, so replaying the
 * stored events rebuilds exactly the same state. Handlers are methods annotated with
 * {@link EventSourcingHandler} (found once per class) or an explicit {@link EventHandlers} table.
 *
 * <pre>{@code
 * public final class Order extends Aggregate {
 *     private boolean confirmed;
 *
 *     public void confirm() {
 *         if (confirmed) throw new CommandRejectedException("Order '" + id() + "' is already confirmed");
 *         apply(new OrderConfirmed(id()));
 *     }
 *
 *     @EventSourcingHandler
 *     private void on(OrderConfirmed e) { confirmed = true; }
 * }
 * }</pre>
 *
 * <p>All state lives on the instance: no thread-locals, no static lifecycle. An instance is used by one
 * thread at a time; the repository builds a fresh one for every load. Subclasses need a no-argument
 * constructor or a factory passed to {@link AggregateDefinition}.
 */
public abstract class Aggregate {

    private final HandlerTable handlers;
    private String id;
    private long version;
    private long persistedVersion;
    private final List<Object> uncommitted = new ArrayList<>(2);

    // Measured by the repository on load; read by the snapshot trigger on save.
    long eventsSinceSnapshot;
    long bytesLoaded;
    @Nullable Instant snapshotBaseline;
    Duration loadTime = Duration.ZERO;

    // The repository creates every aggregate it hands out and gives it its id (initialize) before any other call:
    // NullAway cannot see that, so the constructors do not initialize the id field themselves.

    /** Handlers are the methods annotated with {@link EventSourcingHandler}. */
    @SuppressWarnings("NullAway.Init")
    protected Aggregate() {
        this.handlers = HandlerTable.of(getClass());
    }

    /** Handlers are those of {@code handlers}, which must be declared for this class. */
    @SuppressWarnings("NullAway.Init")
    protected Aggregate(EventHandlers<? extends Aggregate> handlers) {
        Objects.requireNonNull(handlers, "handlers");
        if (!handlers.aggregateType().isAssignableFrom(getClass())) {
            throw new IllegalArgumentException("EventHandlers of " + handlers.aggregateType().getSimpleName()
                    + " passed to " + getClass().getSimpleName());
        }
        this.handlers = handlers.table();
    }

    /** The aggregate's id, which is also its stream id. */
    public final String id() {
        return id;
    }

    /** The version of the last event applied, uncommitted ones included; 0 for an aggregate with no events. */
    public final long version() {
        return version;
    }

    /** The version last loaded from or appended to the store: the expected version of the next append. */
    public final long persistedVersion() {
        return persistedVersion;
    }

    /** Whether the aggregate has no stored events yet. */
    public final boolean isNew() {
        return persistedVersion == 0;
    }

    /** The events applied since the aggregate was loaded or last saved, in order. */
    public final List<Object> uncommittedEvents() {
        return List.copyOf(uncommitted);
    }

    /**
     * Applies {@code event} to this aggregate through its handler and records it for appending.
     *
     * @throws MissingEventHandlerException if no handler takes the event's class
     */
    protected final void apply(Object event) {
        Objects.requireNonNull(event, "event");
        handlers.apply(this, event);
        uncommitted.add(event);
        version++;
    }

    final void initialize(String aggregateId) {
        this.id = aggregateId;
    }

    final void replay(Object event, long eventVersion) {
        handlers.apply(this, event);
        version = eventVersion;
        persistedVersion = eventVersion;
    }

    final void restoredAt(long snapshotVersion) {
        version = snapshotVersion;
        persistedVersion = snapshotVersion;
    }

    final List<Object> pendingEvents() {
        return uncommitted;
    }

    final void markCommitted(long newVersion) {
        uncommitted.clear();
        version = newVersion;
        persistedVersion = newVersion;
    }

    final void discardPending() {
        version -= uncommitted.size();
        uncommitted.clear();
    }

    final HandlerTable handlerTable() {
        return handlers;
    }
}
