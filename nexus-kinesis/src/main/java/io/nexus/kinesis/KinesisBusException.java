package io.nexus.kinesis;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

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

    private final @Nullable String kinesisStream;

    public KinesisBusException(@Nullable String kinesisStream, String message, @Nullable Throwable cause, boolean transientFailure) {
        super(message, cause, transientFailure);
        this.kinesisStream = kinesisStream;
    }

    /** The Kinesis stream the failed request went to, or {@code null} when the failure concerns no stream (a path without one). */
    public @Nullable String kinesisStream() {
        return kinesisStream;
    }
}
