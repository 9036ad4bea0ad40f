package io.nexus.core.schema;

import io.nexus.core.NexusException;

/** A schema offered for registration is not valid JSON or not a valid JSON Schema. Permanent: fix the schema. */
public class InvalidSchemaException extends NexusException {

    private static final long serialVersionUID = 1L;

    public InvalidSchemaException(String eventType, int version, String problem, Throwable cause) {
        super("Schema for event type '" + eventType + "' version " + version + " is not a valid JSON Schema: " + problem
                + "; fix the schema document.", cause);
    }
}
