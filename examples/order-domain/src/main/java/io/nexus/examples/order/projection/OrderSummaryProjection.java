package io.nexus.examples.order.projection;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.Subscription;
import io.nexus.examples.order.domain.LineAdded;
import io.nexus.examples.order.domain.LineRemoved;
import io.nexus.examples.order.domain.OrderCancelled;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.domain.OrderPlaced;
import io.nexus.examples.order.domain.OrderStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The order-summary read model, kept in memory: one {@link OrderSummary} per order, updated from the
 * event store's appends and decoded (and upcast) with the application's {@link EventCodec}.
 *
 * <p>Implementation notes. {@link #start} subscribes first and only then catches up from the global
 * log, so no event falls between the two: appends that arrive during the catch-up are held back and
 * applied after it, and every event is applied at most once per order because each row remembers the
 * stream version it reflects. Events are applied on the appending thread, so with the embedded store a
 * command's events are visible here before {@code CommandBus.send} returns. Per-stream versions must
 * arrive without gaps; if one is missing, or an event cannot be decoded, the read model stops and every
 * query throws {@link ReadModelUnavailableException} rather than serve wrong numbers.
 *
 * <p>Thread-safe: updates are serialized, queries read immutable rows without locking.
 */
public final class OrderSummaryProjection implements AutoCloseable {

    /** The read model's name in messages. */
    public static final String NAME = "order-summary";

    private static final Logger log = LoggerFactory.getLogger(OrderSummaryProjection.class);
    private static final int CATCH_UP_BATCH = 1_000;

    private final EventStore store;
    private final EventCodec codec;
    private final String aggregateType;
    private final Object lock = new Object();
    private final Map<String, OrderSummary> summaries = new ConcurrentHashMap<>();
    /** Per order, its lines as sku to amount in cents; guarded by {@link #lock}. */
    private final Map<String, Map<String, Long>> lineAmounts = new HashMap<>();
    /** Appends received while catching up; {@code null} once live. Guarded by {@link #lock}. */
    private List<EventEnvelope> heldBack;
    private volatile RuntimeException failure;
    private Subscription subscription;

    private OrderSummaryProjection(EventStore store, EventCodec codec, String aggregateType) {
        this.store = store;
        this.codec = codec;
        this.aggregateType = aggregateType;
    }

    /**
     * Builds the read model from every Order event stored so far and keeps it current from then on.
     *
     * @param store         the application's event store
     * @param codec         the application's codec ({@code nexus.codec()})
     * @param aggregateType the stored aggregate type of orders ({@code OrderModule.definition().name()})
     * @throws ReadModelUnavailableException if a stored event cannot be applied (the read model is then not left subscribed)
     */
    public static OrderSummaryProjection start(EventStore store, EventCodec codec, String aggregateType) {
        OrderSummaryProjection projection = new OrderSummaryProjection(Objects.requireNonNull(store, "store"),
                Objects.requireNonNull(codec, "codec"), Objects.requireNonNull(aggregateType, "aggregateType"));
        try {
            projection.run();
        } catch (RuntimeException e) {
            projection.close();
            throw e;
        }
        return projection;
    }

    private void run() {
        synchronized (lock) {
            heldBack = new ArrayList<>();
        }
        subscription = store.subscribe(this::onAppend);
        long next = 1;
        while (failure == null) {
            List<EventEnvelope> batch = store.readAll(next, CATCH_UP_BATCH);
            if (batch.isEmpty()) {
                break;
            }
            synchronized (lock) {
                applyAll(batch);
            }
            next = batch.get(batch.size() - 1).globalPosition() + 1;
        }
        synchronized (lock) {
            List<EventEnvelope> pending = heldBack;
            heldBack = null;
            applyAll(pending);
        }
        ensureRunning();
    }

    private void onAppend(List<EventEnvelope> events) {
        synchronized (lock) {
            if (heldBack != null) {
                heldBack.addAll(events);
            } else {
                applyAll(events);
            }
        }
    }

    /** The summary of {@code orderId}, if the order exists. */
    public Optional<OrderSummary> find(String orderId) {
        ensureRunning();
        return Optional.ofNullable(summaries.get(orderId));
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
     */
    public List<OrderSummary> list(String customerId, OrderStatus status) {
        ensureRunning();
        List<OrderSummary> result = new ArrayList<>();
        for (OrderSummary summary : summaries.values()) {
            if ((customerId == null || customerId.equals(summary.customerId())) && (status == null || status == summary.status())) {
                result.add(summary);
            }
        }
        result.sort(Comparator.comparing(OrderSummary::orderId));
        return result;
    }

    /** Stops following the store; the rows stay readable. */
    @Override
    public void close() {
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
    }

    private void ensureRunning() {
        RuntimeException f = failure;
        if (f != null) {
            throw new ReadModelUnavailableException(NAME, f);
        }
    }

    /** Caller holds {@link #lock}. */
    private void applyAll(List<EventEnvelope> events) {
        for (EventEnvelope envelope : events) {
            if (failure != null) {
                return;
            }
            if (!aggregateType.equals(envelope.aggregateType())) {
                continue;
            }
            try {
                apply(envelope);
            } catch (RuntimeException e) {
                failure = e;
                log.error("Read model '{}' stopped at order '{}' version {}", NAME, envelope.streamId(), envelope.version(), e);
            }
        }
    }

    private void apply(EventEnvelope envelope) {
        String orderId = envelope.streamId();
        OrderSummary current = summaries.get(orderId);
        long seen = current == null ? 0 : current.version();
        if (envelope.version() <= seen) {
            return;
        }
        if (envelope.version() != seen + 1) {
            throw new IllegalStateException("order '" + orderId + "' jumped from version " + seen + " to " + envelope.version()
                    + " (expected " + (seen + 1) + ")");
        }
        Object event = codec.decode(envelope);
        if (event instanceof OrderPlaced placed) {
            lineAmounts.put(orderId, new LinkedHashMap<>());
            summaries.put(orderId, new OrderSummary(orderId, placed.customerId(), OrderStatus.OPEN, 0, 0,
                    envelope.version(), envelope.timestamp()));
            return;
        }
        if (current == null) {
            throw new IllegalStateException("order '" + orderId + "' starts with " + envelope.eventType() + " instead of OrderPlaced");
        }
        Map<String, Long> lines = lineAmounts.get(orderId);
        OrderStatus status = current.status();
        if (event instanceof LineAdded added) {
            lines.merge(added.sku(), Math.multiplyExact((long) added.quantity(), added.unitPriceCents()), Math::addExact);
        } else if (event instanceof LineRemoved removed) {
            lines.remove(removed.sku());
        } else if (event instanceof OrderConfirmed) {
            status = OrderStatus.CONFIRMED;
        } else if (event instanceof OrderCancelled) {
            status = OrderStatus.CANCELLED;
        } else {
            throw new IllegalStateException("event type " + envelope.eventType() + " of order '" + orderId + "' is not handled");
        }
        long total = 0;
        for (long amount : lines.values()) {
            total = Math.addExact(total, amount);
        }
        summaries.put(orderId, new OrderSummary(orderId, current.customerId(), status, lines.size(), total,
                envelope.version(), envelope.timestamp()));
    }
}
