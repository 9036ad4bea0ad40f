package io.nexus.examples.order.system;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.Projection;
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
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The order-summary projection of the whole-system test, into a key-value read-model store: one row per
 * order with its status, lines and total, stored at the order's version so a redelivered event never
 * moves a row back. It refuses {@link Workload#POISON_SKU} lines until the fix is deployed.
 */
final class OrderSummaries implements Projection {

    static final String NAME = "order-summaries";

    /** One row: what the test compares with the replay. */
    record Row(String orderId, String customerId, OrderStatus status, Map<String, Long> lineAmounts, Map<String, Integer> quantities,
               long totalCents) {
    }

    private final ReadModelStore<Row> rows;
    private final BooleanSupplier poisonFixed;

    OrderSummaries(ReadModelStore<Row> rows, BooleanSupplier poisonFixed) {
        this.rows = rows;
        this.poisonFixed = poisonFixed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of("OrderPlaced", "LineAdded", "LineRemoved", "OrderConfirmed", "OrderCancelled");
    }

    @Override
    public void handle(Object event, EventEnvelope envelope) {
        Optional<Versioned<Row>> stored = rows.get(envelope.streamId());
        if (stored.isPresent() && stored.get().version() >= envelope.version()) {
            return;
        }
        Row current = stored.map(Versioned::value).orElse(null);
        Row next;
        if (event instanceof OrderPlaced placed) {
            next = new Row(placed.orderId(), placed.customerId(), OrderStatus.OPEN, Map.of(), Map.of(), 0);
        } else if (event instanceof LineAdded added) {
            if (added.sku().equals(Workload.POISON_SKU) && !poisonFixed.getAsBoolean()) {
                throw new IllegalStateException("line '" + added.sku() + "' of order '" + added.orderId()
                        + "' is not understood by this version of the projection; deploy the fix and retry the dead letter");
            }
            Map<String, Integer> quantities = new LinkedHashMap<>(current.quantities());
            Map<String, Long> prices = new LinkedHashMap<>(current.lineAmounts());
            quantities.merge(added.sku(), added.quantity(), Integer::sum);
            prices.put(added.sku(), added.unitPriceCents());
            next = withLines(current, prices, quantities);
        } else if (event instanceof LineRemoved removed) {
            Map<String, Integer> quantities = new LinkedHashMap<>(current.quantities());
            Map<String, Long> prices = new LinkedHashMap<>(current.lineAmounts());
            quantities.remove(removed.sku());
            prices.remove(removed.sku());
            next = withLines(current, prices, quantities);
        } else if (event instanceof OrderConfirmed) {
            next = new Row(current.orderId(), current.customerId(), OrderStatus.CONFIRMED, current.lineAmounts(), current.quantities(),
                    current.totalCents());
        } else if (event instanceof OrderCancelled) {
            next = new Row(current.orderId(), current.customerId(), OrderStatus.CANCELLED, current.lineAmounts(), current.quantities(),
                    current.totalCents());
        } else {
            return;
        }
        rows.put(envelope.streamId(), next, envelope.version());
    }

    private static Row withLines(Row current, Map<String, Long> prices, Map<String, Integer> quantities) {
        long total = 0;
        for (Map.Entry<String, Integer> line : quantities.entrySet()) {
            total += line.getValue() * prices.get(line.getKey());
        }
        return new Row(current.orderId(), current.customerId(), current.status(), Map.copyOf(prices), Map.copyOf(quantities), total);
    }
}
