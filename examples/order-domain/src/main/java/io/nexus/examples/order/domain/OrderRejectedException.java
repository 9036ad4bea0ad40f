package io.nexus.examples.order.domain;

import io.nexus.core.command.CommandRejectedException;

import java.util.Objects;

/**
 * An order refused a command because it would break one of its rules. Nothing was appended.
 * Permanent: the command (or the order it targets) must change.
 */
@io.nexus.core.policy.Published("the Order context's answer to a refused command")
public class OrderRejectedException extends CommandRejectedException {

    private static final long serialVersionUID = 1L;

    private final String orderId;
    private final OrderRule rule;

    /**
     * @param orderId the order that refused
     * @param rule    the rule the command would break
     * @param message names the order, what was expected and found, and what to do
     */
    public OrderRejectedException(String orderId, OrderRule rule, String message) {
        super(message);
        this.orderId = Objects.requireNonNull(orderId, "orderId");
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    public String orderId() {
        return orderId;
    }

    public OrderRule rule() {
        return rule;
    }
}
