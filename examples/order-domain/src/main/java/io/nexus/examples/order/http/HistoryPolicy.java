package io.nexus.examples.order.http;

import io.nexus.core.policy.Policies;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.policy.PolicyRule;
import io.nexus.core.temporal.AuditLog;
import io.nexus.examples.order.projection.OrderSummaries;

import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Who may read an order's past (its history, and the order as of a version or an instant): operators,
 * and the customer who placed the order. The principal comes from the request ({@link Access#principal}):
 * {@code role=operator} for the operator's bearer token, {@code role=customer, customerId=...} for a
 * client that names its customer with {@code X-Customer-Id}. A rule of the app's own, in Java, asked after the
 * application's policy ({@link #after}), because it needs the read model that exists once the app runs.
 */
public final class HistoryPolicy implements PolicyRule {

    /** The rule name its denials carry. */
    public static final String RULE = "order-history-readers";

    private final OrderSummaries summaries;

    public HistoryPolicy(OrderSummaries summaries) {
        this.summaries = Objects.requireNonNull(summaries, "summaries");
    }

    /**
     * The policy of reads of an order's past: {@code application} (the app's decision point, which records its own
     * denials), then this rule. The reads go through the one decision point like every other path.
     */
    public static PolicyEngine after(PolicyEngine application, OrderSummaries summaries) {
        return Policies.builtIn().and("application", application).and(new HistoryPolicy(summaries));
    }

    /**
     * {@link #after} with this rule's denials recorded in {@code audit} too, for a read that no other component
     * audits (the history route; a temporal query records every query itself).
     */
    public static PolicyEngine audited(PolicyEngine application, OrderSummaries summaries, AuditLog audit, Clock clock) {
        return Policies.builtIn().and("application", application).and(PolicyRule.of(RULE,
                PolicyDecisionPoint.builder(new HistoryPolicy(summaries)).auditLog(audit).clock(clock).build()));
    }

    @Override
    public String name() {
        return RULE;
    }

    @Override
    public PolicyDecision evaluate(PolicyRequest request) {
        if ("operator".equals(request.principal().get("role"))) {
            return PolicyDecision.allow();
        }
        String customer = request.principal().get("customerId");
        if (customer == null) {
            return PolicyDecision.deny(RULE, List.of("reading the past of order '" + request.aggregateId()
                    + "' needs the operator token or the X-Customer-Id of the customer who placed it"));
        }
        boolean owner = summaries.find(request.aggregateId()).map(s -> s.customerId().equals(customer)).orElse(true);
        return owner ? PolicyDecision.allow()
                : PolicyDecision.deny(RULE, List.of("customer '" + customer + "' did not place order '" + request.aggregateId() + "'"));
    }
}
