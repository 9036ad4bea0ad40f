package io.nexus.core.temporal;

import io.nexus.core.NexusException;

import java.util.Objects;

/**
 * A temporal query was refused before it could answer: the aggregate has no such history
 * ({@link AuditRecord.Outcome#NOT_FOUND}: it does not exist, or did not exist yet at the instant asked for),
 * the target lies outside the allowed range ({@link AuditRecord.Outcome#OUT_OF_RANGE}: a version beyond the
 * stream's last one, or a time too far back or in the future), or the client's rate limit is used up
 * ({@link AuditRecord.Outcome#RATE_LIMITED}, always a {@link TemporalQueryRateLimitedException}).
 *
 * <p>Only a rate-limited refusal is transient; the others are permanent for the same query. Map them with
 * {@link #reason()}: not found and out of range are the caller's answer, rate-limited says when to come back.
 */
public class TemporalQueryRefusedException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final AuditRecord.Outcome reason;
    private final String aggregateType;
    private final String aggregateId;
    private final String target;

    /**
     * @param reason        {@code NOT_FOUND}, {@code OUT_OF_RANGE} or {@code RATE_LIMITED}
     * @param aggregateType the aggregate type queried, not null
     * @param aggregateId   the aggregate queried, not null
     * @param target        what was asked for, as in the audit record ({@code "version 12"}), not null
     * @param message       the subject, expected vs actual, and what to do
     * @throws IllegalArgumentException if {@code reason} is not a refusal
     */
    public TemporalQueryRefusedException(AuditRecord.Outcome reason, String aggregateType, String aggregateId, String target,
                                         String message) {
        super(message, null, reason == AuditRecord.Outcome.RATE_LIMITED);
        if (reason != AuditRecord.Outcome.NOT_FOUND && reason != AuditRecord.Outcome.OUT_OF_RANGE
                && reason != AuditRecord.Outcome.RATE_LIMITED) {
            throw new IllegalArgumentException("reason must be NOT_FOUND, OUT_OF_RANGE or RATE_LIMITED, but was " + reason);
        }
        this.reason = reason;
        this.aggregateType = Objects.requireNonNull(aggregateType, "aggregateType");
        this.aggregateId = Objects.requireNonNull(aggregateId, "aggregateId");
        this.target = Objects.requireNonNull(target, "target");
    }

    /** {@link AuditRecord.Outcome#NOT_FOUND}, {@link AuditRecord.Outcome#OUT_OF_RANGE} or {@link AuditRecord.Outcome#RATE_LIMITED}. */
    public AuditRecord.Outcome reason() {
        return reason;
    }

    /** The aggregate type queried. */
    public String aggregateType() {
        return aggregateType;
    }

    /** The aggregate queried. */
    public String aggregateId() {
        return aggregateId;
    }

    /** What was asked for, as in the audit record: {@code "version 12"} or {@code "as of 2026-01-01T00:00:00Z"}. */
    public String target() {
        return target;
    }
}
