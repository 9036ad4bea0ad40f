package io.nexus.examples.order.system;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.Versioned;
import io.nexus.examples.order.domain.LineAdded;
import io.nexus.examples.order.domain.LineRemoved;
import io.nexus.examples.order.domain.OrderCancelled;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.domain.OrderPlaced;
import io.nexus.examples.order.domain.OrderStatus;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.function.BooleanSupplier;

/**
 * The order-summary projection of the whole-system test, into a key-value read-model store: one row per
 * order with its status, lines and total, stored at the order's version so a redelivered event never
 * moves a row back. It refuses {@link Workload#POISON_SKU} lines until the fix is deployed.
 */
final class OrderSummaries extends TypedProjection {

    static final String NAME = "order-summaries";

    /** One row: what the test compares with the replay. */
    record Row(String orderId, String customerId, OrderStatus status, Map<String, Long> lineAmounts, Map<String, Integer> quantities,
               long totalCents) {
    }

    OrderSummaries(ReadModelStore<Row> rows, BooleanSupplier poisonFixed) {
        super(NAME);
        on(OrderPlaced.class, (placed, envelope) -> update(rows, envelope,
                current -> new Row(placed.orderId(), placed.customerId(), OrderStatus.OPEN, Map.of(), Map.of(), 0)));
        on(LineAdded.class, (added, envelope) -> {
            if (added.sku().equals(Workload.POISON_SKU) && !poisonFixed.getAsBoolean()) {
                throw new IllegalStateException("line '" + added.sku() + "' of order '" + added.orderId()
                        + "' is not understood by this version of the projection; deploy the fix and retry the dead letter");
            }
            update(rows, envelope, current -> {
                Map<String, Integer> quantities = new LinkedHashMap<>(current.quantities());
                Map<String, Long> prices = new LinkedHashMap<>(current.lineAmounts());
                quantities.merge(added.sku(), added.quantity(), Integer::sum);
                prices.put(added.sku(), added.unitPriceCents());
                return withLines(current, prices, quantities);
            });
        });
        on(LineRemoved.class, (removed, envelope) -> update(rows, envelope, current -> {
            Map<String, Integer> quantities = new LinkedHashMap<>(current.quantities());
            Map<String, Long> prices = new LinkedHashMap<>(current.lineAmounts());
            quantities.remove(removed.sku());
            prices.remove(removed.sku());
            return withLines(current, prices, quantities);
        }));
        on(OrderConfirmed.class, (confirmed, envelope) -> update(rows, envelope, current -> withStatus(current, OrderStatus.CONFIRMED)));
        on(OrderCancelled.class, (cancelled, envelope) -> update(rows, envelope, current -> withStatus(current, OrderStatus.CANCELLED)));
    }

    /** Applies {@code change} to the stored row unless the row already reflects this event's version. */
    private static void update(ReadModelStore<Row> rows, EventEnvelope envelope, UnaryOperator<Row> change) {
        Optional<Versioned<Row>> stored = rows.get(envelope.streamId());
        if (stored.isPresent() && stored.get().version() >= envelope.version()) {
            return;
        }
        rows.put(envelope.streamId(), change.apply(stored.map(Versioned::value).orElse(null)), envelope.version());
    }

    private static Row withStatus(Row current, OrderStatus status) {
        return new Row(current.orderId(), current.customerId(), status, current.lineAmounts(), current.quantities(), current.totalCents());
    }

    private static Row withLines(Row current, Map<String, Long> prices, Map<String, Integer> quantities) {
        long total = 0;
        for (Map.Entry<String, Integer> line : quantities.entrySet()) {
            total += line.getValue() * prices.get(line.getKey());
        }
        return new Row(current.orderId(), current.customerId(), current.status(), Map.copyOf(prices), Map.copyOf(quantities), total);
    }
}
