package io.nexus.examples.order.domain;

import io.nexus.core.serialization.EventType;

/**
 * Units of a product were added to an open order. Adding a product already on the order (at the same
 * unit price) raises that line's quantity by {@code quantity}.
 *
 * @param orderId        the order
 * @param sku            the product
 * @param quantity       units added, at least 1
 * @param unitPriceCents the price of one unit in cents, at least 0
 */
@EventType("LineAdded")
public record LineAdded(String orderId, String sku, int quantity, long unitPriceCents) {
}
