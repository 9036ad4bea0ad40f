package io.nexus.core.schema;

import org.jspecify.annotations.Nullable;
import io.nexus.core.NexusException;

/**
 * A schema offered for registration or validation is not valid JSON or not a valid JSON Schema. Permanent:
 * fix the schema document. When a remote registry refused it, the message keeps the registry's own words.
 */
public class InvalidSchemaException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    public InvalidSchemaException(String eventType, int version, @Nullable String problem, @Nullable Throwable cause) {
        super("Schema for event type '" + eventType + "' version " + version + " is not a valid JSON Schema: " + problem
                + "; fix the schema document.", cause);
        this.subject = eventType;
    }

    public InvalidSchemaException(String subject, @Nullable String problem, @Nullable Throwable cause) {
        super("Schema for subject '" + subject + "' is not a valid JSON Schema: " + problem + "; fix the schema document.", cause);
        this.subject = subject;
    }

    /** The subject (event type) the schema was meant for. */
    public String subject() {
        return subject;
    }
}
