package io.nexus.examples.order.domain;

import io.nexus.core.serialization.EventType;

/**
 * A product's whole line was taken off an open order.
 *
 * @param orderId the order
 * @param sku     the product whose line was removed
 */
@EventType("LineRemoved")
public record LineRemoved(String orderId, String sku) {
}
