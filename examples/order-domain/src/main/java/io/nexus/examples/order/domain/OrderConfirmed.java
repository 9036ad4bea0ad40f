package io.nexus.examples.order.domain;

import io.nexus.core.serialization.EventType;

/**
 * The customer confirmed the order; its lines are final from now on.
 *
 * @param orderId the order
 */
@EventType("OrderConfirmed")
public record OrderConfirmed(String orderId) {
}
