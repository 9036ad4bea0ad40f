package io.nexus.examples.order.projection;

import io.nexus.core.Nexus;
import io.nexus.core.NexusException;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.Subscription;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.Order;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.RemoveLine;
import io.nexus.testkit.ControllableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order-summary read model against the embedded event store, fed by real commands. */
class OrderSummaryProjectionTest {

    private final ControllableClock clock = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final Nexus nexus = Nexus.builder().module(new OrderModule()).clock(clock).snapshotExecutor(Runnable::run).build();
    private OrderSummaryProjection projection;

    @AfterEach
    void tearDown() {
        if (projection != null) {
            projection.close();
        }
        nexus.close();
    }

    private OrderSummaryProjection start() {
        projection = OrderSummaryProjection.start(nexus.eventStore(), nexus.codec(), OrderModule.definition().name());
        return projection;
    }

    private void send(Object command) {
        nexus.commands().send(command);
    }

    @Test
    void followsAnOrderThroughItsLife() {
        OrderSummaryProjection summaries = start();
        send(new PlaceOrder("order-1", "customer-7"));
        assertEquals(new OrderSummary("order-1", "customer-7", OrderStatus.OPEN, 0, 0, 1, clock.instant()),
                summaries.find("order-1").orElseThrow());

        clock.advance(Duration.ofMinutes(1));
        send(new AddLine("order-1", "apple", 3, 250));
        send(new AddLine("order-1", "pear", 1, 100));
        send(new AddLine("order-1", "apple", 2, 250));
        assertEquals(new OrderSummary("order-1", "customer-7", OrderStatus.OPEN, 2, 1350, 4, clock.instant()),
                summaries.find("order-1").orElseThrow());

        send(new RemoveLine("order-1", "pear"));
        send(new ConfirmOrder("order-1"));
        assertEquals(new OrderSummary("order-1", "customer-7", OrderStatus.CONFIRMED, 1, 1250, 6, clock.instant()),
                summaries.find("order-1").orElseThrow());

        send(new CancelOrder("order-1"));
        assertEquals(OrderStatus.CANCELLED, summaries.find("order-1").orElseThrow().status());
        assertEquals(Optional.empty(), summaries.find("order-2"));
    }

    @Test
    void aRefusedCommandChangesNothing() {
        OrderSummaryProjection summaries = start();
        send(new PlaceOrder("order-1", "customer-7"));
        OrderSummary before = summaries.find("order-1").orElseThrow();
        assertThrows(NexusException.class, () -> send(new ConfirmOrder("order-1")));
        assertThrows(NexusException.class, () -> send(new AddLine("order-1", "apple", 0, 250)));
        assertEquals(before, summaries.find("order-1").orElseThrow());
    }

    @Test
    void catchesUpWithEventsStoredBeforeItStarted() {
        send(new PlaceOrder("order-1", "customer-7"));
        send(new AddLine("order-1", "apple", 2, 500));
        send(new PlaceOrder("order-2", "customer-8"));
        OrderSummaryProjection summaries = start();
        assertEquals(1000, summaries.find("order-1").orElseThrow().totalCents());
        assertEquals(2, summaries.find("order-1").orElseThrow().version());
        send(new AddLine("order-2", "pear", 1, 100));
        assertEquals(new OrderSummary("order-2", "customer-8", OrderStatus.OPEN, 1, 100, 2, clock.instant()),
                summaries.find("order-2").orElseThrow());
    }

    @Test
    void listsByIdAndFiltersByCustomerAndStatus() {
        OrderSummaryProjection summaries = start();
        send(new PlaceOrder("order-b", "customer-1"));
        send(new PlaceOrder("order-a", "customer-1"));
        send(new PlaceOrder("order-c", "customer-2"));
        send(new AddLine("order-a", "apple", 1, 100));
        send(new ConfirmOrder("order-a"));

        assertEquals(List.of("order-a", "order-b", "order-c"), ids(summaries.list()));
        assertEquals(List.of("order-a", "order-b"), ids(summaries.list("customer-1", null)));
        assertEquals(List.of("order-a"), ids(summaries.list("customer-1", OrderStatus.CONFIRMED)));
        assertEquals(List.of("order-b", "order-c"), ids(summaries.list(null, OrderStatus.OPEN)));
        assertEquals(List.of(), ids(summaries.list("customer-3", null)));
    }

    @Test
    void ignoresStreamsOfOtherAggregateTypes() {
        OrderSummaryProjection summaries = start();
        nexus.eventStore().append("invoice-1", "Invoice", ExpectedVersion.noStream(),
                List.of(NewEvent.of("InvoiceRaised", 1, EventPayload.ofJson("{\"amount\":5}"))));
        send(new PlaceOrder("order-1", "customer-7"));
        assertEquals(List.of("order-1"), ids(summaries.list()));
    }

    @Test
    void stopsAndRefusesQueriesWhenAnEventCannotBeApplied() {
        OrderSummaryProjection summaries = start();
        send(new PlaceOrder("order-1", "customer-7"));
        nexus.eventStore().append("order-1", "Order", ExpectedVersion.exactly(1),
                List.of(NewEvent.of("OrderTeleported", 1, EventPayload.ofJson("{\"orderId\":\"order-1\"}"))));
        ReadModelUnavailableException e = assertThrows(ReadModelUnavailableException.class, () -> summaries.find("order-1"));
        assertTrue(e.getMessage().startsWith("Read model 'order-summary' stopped: "), e.getMessage());
        assertTrue(e.getMessage().contains("OrderTeleported"), e.getMessage());
        assertThrows(ReadModelUnavailableException.class, summaries::list);
    }

