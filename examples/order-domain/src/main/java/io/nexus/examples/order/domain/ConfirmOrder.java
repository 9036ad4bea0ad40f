package io.nexus.examples.order.domain;

/**
 * Confirms an open order that has at least one line.
 *
 * @param orderId the order
 */
public record ConfirmOrder(String orderId) {
}
