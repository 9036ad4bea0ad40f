package io.nexus.examples.order.search;

import io.nexus.opensearch.Page;
import io.nexus.opensearch.Versioned;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Full-text search answered by the OpenSearch projection ({@link OrderSearch}): English analysis, best first. */
public final class OpenSearchOrderSearch implements OrderTextSearch {

    private final OrderSearch search;

    public OpenSearchOrderSearch(OrderSearch search) {
        this.search = Objects.requireNonNull(search, "search");
    }

    @Override
    public Hits search(String text, int limit) {
        Page<OrderDocument> page = search.search(text, limit);
        List<Hit> hits = new ArrayList<>();
        int rank = 0;
        for (Versioned<OrderDocument> hit : page.hits()) {
            OrderDocument doc = hit.document();
            // OpenSearch orders the hits by relevance; the score shown is the rank's reverse.
            hits.add(new Hit(doc.orderId(), doc.customerId(), doc.status().name(), doc.totalCents(),
                    doc.lines().stream().map(OrderDocument.Line::sku).sorted().toList(), page.hits().size() - rank++));
        }
        return new Hits(page.total(), hits);
    }

    @Override
    public String engine() {
        return "opensearch";
    }
}
