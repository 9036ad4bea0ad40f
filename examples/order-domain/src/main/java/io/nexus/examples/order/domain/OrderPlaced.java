package io.nexus.examples.order.domain;

import io.nexus.core.serialization.EventType;

/**
 * An order was opened for a customer. Always the first event of an order's stream.
 *
 * @param orderId    the order, which is also its stream id
 * @param customerId who placed it
 */
@EventType("OrderPlaced")
public record OrderPlaced(String orderId, String customerId) {
}
