package io.nexus.examples.order.domain;

import java.util.regex.Pattern;

/**
 * The limits an order enforces. The event schemas in {@code src/main/resources/schemas} state the same
 * limits, so an event that slipped past the aggregate would still be refused before it is stored.
 *
 * <p>With these limits the largest possible total is {@code MAX_LINES * MAX_QUANTITY *
 * MAX_UNIT_PRICE_CENTS} = 10^14 cents, far inside a {@code long}: totals can never overflow into a
 * negative number.
 */
public final class OrderRules {

    /** Order ids: letters, digits and {@code . _ : -}, starting with a letter or digit, at most 64 characters. */
    public static final String ORDER_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$";

    /** Product codes: letters, digits and {@code . _ -}, starting with a letter or digit, at most 64 characters. */
    public static final String SKU_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

    /** The longest customer id. */
    public static final int MAX_CUSTOMER_ID_LENGTH = 128;

    /** The most units of one product on one order. */
    public static final int MAX_QUANTITY = 10_000;

    /** The highest unit price in cents (one million in the currency's main unit). */
    public static final long MAX_UNIT_PRICE_CENTS = 100_000_000L;

    /** The most distinct products on one order. */
    public static final int MAX_LINES = 100;

    static final Pattern ORDER_ID = Pattern.compile(ORDER_ID_PATTERN);
    static final Pattern SKU = Pattern.compile(SKU_PATTERN);

    private OrderRules() {
    }

    /** Whether {@code orderId} is a well-formed order id. */
    public static boolean isValidOrderId(String orderId) {
        return orderId != null && ORDER_ID.matcher(orderId).matches();
    }

    /** Whether {@code sku} is a well-formed product code. */
    public static boolean isValidSku(String sku) {
        return sku != null && SKU.matcher(sku).matches();
    }
}