    @Test
    void aStoredEventThatCannotBeAppliedFailsTheStart() {
        nexus.eventStore().append("order-1", "Order", ExpectedVersion.noStream(),
                List.of(NewEvent.of("OrderTeleported", 1, EventPayload.ofJson("{\"orderId\":\"order-1\"}"))));
        assertThrows(ReadModelUnavailableException.class, this::start);
    }

    @Test
    void stopsFollowingWhenClosed() {
        OrderSummaryProjection summaries = start();
        send(new PlaceOrder("order-1", "customer-7"));
        summaries.close();
        send(new AddLine("order-1", "apple", 1, 100));
        assertEquals(1, summaries.find("order-1").orElseThrow().version());
    }

    /** Commands keep arriving while the read model starts; it must still end up with every event exactly once. */
    @RepeatedTest(5)
    void startingWhileCommandsAreAppendedMissesAndRepeatsNothing() throws Exception {
        int writers = 4;
        int commandsPerWriter = 150;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch going = new CountDownLatch(writers);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                String id = "order-" + w;
                futures.add(pool.submit(() -> {
                    send(new PlaceOrder(id, "customer-" + id));
                    going.countDown();
                    for (int i = 0; i < commandsPerWriter; i++) {
                        if (i % 3 == 2) {
                            send(new RemoveLine(id, "sku-" + ((i - 1) % 10)));
                        } else {
                            send(new AddLine(id, "sku-" + (i % 10), 1, 10));
                        }
                    }
                    return null;
                }));
            }
            assertTrue(going.await(10, TimeUnit.SECONDS));
            OrderSummaryProjection summaries = start();
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            for (int w = 0; w < writers; w++) {
                String id = "order-" + w;
                Order order = nexus.repository(Order.class).load(id);
                OrderSummary summary = summaries.find(id).orElseThrow();
                assertEquals(1 + commandsPerWriter, order.version(), id);
                assertEquals(order.version(), summary.version(), id);
                assertEquals(order.totalCents(), summary.totalCents(), id);
                assertEquals(order.lines().size(), summary.lineCount(), id);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Appends land while the read model reads the log: one inside the first batch's window, one after the last read. */
    @Test
    void anAppendDuringTheCatchUpIsNeitherMissedNorAppliedTwice() {
        HookedEventStore store = new HookedEventStore(InMemoryEventStore.builder().clock(clock).build());
        try (Nexus hooked = Nexus.builder().module(new OrderModule()).eventStore(store).clock(clock).build()) {
            hooked.commands().send(new PlaceOrder("order-1", "customer-7"));
            // One append after the first batch was read (the log then holds it too, so it arrives twice), and
            // one after the read that found the log's end (only the subscription can deliver that one).
            List<Object> afterBatch = new ArrayList<>(List.of(new AddLine("order-1", "apple", 2, 100)));
            List<Object> afterEnd = new ArrayList<>(List.of(new AddLine("order-1", "pear", 1, 50)));
            store.afterReadAll(batch -> {
                List<Object> pending = batch.isEmpty() ? afterEnd : afterBatch;
                if (!pending.isEmpty()) {
                    hooked.commands().send(pending.remove(0));
                }
            });
            OrderSummaryProjection summaries = OrderSummaryProjection.start(store, hooked.codec(), OrderModule.definition().name());
            try {
                assertTrue(afterBatch.isEmpty() && afterEnd.isEmpty(), "both appends happened during the catch-up");
                assertEquals(new OrderSummary("order-1", "customer-7", OrderStatus.OPEN, 2, 250, 3, clock.instant()),
                        summaries.find("order-1").orElseThrow());
            } finally {
                summaries.close();
            }
        }
    }

    private static List<String> ids(List<OrderSummary> summaries) {
        return summaries.stream().map(OrderSummary::orderId).toList();
    }

    /** The embedded store, running a hook after every read of the global log. */
    private static final class HookedEventStore implements EventStore {
        private final EventStore delegate;
        private volatile Consumer<List<EventEnvelope>> afterReadAll = batch -> { };

        HookedEventStore(EventStore delegate) {
            this.delegate = delegate;
        }

        void afterReadAll(Consumer<List<EventEnvelope>> hook) {
            this.afterReadAll = hook;
        }

        @Override
        public AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
            return delegate.append(streamId, aggregateType, expected, events);
        }

        @Override
        public List<EventEnvelope> read(StreamQuery query) {
            return delegate.read(query);
        }

        @Override
        public long currentVersion(String streamId) {
            return delegate.currentVersion(streamId);
        }

        @Override
        public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
            List<EventEnvelope> result = delegate.readAll(fromPosition, maxCount);
            afterReadAll.accept(result);
            return result;
        }

        @Override
        public long headPosition() {
            return delegate.headPosition();
        }

        @Override
        public Subscription subscribe(AppendListener listener) {
            return delegate.subscribe(listener);
        }
    }
}
