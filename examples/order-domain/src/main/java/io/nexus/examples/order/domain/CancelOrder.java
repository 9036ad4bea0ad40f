package io.nexus.examples.order.domain;

/**
 * Cancels an order that is open or confirmed.
 *
 * @param orderId the order
 */
public record CancelOrder(String orderId) {
}
