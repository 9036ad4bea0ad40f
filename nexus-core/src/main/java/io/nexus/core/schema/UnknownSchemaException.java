package io.nexus.core.schema;

import org.jspecify.annotations.Nullable;
import io.nexus.core.NexusException;

/**
 * No schema is registered for an event type (subject) and version, so the event is refused or the lookup
 * fails. Permanent: register the schema.
 */
public class UnknownSchemaException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String eventType;
    private final int schemaVersion;

    public UnknownSchemaException(String eventType, int schemaVersion) {
        this(eventType, schemaVersion, null);
    }

    public UnknownSchemaException(String eventType, int schemaVersion, @Nullable Throwable cause) {
        super("No schema is registered for event type '" + eventType + "' version " + schemaVersion
                + (cause == null ? "" : " (" + cause.getMessage() + ")")
                + "; register its JSON Schema before appending such events (governance refuses unregistered types).", cause);
        this.eventType = eventType;
        this.schemaVersion = schemaVersion;
    }

    public String eventType() {
        return eventType;
    }

    public int schemaVersion() {
        return schemaVersion;
    }
}
