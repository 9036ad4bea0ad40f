package io.nexus.examples.order.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an {@link Order} knows, as an immutable value: also the order's snapshot. Lines keep the
 * order in which their products were first added.
 *
 * @param orderId    the order
 * @param customerId who placed it
 * @param status     where the order is in its life
 * @param lines      one line per product, never {@code null}
 */
public record OrderState(String orderId, String customerId, OrderStatus status, List<OrderLine> lines) {

    public OrderState {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(status, "status");
        lines = lines == null ? List.of() : List.copyOf(lines);
    }

    /** The state right after {@link OrderPlaced}. */
    public static OrderState placed(String orderId, String customerId) {
        return new OrderState(orderId, customerId, OrderStatus.OPEN, List.of());
    }

    /** The sum of all line amounts, in cents; never negative. */
    public long totalCents() {
        long total = 0;
        for (OrderLine line : lines) {
            total = Math.addExact(total, line.amountCents());
        }
        return total;
    }

    /** The line of {@code sku}, if the product is on the order. */
    public Optional<OrderLine> line(String sku) {
        for (OrderLine line : lines) {
            if (line.sku().equals(sku)) {
                return Optional.of(line);
            }
        }
        return Optional.empty();
    }

    /** This state with {@code quantity} more units of {@code sku}: a new line, or a larger existing one. */
    public OrderState withLineAdded(String sku, int quantity, long unitPriceCents) {
        List<OrderLine> next = new ArrayList<>(lines.size() + 1);
        boolean merged = false;
        for (OrderLine line : lines) {
            if (line.sku().equals(sku)) {
                next.add(new OrderLine(sku, line.quantity() + quantity, unitPriceCents));
                merged = true;
            } else {
                next.add(line);
            }
        }
        if (!merged) {
            next.add(new OrderLine(sku, quantity, unitPriceCents));
        }
        return new OrderState(orderId, customerId, status, next);
    }

    /** This state without the line of {@code sku}. */
    public OrderState withLineRemoved(String sku) {
        List<OrderLine> next = new ArrayList<>(lines);
        next.removeIf(line -> line.sku().equals(sku));
        return new OrderState(orderId, customerId, status, next);
    }

    /** This state with another status. */
    public OrderState withStatus(OrderStatus value) {
        return new OrderState(orderId, customerId, value, lines);
    }
}
