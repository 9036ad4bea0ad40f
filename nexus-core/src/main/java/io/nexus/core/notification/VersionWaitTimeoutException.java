package io.nexus.core.notification;

import io.nexus.core.NexusException;

import java.time.Duration;

/**
 * A wait for an aggregate version to become visible ran out of time. Transient: the projection may be
 * behind, failing or parked on a dead letter; check its health, then wait again or read anyway.
 */
public class VersionWaitTimeoutException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String aggregateId;
    private final long expectedVersion;
    private final long visibleVersion;

    public VersionWaitTimeoutException(String aggregateId, long expectedVersion, long visibleVersion, Duration timeout) {
        super("Aggregate '" + aggregateId + "' expected version >= " + expectedVersion + " to be visible within " + timeout
                + " but the read side reflects version " + visibleVersion + "; check the projection's health and retry, "
                + "or read the current state", null, true);
        this.aggregateId = aggregateId;
        this.expectedVersion = expectedVersion;
        this.visibleVersion = visibleVersion;
    }

    public String aggregateId() {
        return aggregateId;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    /** The highest version applied when the wait ended, 0 if none was seen. */
    public long visibleVersion() {
        return visibleVersion;
    }
}
