package io.nexus.examples.order.projection;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.readmodel.Versioned;
import io.nexus.examples.order.domain.LineAdded;
import io.nexus.examples.order.domain.LineRemoved;
import io.nexus.examples.order.domain.OrderCancelled;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.domain.OrderPlaced;
import io.nexus.examples.order.domain.OrderStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Writes the order-summary read model: one {@link Row} per order in the read-model store
 * {@value #NAME}, and the ids of all orders in {@value #INDEX} (what listing reads). Handlers are
 * declared by event class; {@link OrderSummaries} answers the queries.
 *
 * <p>Every row carries the order version it reflects and the store only takes newer versions, so an
 * event delivered twice (delivery is at-least-once) changes nothing the second time. An event the row
 * cannot take (a line total that overflows, an order whose placement is missing) fails its handler:
 * the processor retries it, then dead-letters it and holds that order's later events back, while
 * every other order goes on.
 */
public final class OrderSummaryProjection extends TypedProjection {

    /** The projection's name, and the read-model store of its rows. */
    public static final String NAME = "order-summaries";

    /** The read-model store of the order ids. */
    public static final String INDEX = "order-summaries.index";

    /** The key of the one {@link Index} document. */
    public static final String INDEX_KEY = "all";

    private final ReadModelStore<Row> rows;
    private final ReadModelStore<Index> index;

    /**
     * One order's summary, with what it takes to keep it: the amount of each line by sku.
     *
     * @param lineAmounts sku to quantity times unit price, in cents
     * @param version     the order version this row reflects
     * @param updatedAt   when the last event this row reflects was stored
     */
    public record Row(String orderId, String customerId, OrderStatus status, Map<String, Long> lineAmounts, long version,
                      Instant updatedAt) {

        public Row {
            lineAmounts = Map.copyOf(lineAmounts);
        }

        /** The row as the API shows it. */
        public OrderSummary summary() {
            long total = 0;
            for (long amount : lineAmounts.values()) {
                total = Math.addExact(total, amount);
            }
            return new OrderSummary(orderId, customerId, status, lineAmounts.size(), total, version, updatedAt);
        }

        Row next(EventEnvelope envelope, OrderStatus newStatus, Map<String, Long> newLines) {
            return new Row(orderId, customerId, newStatus, newLines, envelope.version(), envelope.timestamp());
        }
    }

    /** The ids of every order, in placement order. */
    public record Index(List<String> orderIds) {
        public Index {
            orderIds = List.copyOf(orderIds);
        }
    }

    /** The projection over {@code stores} (the application's {@code readModels()}). */
    // tag::constructor[]
    public OrderSummaryProjection(ReadModelStores stores) {
        super(NAME);
        Objects.requireNonNull(stores, "stores");
        this.rows = stores.store(NAME, Row.class);
        this.index = stores.store(INDEX, Index.class);
        on(OrderPlaced.class, this::placed);
        on(LineAdded.class, (added, envelope) -> update(envelope, row -> {
            Map<String, Long> lines = new LinkedHashMap<>(row.lineAmounts());
            lines.merge(added.sku(), Math.multiplyExact((long) added.quantity(), added.unitPriceCents()), Math::addExact);
            return row.next(envelope, row.status(), lines);
        }));
        on(LineRemoved.class, (removed, envelope) -> update(envelope, row -> {
            Map<String, Long> lines = new LinkedHashMap<>(row.lineAmounts());
            lines.remove(removed.sku());
            return row.next(envelope, row.status(), lines);
        }));
        on(OrderConfirmed.class, (confirmed, envelope) -> update(envelope,
                row -> row.next(envelope, OrderStatus.CONFIRMED, row.lineAmounts())));
        on(OrderCancelled.class, (cancelled, envelope) -> update(envelope,
                row -> row.next(envelope, OrderStatus.CANCELLED, row.lineAmounts())));
    }
    // end::constructor[]

    private void placed(OrderPlaced placed, EventEnvelope envelope) {
        String orderId = envelope.streamId();
        rows.put(orderId, new Row(orderId, placed.customerId(), OrderStatus.OPEN, Map.of(), envelope.version(),
                envelope.timestamp()), envelope.version());
        List<String> ids = new ArrayList<>(index.get(INDEX_KEY).map(v -> v.value().orderIds()).orElse(List.of()));
        if (!ids.contains(orderId)) {
            ids.add(orderId);
        }
        // The global position only grows, so a redelivered placement cannot take an id back out.
        index.put(INDEX_KEY, new Index(ids), envelope.globalPosition());
    }

    private void update(EventEnvelope envelope, UnaryOperator<Row> change) {
        Row row = rows.get(envelope.streamId()).map(Versioned::value).orElseThrow(() -> new IllegalStateException(
                "order '" + envelope.streamId() + "' has no summary to apply " + envelope.eventType() + " version "
                        + envelope.version() + " to; its OrderPlaced must come first"));
        if (envelope.version() <= row.version()) {
            return;
        }
        rows.put(envelope.streamId(), change.apply(row), envelope.version());
    }
}
