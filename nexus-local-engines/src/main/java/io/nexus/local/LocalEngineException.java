package io.nexus.local;

import org.jspecify.annotations.Nullable;

/**
 * A local engine could not be started, installed or reached. Unchecked: a caller cannot recover other
 * than by fixing the machine (free memory, an npm on the {@code PATH}) and starting again.
 */
public final class LocalEngineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message that names the engine and what to do. */
    public LocalEngineException(String message) {
        super(message);
    }

    /** With a message that names the engine and what to do, and the underlying failure. */
    public LocalEngineException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
