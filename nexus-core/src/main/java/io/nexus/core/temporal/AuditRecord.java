package io.nexus.core.temporal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One temporal query, as the audit log keeps it: who, what, when, and how it ended.
 *
 * @param at            when the query was asked
 * @param clientId      the client
 * @param principal     who acted
 * @param aggregateType the aggregate type queried
 * @param aggregateId   the aggregate queried
 * @param target        what was asked for: {@code "version 12"} or {@code "as of 2026-01-01T00:00:00Z"}
 * @param outcome       how it ended
 * @param detail        the error message for a refused or failed query, or a summary of the result
 * @param duration      how long it took
 */
public record AuditRecord(Instant at, String clientId, Map<String, String> principal, String aggregateType,
                          String aggregateId, String target, Outcome outcome, String detail, Duration duration) {

    public AuditRecord {
        principal = Map.copyOf(principal);
    }

    /** How a temporal query ended. */
    public enum Outcome {
        SUCCEEDED, RATE_LIMITED, DENIED, OUT_OF_RANGE, LIMIT_EXCEEDED, FAILED
    }
}
