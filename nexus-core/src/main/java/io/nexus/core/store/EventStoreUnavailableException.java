package io.nexus.core.store;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

/**
 * The store could not be reached or failed for a reason of its own. {@link #isTransient()} says
 * whether a retry may help; the engine's own error is the cause.
 */
public class EventStoreUnavailableException extends NexusException {

    private static final long serialVersionUID = 1L;

    public EventStoreUnavailableException(String message, @Nullable Throwable cause, boolean transientFailure) {
        super(message, cause, transientFailure);
    }
}
