package io.nexus.core.temporal;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One audited operation, as the audit log keeps it: who, what, when, and how it ended. Temporal queries and
 * policy decisions are recorded this way; a policy decision also names its {@link #action()}, the
 * {@link #rule()} that decided and its {@link #reasons()}.
 *
 * @param at            when the operation was asked
 * @param clientId      the client ({@code "policy"} for a decision recorded by the policy decision point)
 * @param principal     who acted
 * @param aggregateType the aggregate type acted on, or {@code null}
 * @param aggregateId   the aggregate acted on, or {@code null}
 * @param target        what was asked for: {@code "version 12"}, {@code "as of 2026-01-01T00:00:00Z"}, or for a
 *                      decision the action and its event types ({@code "append [OrderPlaced]"})
 * @param outcome       how it ended
 * @param detail        the error message for a refused or failed operation ({@code null} when the error had
 *                      none), or a summary of the result
 * @param duration      how long it took
 * @param action        the policy action ({@link io.nexus.core.policy.PolicyActions}), or {@code null} when the
 *                      record is not of a decision
 * @param rule          the policy rule that decided, or {@code null}
 * @param reasons       the decision's reasons; empty when none. Never {@code null}
 */
public record AuditRecord(Instant at, String clientId, Map<String, String> principal, @Nullable String aggregateType,
                          @Nullable String aggregateId, String target, Outcome outcome, @Nullable String detail,
                          Duration duration, @Nullable String action, @Nullable String rule, List<String> reasons) {

    public AuditRecord {
        principal = Map.copyOf(principal);
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }

    /** A record of an operation that is not a policy decision (the first form of this record). */
    public AuditRecord(Instant at, String clientId, Map<String, String> principal, @Nullable String aggregateType,
                       @Nullable String aggregateId, String target, Outcome outcome, @Nullable String detail, Duration duration) {
        this(at, clientId, principal, aggregateType, aggregateId, target, outcome, detail, duration, null, null, List.of());
    }

    /** How an audited operation ended. */
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
        /** Any other error (for a decision: the policy engine failed, and the action was refused). */
        FAILED,
        /** The policy engine allowed the action (recorded only when allowed decisions are audited). */
        ALLOWED
    }
}
