package io.nexus.dynamodb;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

/**
 * DynamoDB or DynamoDB Streams failed a request of the snapshot store, the change-capture reader, its
 * checkpoint store, the lease store or the table provisioning. {@link #isTransient()} tells whether a retry may help
 * (throttling, a service fault) or whether configuration must change first (a missing table, denied
 * permissions). The AWS error is the cause. The event store reports the same failures as the core's
 * {@link io.nexus.core.store.EventStoreUnavailableException}.
 */
public class DynamoDbAccessException extends NexusException {

    private static final long serialVersionUID = 1L;

    public DynamoDbAccessException(String message, @Nullable Throwable cause, boolean transientFailure) {
        super(message, cause, transientFailure);
    }
}
