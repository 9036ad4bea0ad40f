package io.nexus.core.aggregate;

import org.jspecify.annotations.Nullable;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Explicit registration of an aggregate's event handlers, an alternative to annotated methods that
 * needs no reflection. Declare it once per aggregate class and pass it to
 * {@link Aggregate#Aggregate(EventHandlers)}:
 *
 * <pre>{@code
 * private static final EventHandlers<Order> HANDLERS = EventHandlers.of(Order.class)
 *         .on(OrderPlaced.class, Order::placed)
 *         .on(LineAdded.class, Order::lineAdded);
 *
 * public Order() { super(HANDLERS); }
 * }</pre>
 *
 * Registration happens before the first aggregate is built; after that the handlers are frozen and
 * {@link #on} fails. Thread-safe once frozen.
 *
 * @param <A> the aggregate type
 */
public final class EventHandlers<A extends Aggregate> {

    private final Class<A> aggregateType;
    private final Map<Class<?>, BiConsumer<Aggregate, Object>> handlers = new HashMap<>();
    private volatile @Nullable HandlerTable table;

    private EventHandlers(Class<A> aggregateType) {
        this.aggregateType = aggregateType;
    }

    public static <A extends Aggregate> EventHandlers<A> of(Class<A> aggregateType) {
        return new EventHandlers<>(Objects.requireNonNull(aggregateType, "aggregateType"));
    }

    /** Registers {@code handler} for events of {@code eventType} (and its subtypes without a handler of their own). */
    @SuppressWarnings("unchecked")
    public synchronized <E> EventHandlers<A> on(Class<E> eventType, BiConsumer<? super A, ? super E> handler) {
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(handler, "handler");
        if (table != null) {
            throw new IllegalStateException("handlers of " + aggregateType.getSimpleName() + " are frozen once an aggregate was built");
        }
        if (handlers.containsKey(eventType)) {
            throw new IllegalArgumentException(aggregateType.getSimpleName() + " has two handlers for " + eventType.getSimpleName());
        }
        handlers.put(eventType, (aggregate, event) -> ((BiConsumer<Aggregate, Object>) (BiConsumer<?, ?>) handler).accept(aggregate, event));
        return this;
    }

    HandlerTable table() {
        HandlerTable t = table;
        if (t == null) {
            synchronized (this) {
                if (table == null) {
                    table = new HandlerTable(aggregateType, handlers);
                }
                t = table;
            }
        }
        return t;
    }

    Class<A> aggregateType() {
        return aggregateType;
    }
}
