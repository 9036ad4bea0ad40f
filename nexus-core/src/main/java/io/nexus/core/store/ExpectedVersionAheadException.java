package io.nexus.core.store;

import io.nexus.core.NexusException;

/**
 * An append expected a version the stream has never reached: {@code exactly(5)} on a stream at version 2,
 * or on a stream that does not exist. Permanent: a caller bug, not a race.
 *
 * <p>Why it is not a {@link ConcurrencyConflictException}: an expected version is meant to be one the
 * caller has seen, taken from a load or an earlier append's result, and a stream's version only grows,
 * so a writer that really saw version {@code n} can only find the stream at {@code n} or beyond. An
 * expectation ahead of the stream was therefore never read from it (a wrong stream id, a version counted
 * by hand, a restored backup behind the caller's state). Reloading and retrying cannot help, and waiting
 * until others append that far would let the append land on a state the caller never saw.
 */
public class ExpectedVersionAheadException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String streamId;
    private final String expected;
    private final long actualVersion;

    public ExpectedVersionAheadException(String streamId, ExpectedVersion expected, long actualVersion) {
        super("Stream '" + streamId + "' expected version " + expected + " but is at version " + actualVersion
                + (actualVersion == 0 ? " (it does not exist)" : "")
                + "; an expected version ahead of the stream was never read from it, so retrying cannot help. "
                + "Use the version of a load or of the last append's result (noStream() for a new stream).", null, false);
        this.streamId = streamId;
        this.expected = expected.toString();
        this.actualVersion = actualVersion;
    }

    public String streamId() {
        return streamId;
    }

    /** The expectation that failed, as text ("7"). */
    public String expectedVersion() {
        return expected;
    }

    /** The stream's version when the append was refused; 0 when the stream does not exist. */
    public long actualVersion() {
        return actualVersion;
    }
}
