package io.nexus.examples.order.search;

import java.util.List;

/**
 * Full-text search over the products of the orders: the HTTP API's {@code GET /orders/search?q=}.
 * On the embedded engines {@link InMemoryOrderSearch} matches words in the read model; on the AWS and
 * local engines {@link OpenSearchOrderSearch} asks the OpenSearch projection. Thread-safe.
 */
public interface OrderTextSearch {

    /**
     * The orders whose products match {@code text}, best first.
     *
     * @param text  one or more words, not blank
     * @param limit 1..100
     */
    Hits search(String text, int limit);

    /** Which engine answers ("in-memory", "opensearch"), shown with the hits. */
    String engine();

    /**
     * One page of hits.
     *
     * @param total how many orders match
     * @param hits  the best ones, at most the limit asked for
     */
    record Hits(long total, List<Hit> hits) {
        public Hits {
            hits = List.copyOf(hits);
        }
    }

    /**
     * One matching order.
     *
     * @param orderId    the order
     * @param customerId who placed it
     * @param status     its status
     * @param totalCents its total
     * @param products   its products (skus)
     * @param score      how well it matches; higher is better
     */
    record Hit(String orderId, String customerId, String status, long totalCents, List<String> products, double score) {
        public Hit {
            products = List.copyOf(products);
        }
    }
}
