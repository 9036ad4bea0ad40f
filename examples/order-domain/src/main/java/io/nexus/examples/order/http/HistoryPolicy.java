package io.nexus.examples.order.http;

import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.examples.order.projection.OrderSummaries;

import java.util.List;
import java.util.Objects;

/**
 * Who may read an order's past (its history, and the order as of a version or an instant): operators,
 * and the customer who placed the order. The principal comes from the request ({@link Access#principal}):
 * {@code role=operator} for the operator's bearer token, {@code role=customer, customerId=...} for a
 * client that names its customer with {@code X-Customer-Id}.
 */
public final class HistoryPolicy implements PolicyEngine {

    /** The rule name its denials carry. */
    public static final String RULE = "order-history-readers";

    private final OrderSummaries summaries;

    public HistoryPolicy(OrderSummaries summaries) {
        this.summaries = Objects.requireNonNull(summaries, "summaries");
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
