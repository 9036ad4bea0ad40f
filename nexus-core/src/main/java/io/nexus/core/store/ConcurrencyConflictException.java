package io.nexus.core.store;

import io.nexus.core.NexusException;

/**
 * An append's expected version did not match the stream: another writer got there first, so the stream
 * is past the expectation (an expectation ahead of the stream is an {@link ExpectedVersionAheadException}
 * instead). Transient:
 * reload the aggregate and run the command again (the command bus can do this for you with a retry
 * policy).
 */
public class ConcurrencyConflictException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String streamId;
    private final String expected;
    private final long actualVersion;

    public ConcurrencyConflictException(String streamId, ExpectedVersion expected, long actualVersion) {
        super("Stream '" + streamId + "' expected version " + expected + " but was " + actualVersion
                + "; reload the aggregate and retry the command.", null, true);
        this.streamId = streamId;
        this.expected = expected.toString();
        this.actualVersion = actualVersion;
    }

    public String streamId() {
        return streamId;
    }

    /** The expectation that failed, as text ("no stream", "7"). */
    public String expectedVersion() {
        return expected;
    }

    public long actualVersion() {
        return actualVersion;
    }
}
