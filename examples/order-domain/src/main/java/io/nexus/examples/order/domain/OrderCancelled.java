package io.nexus.examples.order.domain;

import io.nexus.core.serialization.EventType;

/**
 * The order was cancelled, whether it was still open or already confirmed. Final.
 *
 * @param orderId the order
 */
@EventType("OrderCancelled")
public record OrderCancelled(String orderId) {
}
