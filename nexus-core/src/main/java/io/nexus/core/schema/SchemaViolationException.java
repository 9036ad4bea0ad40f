package io.nexus.core.schema;

import io.nexus.core.NexusException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A new event's payload does not satisfy its registered schema; the event was not appended.
 * Permanent: fix the payload, or register a schema version that allows it.
 */
public class SchemaViolationException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String eventType;
    private final int schemaVersion;
    private final List<Violation> violations;

    public SchemaViolationException(String eventType, int schemaVersion, List<Violation> violations) {
        super("Event '" + eventType + "' does not match schema version " + schemaVersion + ": "
                + violations.stream().map(Violation::toString).collect(Collectors.joining("; "))
                + ". Fix the event's fields or register a schema version that allows them; nothing was appended.");
        this.eventType = eventType;
        this.schemaVersion = schemaVersion;
        this.violations = List.copyOf(violations);
    }

    public String eventType() {
        return eventType;
    }

    public int schemaVersion() {
        return schemaVersion;
    }

    public List<Violation> violations() {
        return violations;
    }
}
