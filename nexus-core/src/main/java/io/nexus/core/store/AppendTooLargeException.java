package io.nexus.core.store;

import io.nexus.core.NexusException;

/**
 * A single append holds more events or bytes than the store can write atomically. Thrown before
 * anything is written. Permanent: split the command's work into smaller appends.
 */
public class AppendTooLargeException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String streamId;

    public AppendTooLargeException(String streamId, String what, long actual, long limit) {
        super("Append to stream '" + streamId + "' has " + actual + " " + what + " but the store writes at most " + limit
                + " " + what + " atomically; split the work into smaller appends.");
        this.streamId = streamId;
    }

    public String streamId() {
        return streamId;
    }
}
