package io.nexus.core.serialization;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

/**
 * An event payload or snapshot state could not be serialized or deserialized: malformed JSON, a value
 * that does not fit the registered class, or a class Jackson cannot handle. Permanent: fix the data
 * (an upcaster can repair stored payloads) or the class. Nothing stored is changed.
 */
public class EventSerializationException extends NexusException {

    private static final long serialVersionUID = 1L;

    public EventSerializationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
