package io.nexus.examples.order.domain;

/**
 * Adds units of a product to an open order.
 *
 * @param orderId        the order
 * @param sku            the product (letters, digits, {@code . _ -}; at most 64 characters)
 * @param quantity       1..{@value OrderRules#MAX_QUANTITY}
 * @param unitPriceCents 0..{@value OrderRules#MAX_UNIT_PRICE_CENTS}
 */
public record AddLine(String orderId, String sku, int quantity, long unitPriceCents) {
}
