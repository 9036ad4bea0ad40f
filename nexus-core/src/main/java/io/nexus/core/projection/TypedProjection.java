package io.nexus.core.projection;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.serialization.UnknownEventTypeException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A projection that declares its handlers by event class: extend it and register each handler with
 * {@link #on} in the constructor, or build one with {@link Projection#handling(String)}. The event type
 * names it consumes are derived from the application's {@link EventTypes} when its processor is built
 * ({@link #bind}), so a projection never spells a type name and never tests classes with
 * {@code instanceof}; a handler for a class the application does not register is a startup error.
 *
 * <pre>{@code
 * final class OrderSummaries extends TypedProjection {
 *     OrderSummaries(ReadModelStore<OrderSummary> rows) {
 *         super("order-summaries");
 *         on(OrderPlaced.class, (event, envelope) -> rows.put(envelope.streamId(), OrderSummary.placed(event), envelope.version()));
 *         on(OrderConfirmed.class, (event, envelope) -> ...);
 *     }
 * }
 * }</pre>
 *
 * <p>Handlers are registered before the projection is bound and run like {@link Projection#handle}: one
 * event at a time, at least once, in version order per aggregate. Registration is not thread-safe (do it
 * in the constructor); the bound projection is.
 */
public abstract class TypedProjection {

    private final String name;
    private final Map<Class<?>, Handler<?>> handlers = new LinkedHashMap<>();
    private volatile boolean bound;

    /**
     * @param name the projection's stable name: its checkpoints and dead letters are kept under it
     * @throws IllegalArgumentException if {@code name} is blank
     */
    protected TypedProjection(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("projection name must not be blank, but was '" + name + "'");
        }
        this.name = name;
    }

    /** Handles one decoded event of class {@code E}. */
    @FunctionalInterface
    public interface Handler<E> {

        /**
         * Applies {@code event} (decoded and upcast to its registered class) to the read model.
         *
         * @throws Exception anything; the processor retries the event and dead-letters it past its retry limit
         */
        void handle(E event, EventEnvelope envelope) throws Exception;
    }

    /** The projection's name. */
    public final String name() {
        return name;
    }

    /**
     * Registers the handler of events of class {@code type} (exactly that class: the registered event class).
     *
     * @throws IllegalArgumentException if {@code type} already has a handler
     * @throws IllegalStateException    if the projection was already bound to its application
     */
    protected final <E> void on(Class<E> type, Handler<? super E> handler) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        if (bound) {
            throw new IllegalStateException("projection '" + name + "' is already running; register handlers in its constructor");
        }
        if (handlers.putIfAbsent(type, handler) != null) {
            throw new IllegalArgumentException("projection '" + name + "' already has a handler for " + type.getName()
                    + "; register one handler per event class");
        }
    }

    /** The event classes this projection handles, in registration order. */
    public final Set<Class<?>> eventClasses() {
        return new LinkedHashSet<>(handlers.keySet());
    }

    /**
     * This projection as a {@link Projection} consuming the type names {@code types} registers its event
     * classes under. Called once by the application when it builds the projection's processor.
     *
     * @throws IllegalStateException if the projection has no handler
     * @throws UnknownEventTypeException naming every handled class {@code types} does not register
     */
    public final Projection bind(EventTypes types) {
        Objects.requireNonNull(types, "types");
        if (handlers.isEmpty()) {
            throw new IllegalStateException("projection '" + name + "' has no handler; register at least one with on(EventClass.class, handler)");
        }
        List<String> unknown = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        Map<Class<?>, Handler<?>> byClass = new LinkedHashMap<>();
        for (Map.Entry<Class<?>, Handler<?>> entry : handlers.entrySet()) {
            if (types.contains(entry.getKey())) {
                names.add(types.byClass(entry.getKey()).name());
                byClass.put(entry.getKey(), entry.getValue());
            } else {
                unknown.add(entry.getKey().getName());
            }
        }
        if (!unknown.isEmpty()) {
            throw new UnknownEventTypeException(unknown.get(0), "Projection '" + name + "' handles " + String.join(", ", unknown)
                    + ", which the application's event types do not register; register "
                    + (unknown.size() == 1 ? "it" : "them") + " (EventTypes.builder().register(...)) or remove the handler");
        }
        bound = true;
        return new Bound(name, Set.copyOf(names), Map.copyOf(byClass));
    }

    /** The bound projection: dispatch by the decoded event's class. */
    private record Bound(String name, Set<String> eventTypes, Map<Class<?>, Handler<?>> handlers) implements Projection {
        @Override
        @SuppressWarnings("unchecked")
        public void handle(Object event, EventEnvelope envelope) throws Exception {
            Handler<Object> handler = (Handler<Object>) handlers.get(event.getClass());
            if (handler == null) {
                throw new IllegalStateException("projection '" + name + "' got a " + event.getClass().getName() + " for event type '"
                        + envelope.eventType() + "' but handles only " + handlers.keySet()
                        + "; the event type is registered with another class than the handler's");
            }
            handler.handle(event, envelope);
        }
    }

    /** Builds a {@link TypedProjection} from handlers; see {@link Projection#handling(String)}. */
    public static final class Builder {
        private final Anonymous projection;

        Builder(String name) {
            this.projection = new Anonymous(name);
        }

        /**
         * Handles events of class {@code type} with {@code handler}.
         *
         * @throws IllegalArgumentException if {@code type} already has a handler
         */
        public <E> Builder on(Class<E> type, Handler<? super E> handler) {
            projection.add(type, handler);
            return this;
        }

        /** The projection; give it to {@code Nexus.builder().projection(...)}. */
        public TypedProjection build() {
            return projection;
        }
    }

    private static final class Anonymous extends TypedProjection {
        Anonymous(String name) {
            super(name);
        }

        <E> void add(Class<E> type, Handler<? super E> handler) {
            on(type, handler);
        }
    }
}
