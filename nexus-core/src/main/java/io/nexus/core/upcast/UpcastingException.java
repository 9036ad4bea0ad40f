package io.nexus.core.upcast;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

/**
 * A stored event could not be brought to the current schema version: its version is newer than this
 * application knows, or an upcaster failed. Permanent for this application version; nothing stored is
 * changed.
 */
public class UpcastingException extends NexusException {

    private static final long serialVersionUID = 1L;

    public UpcastingException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
