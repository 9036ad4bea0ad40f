package io.nexus.core.temporal;

import org.jspecify.annotations.Nullable;
import io.nexus.core.NexusException;

import java.util.Objects;
import java.util.Optional;

/**
 * A temporal query ran, but its audit record could not be stored, so the query is not answered the normal
 * way: an unaudited historical read is never returned as if all were well.
 *
 * <p>What the query itself came to is kept: {@link #outcome()}, the rebuilt aggregate when it succeeded
 * ({@link #result()}), the refusal or error when it did not ({@link #queryFailure()}, also attached as a
 * suppressed exception), and the record that was not stored ({@link #auditRecord()}), so the caller can
 * store it elsewhere, retry, or decide whether an unaudited result may be shown. The cause is the audit log's
 * failure; {@link #isTransient()} follows it (a transient {@link NexusException} from the log, otherwise
 * permanent). Note that a retry counts against the client's rate limit again.
 */
public class AuditFailedException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final AuditRecord auditRecord;
    // Aggregates and user exceptions need not be serializable; a deserialized copy keeps the record and message.
    private final transient @Nullable TemporalResult<?> result;
    private final transient @Nullable Throwable queryFailure;

    /**
     * @param auditRecord  the record the audit log failed to store, not null
     * @param result       the query's result when it succeeded, otherwise null
     * @param queryFailure the query's refusal or error when it did not succeed, otherwise null
     * @param auditFailure what the audit log threw, not null
     */
    public AuditFailedException(AuditRecord auditRecord, @Nullable TemporalResult<?> result, @Nullable Throwable queryFailure,
                                RuntimeException auditFailure) {
        super(message(auditRecord, auditFailure), Objects.requireNonNull(auditFailure, "auditFailure"),
                auditFailure instanceof NexusException n && n.isTransient());
        this.auditRecord = auditRecord;
        this.result = result;
        this.queryFailure = queryFailure;
        if (queryFailure != null) {
            addSuppressed(queryFailure);
        }
    }

    private static String message(AuditRecord record, RuntimeException auditFailure) {
        Objects.requireNonNull(record, "auditRecord");
        return "Temporal query for " + record.target() + " of " + record.aggregateType() + " '" + record.aggregateId()
                + "' by client '" + record.clientId() + "' ended " + record.outcome()
                + ", but its audit record could not be stored (" + auditFailure
                + "); the outcome is kept on this exception. Restore the audit log, then ask again.";
    }

    /** How the query itself ended. */
    public AuditRecord.Outcome outcome() {
        return auditRecord.outcome();
    }

    /** The record the audit log did not store. */
    public AuditRecord auditRecord() {
        return auditRecord;
    }

    /** The rebuilt aggregate, present exactly when {@link #outcome()} is {@code SUCCEEDED}. */
    public Optional<TemporalResult<?>> result() {
        return Optional.ofNullable(result);
    }

    /**
     * The refusal or error the query ended with ({@link TemporalQueryRefusedException},
     * {@link io.nexus.core.policy.PolicyDeniedException}, {@link io.nexus.core.aggregate.TemporalLimitExceededException},
     * ...), present exactly when {@link #outcome()} is not {@code SUCCEEDED}.
     */
    public Optional<Throwable> queryFailure() {
        return Optional.ofNullable(queryFailure);
    }
}
