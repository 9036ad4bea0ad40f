package io.nexus.examples.order.system;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.ReadAll;
import io.nexus.examples.order.domain.LineAdded;
import io.nexus.examples.order.domain.LineRemoved;
import io.nexus.examples.order.domain.OrderCancelled;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.domain.OrderPlaced;
import io.nexus.examples.order.domain.OrderStatus;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fresh replay of the store's whole global log, folded here with no code of the system under test
 * besides decoding: the yardstick every read model is compared with. It also checks the log itself: global
 * positions gapless from 1, each stream's versions gapless from 1, every event id once.
 */
final class LogReplay {

    /** An order as the log says it is. */
    record ReplayedOrder(String orderId, String customerId, OrderStatus status, Map<String, Integer> quantities,
                         Map<String, Long> prices, long version) {
        long totalCents() {
            long total = 0;
            for (Map.Entry<String, Integer> line : quantities.entrySet()) {
                total += line.getValue() * prices.get(line.getKey());
            }
            return total;
        }
    }

    private final Map<String, ReplayedOrder> orders;
    private final Map<String, Long> streamVersions;
    private final Map<String, Integer> eventCounts;
    private final long events;

    private LogReplay(Map<String, ReplayedOrder> orders, Map<String, Long> streamVersions, Map<String, Integer> eventCounts, long events) {
        this.orders = orders;
        this.streamVersions = streamVersions;
        this.eventCounts = eventCounts;
        this.events = events;
    }

    /**
     * Reads the log from position 1 to its head and folds the Order events.
     *
     * @throws AssertionError if the log has a gap, a stream skips a version or an event id appears twice
     */
    static LogReplay of(ReadAll log, EventCodec codec, String orderAggregateType) {
        Map<String, ReplayedOrder> orders = new TreeMap<>();
        Map<String, Long> versions = new HashMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        Map<java.util.UUID, String> ids = new HashMap<>();
        long head = log.headPosition();
        long next = 1;
        while (next <= head) {
            List<EventEnvelope> batch = log.readAll(next, 1000);
            if (batch.isEmpty()) {
                throw new AssertionError("the log ends at position " + (next - 1) + " but its head is " + head);
            }
            for (EventEnvelope event : batch) {
                if (event.globalPosition() != next) {
                    throw new AssertionError("expected global position " + next + " but read " + event.globalPosition());
                }
                next++;
                long previous = versions.getOrDefault(event.streamId(), 0L);
                if (event.version() != previous + 1) {
                    throw new AssertionError("stream '" + event.streamId() + "' jumps from version " + previous + " to " + event.version());
                }
                versions.put(event.streamId(), event.version());
                String earlier = ids.put(event.eventId(), event.idempotencyKey());
                if (earlier != null) {
                    throw new AssertionError("event id " + event.eventId() + " stored twice: " + earlier + " and " + event.idempotencyKey());
                }
                counts.merge(event.eventType(), 1, Integer::sum);
                if (orderAggregateType.equals(event.aggregateType())) {
                    fold(orders, codec.decode(event), event);
                }
            }
        }
        return new LogReplay(orders, versions, counts, next - 1);
    }

    private static void fold(Map<String, ReplayedOrder> orders, Object event, EventEnvelope envelope) {
        ReplayedOrder current = orders.get(envelope.streamId());
        ReplayedOrder next;
        if (event instanceof OrderPlaced placed) {
            next = new ReplayedOrder(placed.orderId(), placed.customerId(), OrderStatus.OPEN, Map.of(), Map.of(), envelope.version());
        } else if (event instanceof LineAdded added) {
            Map<String, Integer> quantities = new LinkedHashMap<>(current.quantities());
            Map<String, Long> prices = new LinkedHashMap<>(current.prices());
            quantities.merge(added.sku(), added.quantity(), Integer::sum);
            prices.put(added.sku(), added.unitPriceCents());
            next = new ReplayedOrder(current.orderId(), current.customerId(), current.status(), quantities, prices, envelope.version());
        } else if (event instanceof LineRemoved removed) {
            Map<String, Integer> quantities = new LinkedHashMap<>(current.quantities());
            Map<String, Long> prices = new LinkedHashMap<>(current.prices());
            quantities.remove(removed.sku());
            prices.remove(removed.sku());
            next = new ReplayedOrder(current.orderId(), current.customerId(), current.status(), quantities, prices, envelope.version());
        } else if (event instanceof OrderConfirmed) {
            next = withStatus(current, OrderStatus.CONFIRMED, envelope.version());
        } else if (event instanceof OrderCancelled) {
            next = withStatus(current, OrderStatus.CANCELLED, envelope.version());
        } else {
            throw new AssertionError("unexpected Order event " + envelope.eventType() + " at " + envelope.idempotencyKey());
        }
        orders.put(envelope.streamId(), next);
    }

    private static ReplayedOrder withStatus(ReplayedOrder current, OrderStatus status, long version) {
        return new ReplayedOrder(current.orderId(), current.customerId(), status, current.quantities(), current.prices(), version);
    }

    Map<String, ReplayedOrder> orders() {
        return orders;
    }

    /** The last version of every stream in the log. */
    Map<String, Long> streamVersions() {
        return streamVersions;
    }

    /** How many events of each type the log holds. */
    Map<String, Integer> eventCounts() {
        return eventCounts;
    }

    long events() {
        return events;
    }
}
