package io.nexus.opensearch;

import java.util.List;

/** The document shape the tests index: a denormalized order summary. */
record Order(String customer, String status, String description, long totalCents, List<String> skus) {
}
