package io.nexus.core.aggregate;

import io.nexus.core.NexusException;

/**
 * An aggregate was given an event it has no handler for. Permanent: add a handler (an
 * {@link EventSourcingHandler} method, or {@link EventHandlers#on}) for the event type.
 */
public class MissingEventHandlerException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final Class<?> aggregateType;
    private final Class<?> eventType;

    public MissingEventHandlerException(Class<?> aggregateType, Class<?> eventType) {
        super("Aggregate '" + aggregateType.getSimpleName() + "' has no handler for event type '" + eventType.getName()
                + "'; add a method annotated @EventSourcingHandler that takes " + eventType.getSimpleName()
                + " (or register one with EventHandlers.on).");
        this.aggregateType = aggregateType;
        this.eventType = eventType;
    }

    public Class<?> aggregateType() {
        return aggregateType;
    }

    public Class<?> eventType() {
        return eventType;
    }
}
