package io.nexus.examples.order.domain;

/**
 * Cancels an order that is open or confirmed.
 *
 * @param orderId the order
 */
@io.nexus.core.policy.Published("the fulfilment saga cancels orders it cannot fulfil")
public record CancelOrder(String orderId) {
}
