package io.nexus.examples.order.domain;

/**
 * Opens a new order. Creates the aggregate: sending it for an id that already has events fails with
 * {@link io.nexus.core.aggregate.AggregateAlreadyExistsException}.
 *
 * @param orderId    the new order's id (letters, digits, {@code . _ : -}; at most 64 characters)
 * @param customerId who places it; not blank
 */
public record PlaceOrder(String orderId, String customerId) {
}
