package io.nexus.examples.order.search;

import io.nexus.examples.order.domain.OrderStatus;

import java.util.List;

/**
 * An order as the search index holds it: denormalized, with its lines and a text field of its products
 * for full-text search.
 *
 * @param orderId    the order
 * @param customerId who placed it
 * @param status     its status
 * @param lines      its lines
 * @param totalCents the sum of its lines
 * @param products   the products' names as one text, analyzed for search ("apples" finds "apple")
 */
public record OrderDocument(String orderId, String customerId, OrderStatus status, List<Line> lines, long totalCents,
                            String products) {

    public OrderDocument {
        lines = List.copyOf(lines);
    }

    /** One line of an order. */
    public record Line(String sku, int quantity, long unitPriceCents) {
    }
}
