package io.nexus.examples.order.domain;

/**
 * Removes a product's whole line from an open order.
 *
 * @param orderId the order
 * @param sku     a product on the order
 */
public record RemoveLine(String orderId, String sku) {
}
