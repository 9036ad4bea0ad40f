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
        /** The aggregate was rebuilt and returned. */
        SUCCEEDED,
        /** The client's rate limit was used up. */
        RATE_LIMITED,
        /** The policy engine refused. */
        DENIED,
        /** The target lies outside the allowed range: too far back, in the future, or past the stream's last version. */
        OUT_OF_RANGE,
        /** The aggregate does not exist, or did not exist yet at the instant asked for. */
        NOT_FOUND,
        /** The replay needed more events or time than allowed. */
        LIMIT_EXCEEDED,
        /** Any other error. */
        FAILED
    }
}
