package io.nexus.core;

import org.jspecify.annotations.Nullable;

/**
 * Root of every exception Nexus throws for a failed operation (misuse of an API gets the JDK's
 * {@link IllegalArgumentException} and friends instead).
 *
 * <p>Unchecked. {@link #isTransient()} tells whether the same operation may succeed if tried
 * again unchanged (a concurrency conflict after a reload, a throttled request), or whether the
 * input or the configuration has to change first (a schema violation, an unknown event type).
 * Subtypes carry their context through getters, and their messages name the subject, what was
 * expected, what was found, and what to do next.
 */
public class NexusException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    public NexusException(String message) {
        this(message, null, false);
    }

    public NexusException(String message, @Nullable Throwable cause) {
        this(message, cause, false);
    }

    public NexusException(String message, @Nullable Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** Whether retrying the same operation unchanged may succeed. */
    public boolean isTransient() {
        return transientFailure;
    }
}
