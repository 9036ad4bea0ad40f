package io.nexus.examples.order.projection;

import io.nexus.examples.order.domain.OrderStatus;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of the order-summary read model.
 *
 * @param orderId    the order
 * @param customerId who placed it
 * @param status     its status
 * @param lineCount  how many products are on it
 * @param totalCents the sum of its lines, in cents
 * @param version    the order's version this row reflects: compare it with a command's result version
 *                   to know whether the row shows that command yet
 * @param updatedAt  when the last event this row reflects was stored
 */
public record OrderSummary(String orderId, String customerId, OrderStatus status, int lineCount, long totalCents,
                           long version, Instant updatedAt) {

    public OrderSummary {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
