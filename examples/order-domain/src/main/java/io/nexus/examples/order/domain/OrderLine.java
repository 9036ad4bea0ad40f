package io.nexus.examples.order.domain;

import java.util.Objects;

/**
 * One product on an order.
 *
 * @param sku            the product
 * @param quantity       units, at least 1
 * @param unitPriceCents price of one unit in cents, at least 0
 */
public record OrderLine(String sku, int quantity, long unitPriceCents) {

    public OrderLine {
        Objects.requireNonNull(sku, "sku");
        if (quantity < 1) {
            throw new IllegalArgumentException("quantity of line '" + sku + "' must be >= 1, but was " + quantity);
        }
        if (unitPriceCents < 0) {
            throw new IllegalArgumentException("unitPriceCents of line '" + sku + "' must be >= 0, but was " + unitPriceCents);
        }
    }

    /** Quantity times unit price, in cents. */
    public long amountCents() {
        return Math.multiplyExact(quantity, unitPriceCents);
    }
}
