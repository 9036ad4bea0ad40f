package io.nexus.core.temporal;

import io.nexus.core.NexusException;

/**
 * A temporal query was refused by a guard before it ran: the client's rate limit is used up (transient:
 * retry after the window), or the point in time lies outside the allowed range (permanent).
 */
public class TemporalQueryRefusedException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final AuditRecord.Outcome reason;

    public TemporalQueryRefusedException(AuditRecord.Outcome reason, String message, boolean transientFailure) {
        super(message, null, transientFailure);
        this.reason = reason;
    }

    /** {@link AuditRecord.Outcome#RATE_LIMITED} or {@link AuditRecord.Outcome#OUT_OF_RANGE}. */
    public AuditRecord.Outcome reason() {
        return reason;
    }
}
