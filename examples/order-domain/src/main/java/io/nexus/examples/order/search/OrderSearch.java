package io.nexus.examples.order.search;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.event.EventEnvelope;
import io.nexus.examples.order.domain.LineAdded;
import io.nexus.examples.order.domain.LineRemoved;
import io.nexus.examples.order.domain.OrderCancelled;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.domain.OrderPlaced;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.opensearch.OpenSearchProjection;
import io.nexus.opensearch.OpenSearchReadModel;
import io.nexus.opensearch.Page;
import io.nexus.opensearch.Query;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The order list and order search on OpenSearch: one document per order, kept by an
 * {@link OpenSearchProjection} (run it with the core's {@code ProjectionProcessor}), queried with
 * filters, paging, full-text search over product names with highlighting, and counts per status.
 */
public final class OrderSearch {

    /** The index mapping: exact-match fields as keywords, product names analyzed as English text. */
    public static final String MAPPING = """
            {"properties": {
              "orderId": {"type": "keyword"},
              "customerId": {"type": "keyword"},
              "status": {"type": "keyword"},
              "totalCents": {"type": "long"},
              "products": {"type": "text", "analyzer": "english"},
              "lines": {"properties": {
                "sku": {"type": "keyword"}, "quantity": {"type": "integer"}, "unitPriceCents": {"type": "long"}}}
            }}""";

    private final OpenSearchReadModel<OrderDocument> orders;
    private final OpenSearchProjection<OrderDocument> projection;

    /** The search over {@code client}, in an index behind {@code alias}, created if missing. */
    public OrderSearch(OpenSearchClient client, String alias) {
        this(client, alias, ObservationRegistry.NOOP);
    }

    /**
     * The search over {@code client}, in an index behind {@code alias}, created if missing; each request to OpenSearch
     * is observed in {@code observations} ({@code opensearch index}, {@code opensearch search}, ...).
     */
    public OrderSearch(OpenSearchClient client, String alias, ObservationRegistry observations) {
        this.orders = OpenSearchReadModel.builder(client, alias, OrderDocument.class).mapping(MAPPING)
                .observationRegistry(observations).build();
        orders.createIfMissing();
        this.projection = OpenSearchProjection.perAggregate("order-search",
                Set.of("OrderPlaced", "LineAdded", "LineRemoved", "OrderConfirmed", "OrderCancelled"), orders, OrderSearch::apply);
    }

    /** The projection that keeps the index up to date. */
    public OpenSearchProjection<OrderDocument> projection() {
        return projection;
    }

    /** The read model, for reads by id and read-your-writes waits. */
    public OpenSearchReadModel<OrderDocument> orders() {
        return orders;
    }

    /** Orders of a customer and/or status (either may be null), newest totals first, one page. */
    public Page<OrderDocument> list(String customerId, OrderStatus status, int page, int size) {
        Query query = Query.all().sortBy("totalCents", false).page(page * size, size);
        if (customerId != null) {
            query = query.filter("customerId", customerId);
        }
        if (status != null) {
            query = query.filter("status", status.name());
        }
        return orders.search(query);
    }

    /** Orders whose products match {@code text}, best first, with the matching words highlighted. */
    public Page<OrderDocument> search(String text, int size) {
        return orders.search(Query.all().text(text, "products").highlighted().page(0, size));
    }

    /** How many orders are in each status. */
    public Map<String, Long> countByStatus() {
        return orders.countBy("status", Query.all(), OrderStatus.values().length);
    }

    static OrderDocument apply(OrderDocument current, Object event, EventEnvelope envelope) {
        if (event instanceof OrderPlaced placed) {
            return new OrderDocument(placed.orderId(), placed.customerId(), OrderStatus.OPEN, List.of(), 0, "");
        }
        if (event instanceof LineAdded added) {
            List<OrderDocument.Line> lines = new ArrayList<>(current.lines());
            lines.removeIf(l -> l.sku().equals(added.sku()));
            int quantity = current.lines().stream().filter(l -> l.sku().equals(added.sku()))
                    .mapToInt(OrderDocument.Line::quantity).sum() + added.quantity();
            lines.add(new OrderDocument.Line(added.sku(), quantity, added.unitPriceCents()));
            return withLines(current, lines);
        }
        if (event instanceof LineRemoved removed) {
            List<OrderDocument.Line> lines = new ArrayList<>(current.lines());
            lines.removeIf(l -> l.sku().equals(removed.sku()));
            return withLines(current, lines);
        }
        if (event instanceof OrderConfirmed) {
            return withStatus(current, OrderStatus.CONFIRMED);
        }
        if (event instanceof OrderCancelled) {
            return withStatus(current, OrderStatus.CANCELLED);
        }
        return current;
    }

    private static OrderDocument withLines(OrderDocument current, List<OrderDocument.Line> lines) {
        long total = lines.stream().mapToLong(l -> l.quantity() * l.unitPriceCents()).sum();
        String products = lines.stream().map(l -> l.sku().replace('-', ' ')).collect(Collectors.joining(" "));
        return new OrderDocument(current.orderId(), current.customerId(), current.status(), lines, total, products);
    }

    private static OrderDocument withStatus(OrderDocument current, OrderStatus status) {
        return new OrderDocument(current.orderId(), current.customerId(), status, current.lines(), current.totalCents(),
                current.products());
    }
}
