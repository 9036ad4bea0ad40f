package io.nexus.examples.order.projection;

import io.nexus.core.Nexus;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.readmodel.Versioned;
import io.nexus.examples.order.domain.OrderStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Queries of the order-summary read model that {@link OrderSummaryProjection} writes. An order whose
 * events the projection holds back behind a dead letter would be shown stale, so it is refused instead
 * with {@link ReadModelUnavailableException} (and so is the list, while any order is held back).
 * Thread-safe.
 */
public final class OrderSummaries {

    private final ReadModelStore<OrderSummaryProjection.Row> rows;
    private final ReadModelStore<OrderSummaryProjection.Index> index;
    private final ProjectionProcessor processor;

    /** The queries over {@code stores}, refusing what {@code processor} holds back. */
    public OrderSummaries(ReadModelStores stores, ProjectionProcessor processor) {
        this.rows = stores.store(OrderSummaryProjection.NAME, OrderSummaryProjection.Row.class);
        this.index = stores.store(OrderSummaryProjection.INDEX, OrderSummaryProjection.Index.class);
        this.processor = Objects.requireNonNull(processor, "processor");
    }

    /** The queries of {@code nexus}, which runs {@link OrderSummaryProjection}. */
    public static OrderSummaries of(Nexus nexus) {
        return new OrderSummaries(nexus.readModels(), nexus.projection(OrderSummaryProjection.NAME));
    }

    /**
     * The summary of {@code orderId}, if the order exists.
     *
     * @throws ReadModelUnavailableException if the order's events are held back behind a dead letter
     */
    public Optional<OrderSummary> find(String orderId) {
        for (DeadLetter letter : processor.deadLetters()) {
            if (letter.event().streamId().equals(orderId)) {
                throw unavailable(letter);
            }
        }
        return rows.get(orderId).map(v -> v.value().summary());
    }

    /** Every order, by id. */
    public List<OrderSummary> list() {
        return list(null, null);
    }

    /**
     * The orders matching both filters, by id.
     *
     * @param customerId only this customer's orders, or {@code null} for all
     * @param status     only orders with this status, or {@code null} for all
     * @throws ReadModelUnavailableException if any order's events are held back behind a dead letter
     */
    public List<OrderSummary> list(String customerId, OrderStatus status) {
        List<DeadLetter> letters = processor.deadLetters();
        if (!letters.isEmpty()) {
            throw unavailable(letters.get(0));
        }
        List<String> ids = index.get(OrderSummaryProjection.INDEX_KEY).map(v -> v.value().orderIds()).orElse(List.of());
        List<OrderSummary> result = new ArrayList<>();
        for (Versioned<OrderSummaryProjection.Row> row : rows.getAll(ids).values()) {
            OrderSummary summary = row.value().summary();
            if ((customerId == null || customerId.equals(summary.customerId())) && (status == null || status == summary.status())) {
                result.add(summary);
            }
        }
        result.sort(Comparator.comparing(OrderSummary::orderId));
        return result;
    }

    private static ReadModelUnavailableException unavailable(DeadLetter letter) {
        return new ReadModelUnavailableException(OrderSummaryProjection.NAME, "order '" + letter.event().streamId()
                + "' stopped at version " + letter.event().version() + " (" + letter.event().eventType() + "): "
                + letter.causeMessage());
    }
}
