package io.nexus.examples.order.projection;

import io.nexus.core.Nexus;
import io.nexus.core.NexusException;
import io.nexus.core.command.CommandResult;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.examples.order.OrderApp;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.Order;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.RemoveLine;
import io.nexus.testkit.Await;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order-summary read model, run by Nexus as the app runs it, fed by real commands. */
class OrderSummaryProjectionTest {

    private final ControllableClock clock = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final Nexus nexus = OrderApp.readSide(Nexus.builder().module(new OrderModule()).clock(clock)
            .snapshotExecutor(Runnable::run)).build();
    private OrderSummaries summaries;

    @AfterEach
    void tearDown() {
        nexus.close();
    }

    private OrderSummaries start() {
        nexus.start();
        summaries = OrderSummaries.of(nexus);
        return summaries;
    }

    /** Sends {@code command} and waits until the read model shows it, as the HTTP API does. */
    private void send(Object command) {
        CommandResult result = nexus.commands().send(command);
        if (summaries != null) {
            nexus.notifications().waitForVersion(result.aggregateId(), result.version(), Duration.ofSeconds(10));
        }
    }

    @Test
    void followsAnOrderThroughItsLife() {
        OrderSummaries summaries = start();
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
        OrderSummaries summaries = start();
        send(new PlaceOrder("order-1", "customer-7"));
        OrderSummary before = summaries.find("order-1").orElseThrow();
        assertThrows(NexusException.class, () -> send(new ConfirmOrder("order-1")));
        assertThrows(NexusException.class, () -> send(new AddLine("order-1", "apple", 0, 250)));
        assertEquals(before, summaries.find("order-1").orElseThrow());
    }

    @Test
    void catchesUpWithEventsStoredBeforeItStarted() throws Exception {
        send(new PlaceOrder("order-1", "customer-7"));
        send(new AddLine("order-1", "apple", 2, 500));
        send(new PlaceOrder("order-2", "customer-8"));
        OrderSummaries summaries = start();
        Await.until("the stored events are applied", Await.DEFAULT_BOUND, () -> summaries.list().size() == 2);
        assertEquals(1000, summaries.find("order-1").orElseThrow().totalCents());
        assertEquals(2, summaries.find("order-1").orElseThrow().version());
        send(new AddLine("order-2", "pear", 1, 100));
        assertEquals(new OrderSummary("order-2", "customer-8", OrderStatus.OPEN, 1, 100, 2, clock.instant()),
                summaries.find("order-2").orElseThrow());
    }

    @Test
    void listsByIdAndFiltersByCustomerAndStatus() {
        OrderSummaries summaries = start();
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
    void ignoresEventsOfOtherTypes() {
        OrderSummaries summaries = start();
        nexus.eventStore().append("invoice-1", "Invoice", ExpectedVersion.noStream(),
                List.of(NewEvent.of("InvoiceRaised", 1, EventPayload.ofJson("{\"amount\":5}"))));
        send(new PlaceOrder("order-1", "customer-7"));
        assertEquals(List.of("order-1"), ids(summaries.list()));
    }

    @Test
    void anEventItCannotApplyHoldsOnlyItsOrderBackAndIsDeadLettered() throws Exception {
        try (Nexus fast = Nexus.builder().module(new OrderModule()).clock(clock).notifications()
                .projection(context -> new OrderSummaryProjection(context.readModels()), options -> options
                        .mode(ProcessingMode.INLINE).notifications()
                        .retry(RetryPolicy.custom().maxAttempts(2).initialDelay(Duration.ofMillis(1)).build()))
                .build()) {
            fast.start();
            OrderSummaries summaries = OrderSummaries.of(fast);
            fast.commands().send(new PlaceOrder("order-1", "customer-7"));
            fast.commands().send(new PlaceOrder("order-2", "customer-8"));
            // A line whose amount overflows a long: the read model cannot take it.
            fast.eventStore().append("order-1", "Order", ExpectedVersion.exactly(1), List.of(NewEvent.of("LineAdded", 1,
                    EventPayload.ofJson("{\"orderId\":\"order-1\",\"sku\":\"gold\",\"quantity\":2,\"unitPriceCents\":" + Long.MAX_VALUE + "}"))));
            Await.until("the event is dead-lettered", Await.DEFAULT_BOUND, () -> !fast.projection(OrderSummaryProjection.NAME).deadLetters().isEmpty());
            DeadLetter letter = fast.projection(OrderSummaryProjection.NAME).deadLetters().get(0);
            assertEquals("order-1", letter.event().streamId());
            assertEquals(ArithmeticException.class.getName(), letter.causeType());

            ReadModelUnavailableException e = assertThrows(ReadModelUnavailableException.class, () -> summaries.find("order-1"));
            assertTrue(e.getMessage().startsWith("Read model 'order-summaries' stopped: order 'order-1' stopped at version 2 (LineAdded)"),
                    e.getMessage());
            assertThrows(ReadModelUnavailableException.class, summaries::list);
            fast.commands().send(new AddLine("order-2", "pear", 1, 100));
            Await.until("other orders go on", Await.DEFAULT_BOUND, () -> summaries.find("order-2").orElseThrow().version() == 2);

            fast.projection(OrderSummaryProjection.NAME).discardDeadLetter(letter.id());
            assertEquals(1, summaries.find("order-1").orElseThrow().version());
            assertEquals(List.of("order-1", "order-2"), ids(summaries.list()));
        }
    }

    @Test
    void aClosedApplicationStopsFollowingButItsRowsStayReadable() {
        OrderSummaries summaries = start();
        send(new PlaceOrder("order-1", "customer-7"));
        nexus.close();
        assertThrows(IllegalStateException.class, () -> nexus.commands().send(new AddLine("order-1", "apple", 1, 100)));
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
                    nexus.commands().send(new PlaceOrder(id, "customer-" + id));
                    going.countDown();
                    for (int i = 0; i < commandsPerWriter; i++) {
                        if (i % 3 == 2) {
                            nexus.commands().send(new RemoveLine(id, "sku-" + ((i - 1) % 10)));
                        } else {
                            nexus.commands().send(new AddLine(id, "sku-" + (i % 10), 1, 10));
                        }
                    }
                    return null;
                }));
            }
            assertTrue(going.await(10, TimeUnit.SECONDS));
            OrderSummaries summaries = start();
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            for (int w = 0; w < writers; w++) {
                String id = "order-" + w;
                Order order = nexus.repository(Order.class).load(id);
                nexus.notifications().waitForVersion(id, order.version(), Duration.ofSeconds(10));
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

    private static List<String> ids(List<OrderSummary> summaries) {
        return summaries.stream().map(OrderSummary::orderId).toList();
    }
}
