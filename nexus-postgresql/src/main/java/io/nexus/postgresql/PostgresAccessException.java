package io.nexus.postgresql;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL failed a request of a snapshot, checkpoint, dead-letter, read-model, audit, timer or lease store,
 * or of the schema migration. {@link #isTransient()} tells whether a retry may help (a lost connection,
 * a serialization failure, a server shutting down) or whether something must change first (a missing
 * permission, a schema another tool changed). The driver's {@link java.sql.SQLException} is the cause,
 * with its SQLState. The event store reports the same failures as the core's
 * {@link io.nexus.core.store.EventStoreUnavailableException}.
 */
public class PostgresAccessException extends NexusException {

    private static final long serialVersionUID = 1L;

    public PostgresAccessException(String message, @Nullable Throwable cause, boolean transientFailure) {
        super(message, cause, transientFailure);
    }
}
