package io.nexus.core.policy;

import org.jspecify.annotations.Nullable;
import io.nexus.core.NexusException;
import io.nexus.core.temporal.AuditLog;
import io.nexus.core.temporal.AuditRecord;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one place a Nexus application's policy is consulted: every path that changes or reads history asks it
 * (command appends, events emitted by sagas, schema registration and mode changes, temporal queries,
 * dead-letter retries and discards, projection rebuilds). It asks the configured engine and records every
 * denial, and optionally every allowance, in the audit log with the action, the deciding rule and the reasons.
 *
 * <p>It is itself a {@link PolicyEngine} (what {@code NexusContext.policy()} returns), so components that only
 * know the engine interface are governed and audited alike. An engine that throws or answers {@code null}
 * refuses the action (fail closed): a throw is recorded with outcome {@code FAILED} and rethrown, a
 * {@code null} becomes a denial. A decision that cannot be recorded is not acted on: {@link #evaluate} then
 * throws a transient {@link NexusException}. Thread-safe when its engine and audit log are.
 */
public final class PolicyDecisionPoint implements PolicyEngine {

    /** The {@link AuditRecord#clientId()} of the records this decision point writes. */
    public static final String AUDIT_CLIENT = "policy";

    private final PolicyEngine engine;
    private final @Nullable AuditLog audit;
    private final Clock clock;
    private final boolean auditAllowed;
    private final Set<String> auditAllowedActions;

    private PolicyDecisionPoint(Builder b) {
        this.engine = b.engine;
        this.audit = b.audit;
        this.clock = b.clock;
        this.auditAllowed = b.auditAllowed;
        this.auditAllowedActions = Set.copyOf(b.auditAllowedActions);
    }

    /** A decision point asking {@code engine}. */
    public static Builder builder(PolicyEngine engine) {
        return new Builder(engine);
    }

    /** The engine asked. */
    public PolicyEngine engine() {
        return engine;
    }

    /**
     * The decision for {@code request}, recorded in the audit log when it denies (or always, with
     * {@link Builder#auditAllowed(boolean)}).
     *
     * @throws RuntimeException the engine's failure, after it was recorded
     * @throws NexusException   (transient) if the decision could not be recorded
     */
    @Override
    public PolicyDecision evaluate(PolicyRequest request) {
        Objects.requireNonNull(request, "request");
        Instant at = clock.instant();
        long started = System.nanoTime();
        PolicyDecision decision;
        try {
            decision = engine.evaluate(request);
        } catch (RuntimeException e) {
            record(request, at, started, AuditRecord.Outcome.FAILED, "policy-engine",
                    List.of("the policy engine failed, so the action was refused: " + e.getMessage()), e);
            throw e;
        }
        if (decision == null) {
            decision = PolicyDecision.deny("policy-engine", List.of("the policy engine gave no decision"));
        }
        if (!decision.allowed()) {
            record(request, at, started, AuditRecord.Outcome.DENIED, decision.rule(), decision.reasons(), null);
        } else if (auditAllowed || auditAllowedActions.contains(request.action())) {
            record(request, at, started, AuditRecord.Outcome.ALLOWED, decision.rule(), decision.reasons(), null);
        }
        return decision;
    }

    /**
     * Asks for {@code request} and returns the allowance.
     *
     * @throws PolicyDeniedException if the policy denies; nothing may be changed
     * @throws NexusException        (transient) if the engine failed or the decision could not be recorded
     */
    public PolicyDecision enforce(PolicyRequest request) {
        return enforce(this, request);
    }

    /**
     * Asks {@code policy} for {@code request} the way every Nexus path does: a denial or a missing decision is a
     * {@link PolicyDeniedException}; an engine failure refuses the action with a transient {@link NexusException}
     * (fail closed). Pass the application's policy ({@code context.policy()}) so the decision is audited.
     *
     * @throws PolicyDeniedException if the policy denies
     * @throws NexusException        if the engine failed
     */
    public static PolicyDecision enforce(PolicyEngine policy, PolicyRequest request) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(request, "request");
        PolicyDecision decision;
        try {
            decision = policy.evaluate(request);
        } catch (NexusException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NexusException("Policy engine failed to decide '" + request.action() + "'"
                    + (request.aggregateId() == null ? "" : " on " + request.aggregateType() + " '" + request.aggregateId() + "'")
                    + ", so it was refused (fail closed): " + e.getMessage() + "; retry once the engine answers", e, true);
        }
        if (decision == null) {
            decision = PolicyDecision.deny("policy-engine", List.of("the policy engine gave no decision"));
        }
        if (!decision.allowed()) {
            throw new PolicyDeniedException(request, decision);
        }
        return decision;
    }

    private void record(PolicyRequest request, Instant at, long started, AuditRecord.Outcome outcome, @Nullable String rule,
                        List<String> reasons, @Nullable RuntimeException failure) {
        if (audit == null) {
            return;
        }
        String target = request.action() + (request.events().isEmpty() ? "" : " " + request.eventTypes())
                + (request.attributes().isEmpty() ? "" : " " + request.attributes());
        AuditRecord record = new AuditRecord(at, AUDIT_CLIENT, request.principal(), request.aggregateType(), request.aggregateId(),
                target, outcome, String.join("; ", reasons), Duration.ofNanos(System.nanoTime() - started), request.action(), rule, reasons);
        try {
            audit.record(record);
        } catch (RuntimeException e) {
            NexusException unaudited = new NexusException("The policy decision on '" + request.action() + "' (" + outcome + " by rule '"
                    + rule + "') could not be recorded in the audit log, so the action was refused: " + e.getMessage()
                    + "; retry once the audit log is reachable", e, true);
            if (failure != null) {
                unaudited.addSuppressed(failure);
            }
            throw unaudited;
        }
    }

    /** Configures a {@link PolicyDecisionPoint}. Not thread-safe. */
    public static final class Builder {
        private final PolicyEngine engine;
        private @Nullable AuditLog audit;
        private Clock clock = Clock.systemUTC();
        private boolean auditAllowed;
        private final Set<String> auditAllowedActions = new HashSet<>();

        private Builder(PolicyEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /** Where decisions are recorded; none by default (nothing recorded). */
        public Builder auditLog(AuditLog value) {
            this.audit = Objects.requireNonNull(value, "auditLog");
            return this;
        }

        /** Stamps the audit records; the UTC system clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Whether allowances are recorded too (false by default: denials and failures only). */
        public Builder auditAllowed(boolean value) {
            this.auditAllowed = value;
            return this;
        }

        /**
         * Records allowances of {@code actions} too (say the operator's: {@link PolicyActions#DEAD_LETTER_RETRY},
         * {@link PolicyActions#DEAD_LETTER_DISCARD}, {@link PolicyActions#PROJECTION_REBUILD}), while allowances of other
         * actions stay unrecorded unless {@link #auditAllowed(boolean)} records them all. Adds to earlier calls.
         */
        public Builder auditAllowed(Collection<String> actions) {
            for (String action : Objects.requireNonNull(actions, "actions")) {
                auditAllowedActions.add(Objects.requireNonNull(action, "action"));
            }
            return this;
        }

        public PolicyDecisionPoint build() {
            return new PolicyDecisionPoint(this);
        }
    }
}
