package io.nexus.core.policy;

import org.jspecify.annotations.Nullable;
import io.nexus.core.NexusException;

import java.util.List;

/** A policy refused an action; nothing was changed. Permanent for the same principal and input. */
public class PolicyDeniedException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final transient PolicyRequest request;
    private final transient PolicyDecision decision;

    /** A denial for {@code reason}, by no named rule. */
    public PolicyDeniedException(PolicyRequest request, String reason) {
        this(request, PolicyDecision.deny(reason));
    }

    /** The denial {@code decision} of {@code request}. */
    public PolicyDeniedException(PolicyRequest request, PolicyDecision decision) {
        super(message(request, decision));
        this.request = request;
        this.decision = decision;
    }

    private static String message(PolicyRequest request, PolicyDecision decision) {
        StringBuilder s = new StringBuilder("Policy ");
        if (decision.rule() != null) {
            s.append("rule '").append(decision.rule()).append("' ");
        }
        s.append("denied '").append(request.action()).append("'");
        if (!request.events().isEmpty()) {
            s.append(" of ").append(request.eventTypes().size() == 1 ? "event '" + request.eventType() + "'" : "events " + request.eventTypes());
        }
        if (request.aggregateId() != null) {
            s.append(" on aggregate '").append(request.aggregateId()).append("' (").append(request.aggregateType()).append(")");
        }
        if (!request.attributes().isEmpty()) {
            s.append(" ").append(request.attributes());
        }
        s.append(" for principal ").append(request.principal()).append(": ").append(decision.reason())
                .append(". Nothing was changed; fix what the reason names, ask for the permission the policy requires, or change the policy.");
        return s.toString();
    }

    public PolicyRequest request() {
        return request;
    }

    /** The denying decision. */
    public PolicyDecision decision() {
        return decision;
    }

    /** The reasons joined with {@code "; "}. */
    public String reason() {
        return decision.reason();
    }

    /** The reasons. */
    public List<String> reasons() {
        return decision.reasons();
    }

    /** The rule that denied, or {@code null} when the engine named none. */
    public @Nullable String rule() {
        return decision.rule();
    }
}
