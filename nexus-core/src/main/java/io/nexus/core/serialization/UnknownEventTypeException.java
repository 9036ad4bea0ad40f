package io.nexus.core.serialization;

import io.nexus.core.NexusException;

/**
 * An event type name (read from the store) or an event class (about to be written) is not registered.
 * Permanent: register the type with {@link EventTypes.Builder#register}. Nothing stored is changed.
 */
public class UnknownEventTypeException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String eventType;

    public UnknownEventTypeException(String eventType, String message) {
        super(message);
        this.eventType = eventType;
    }

    static UnknownEventTypeException forName(String name) {
        return new UnknownEventTypeException(name, "Event type '" + name + "' is not registered; register the class that "
                + "decodes it (EventTypes.builder().register(MyEvent.class, \"" + name + "\", version)).");
    }

    static UnknownEventTypeException forClass(Class<?> type) {
        return new UnknownEventTypeException(type.getName(), "Event class '" + type.getName() + "' is not registered; "
                + "annotate it with @EventType(\"Name\") or register it (EventTypes.builder().register(" + type.getSimpleName()
                + ".class, \"Name\", 1)).");
    }

    /** The unknown name, or the class name for an unregistered class. */
    public String eventType() {
        return eventType;
    }
}
