package io.nexus.core.schema;

import io.nexus.core.event.NewEvent;

/**
 * Checks each new event before it is appended; the governance hook of the command path. An event that
 * fails is never appended, and no other event of the same command is either.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface EventValidator {

    /**
     * Returns normally when {@code event} may be appended to {@code streamId}.
     *
     * @throws SchemaViolationException when the payload breaks its schema
     * @throws io.nexus.core.NexusException for any other refusal (an unknown schema, say)
     */
    void validate(String streamId, NewEvent event);

    /** Accepts everything. */
    static EventValidator acceptAll() {
        return (streamId, event) -> { };
    }
}
