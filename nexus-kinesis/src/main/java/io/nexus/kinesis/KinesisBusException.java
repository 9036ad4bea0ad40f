package io.nexus.kinesis;

import io.nexus.core.NexusException;

/**
 * Kinesis could not do what the bus asked: a stream is missing or not active, requests kept failing
 * after the configured retries, or the service rejected a request. {@link #isTransient()} tells
 * whether the same call may succeed later (throttling, a service or network failure) or whether the
 * configuration must change first (a missing stream, denied access). The SDK's exception, if any, is
 * the cause.
 *
 * <p>After a failed publish, records of that call that Kinesis had already accepted stay on the
 * stream; publishing the same events again is safe, since consumers recognise duplicates by event id.
 */
public final class KinesisBusException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String kinesisStream;

    public KinesisBusException(String kinesisStream, String message, Throwable cause, boolean transientFailure) {
        super(message, cause, transientFailure);
        this.kinesisStream = kinesisStream;
    }

    /** The Kinesis stream the failed request went to. */
    public String kinesisStream() {
        return kinesisStream;
    }
}
