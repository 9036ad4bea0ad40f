package io.nexus.examples.order.fulfilment;

import io.nexus.core.Nexus;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.Order;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.saga.SagaComponent;
import io.nexus.saga.SagaCoordinator;
import io.nexus.saga.SagaState;
import io.nexus.saga.SagaStatus;
import io.nexus.testkit.ControllableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fulfilment saga in the whole application: real aggregates, command bus, schemas and store. */
class FulfilmentTest {

    private final ControllableClock clock = ControllableClock.standard();
    private final Nexus nexus = Nexus.builder().module(new FulfilmentModule()).clock(clock).snapshotExecutor(Runnable::run).build();
    private final Fulfilment fulfilment = Fulfilment.create(nexus, FulfilmentSaga.DEFAULT_RESERVATION_TIMEOUT);

    @AfterEach
    void close() {
        fulfilment.close();
        nexus.close();
    }

    private void confirmOrder(String orderId) {
        nexus.commands().send(new PlaceOrder(orderId, "c-1"));
        nexus.commands().send(new AddLine(orderId, "apple", 2, 150));
        nexus.commands().send(new ConfirmOrder(orderId));
    }

    private OrderStatus orderStatus(String orderId) {
        return nexus.repository(Order.class).load(orderId).status();
    }

    private InventoryReservation reservation(String orderId) {
        return nexus.repository(InventoryReservation.class).load("reservation-" + orderId);
    }

    private boolean shipped(String orderId) {
        return nexus.eventStore().currentVersion("shipment-" + orderId) > 0;
    }

    @Test
    void aConfirmedAndPaidOrderIsShipped() {
        confirmOrder("o-1");
        fulfilment.coordinator().poll();
        assertTrue(reservation("o-1").held());
        assertEquals(SagaState.RUNNING, fulfilment.status("o-1").orElseThrow().state());
        assertFalse(shipped("o-1"));

        nexus.commands().send(new Payment.ConfirmPayment("o-1"));
        fulfilment.coordinator().poll();

        SagaStatus status = fulfilment.status("o-1").orElseThrow();
        assertEquals(SagaState.COMPLETED, status.state());
        assertEquals(List.of("order", "reserve-inventory", "charge-payment", "ship"), status.completedSteps());
        assertTrue(shipped("o-1"));
        assertEquals(OrderStatus.CONFIRMED, orderStatus("o-1"));
    }

    @Test
    void aDeclinedPaymentReleasesTheInventoryAndCancelsTheOrder() {
        confirmOrder("o-1");
        fulfilment.coordinator().poll();
        nexus.commands().send(new Payment.DeclinePayment("o-1", "card expired"));
        fulfilment.coordinator().poll();

        SagaStatus status = fulfilment.status("o-1").orElseThrow();
        assertEquals(SagaState.COMPENSATED, status.state());
        assertEquals(List.of("reserve-inventory", "order"), status.compensatedSteps());
        assertTrue(reservation("o-1").released());
        assertEquals(OrderStatus.CANCELLED, orderStatus("o-1"));
        assertFalse(shipped("o-1"));
    }

    @Test
    void anUnpaidReservationTimesOutAfterThirtyMinutesEvenAcrossARestart() {
        confirmOrder("o-1");
        fulfilment.coordinator().poll();
        fulfilment.close();

        clock.advance(Duration.ofMinutes(30));
        try (Fulfilment restarted = Fulfilment.create(nexus, FulfilmentSaga.DEFAULT_RESERVATION_TIMEOUT)) {
            restarted.coordinator().poll();

            SagaStatus status = restarted.status("o-1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state());
            assertTrue(status.failure().orElseThrow().contains("'charge-payment' timed out"), status.failure().toString());
        }
        assertTrue(reservation("o-1").released());
        assertEquals(OrderStatus.CANCELLED, orderStatus("o-1"));

        nexus.commands().send(new Payment.ConfirmPayment("o-1"));      // the provider answers too late
        try (Fulfilment again = Fulfilment.create(nexus, FulfilmentSaga.DEFAULT_RESERVATION_TIMEOUT)) {
            again.coordinator().poll();
            assertEquals(SagaState.COMPENSATED, again.status("o-1").orElseThrow().state());
        }
        assertFalse(shipped("o-1"), "a late payment does not ship a cancelled order");
    }

    @Test
    void anOrderTheCustomerCancelledMeanwhileCountsAsCompensated() {
        confirmOrder("o-1");
        fulfilment.coordinator().poll();
        nexus.commands().send(new CancelOrder("o-1"));
        nexus.commands().send(new Payment.DeclinePayment("o-1", "card expired"));
        fulfilment.coordinator().poll();

        assertEquals(SagaState.COMPENSATED, fulfilment.status("o-1").orElseThrow().state());
        assertEquals(OrderStatus.CANCELLED, orderStatus("o-1"));
    }

    @Test
    void registeredOnTheBuilderTheSagaRunsWithTheApplication() throws InterruptedException {
        SagaComponent<OrderConfirmed> saga = Fulfilment.component(FulfilmentSaga.DEFAULT_RESERVATION_TIMEOUT);
        try (Nexus app = Nexus.builder().module(new FulfilmentModule()).clock(clock).snapshotExecutor(Runnable::run)
                .component(saga).build().start()) {
            app.commands().send(new PlaceOrder("o-2", "c-1"));
            app.commands().send(new AddLine("o-2", "apple", 2, 150));
            app.commands().send(new ConfirmOrder("o-2"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (app.eventStore().currentVersion("payment-o-2") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(java.util.Optional.of("charge-payment"), saga.status("o-2").orElseThrow().currentStep(), "the payment was asked for");
            app.commands().send(new Payment.ConfirmPayment("o-2"));
            awaitState(saga, "o-2", SagaState.COMPLETED);
            assertTrue(app.eventStore().currentVersion("shipment-o-2") > 0);
        }
    }

    /** docs/sagas.md's registration: one line on the builder, and the saga starts and stops with the application. */
    @Test
    void oneLineOnTheBuilderRunsTheSaga() throws InterruptedException {
        // tag::register[]
        SagaComponent<OrderConfirmed> fulfilment = SagaComponent.of(FulfilmentSaga.definition());
        try (Nexus nexus = Nexus.builder()
                .module(new FulfilmentModule())
                .component(fulfilment)                      // the one line
                .build()
                .start()) {
            nexus.commands().send(new PlaceOrder("order-42", "customer-7"));
            nexus.commands().send(new AddLine("order-42", "apple", 2, 150));
            nexus.commands().send(new ConfirmOrder("order-42"));       // OrderConfirmed starts the saga
            awaitState(fulfilment, "order-42", SagaState.RUNNING);     // which runs in the background
            fulfilment.status("order-42");                  // and resume(...), coordinator()
        }
        // end::register[]
    }

    /** docs/sagas.md's standalone coordinator and the status it reports. */
    @Test
    void standaloneTheCoordinatorTakesItsPortsFromTheApplication() throws InterruptedException {
        SagaDefinition<OrderConfirmed> fulfilment = FulfilmentSaga.definition();
        // tag::coordinator[]
        SagaCoordinator<OrderConfirmed> sagas = SagaCoordinator.builder(fulfilment)
                .from(nexus)            // or .eventStore(...).codec(...).commandBus(...).checkpoints(...).timers(...)
                .build();
        sagas.start();                  // background, woken by every append, timers checked every pollInterval (1 s); close() stops it
        // end::coordinator[]
        try (sagas) {
            confirmOrder("order-42");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (sagas.status("order-42").isEmpty() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
            // tag::status[]
            SagaStatus status = sagas.status("order-42").orElseThrow();
            status.state();            // RUNNING, COMPENSATING, COMPLETED, COMPENSATED, NEEDS_ATTENTION
            status.currentStep();      // the step awaited, or being compensated
            status.completedSteps();   // in order
            status.compensatedSteps(); // in the order they were compensated
            status.pendingTimeouts();  // step timeouts, command re-sends and compensation retries, with their due times
            status.failure();          // why it compensates or needs attention
            status.history();          // every event of the saga: version, time, type, step, detail
            // end::status[]
            assertEquals(SagaState.RUNNING, status.state());
            assertEquals(List.of(), status.compensatedSteps());
            assertFalse(status.history().isEmpty(), "the saga's events are its history");
        }
    }

    private static void awaitState(SagaComponent<OrderConfirmed> saga, String orderId, SagaState state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            SagaStatus status = saga.status(orderId).orElse(null);
            if (status != null && status.state() == state) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("fulfilment of " + orderId + " did not reach " + state + " within 10 s: " + saga.status(orderId));
    }

    @Test
    void theTimeoutSettingIsParsedStrictly() {
        assertEquals(Duration.ofMinutes(30), Fulfilment.reservationTimeout(null));
        assertEquals(Duration.ofMinutes(30), Fulfilment.reservationTimeout(" "));
        assertEquals(Duration.ofMinutes(5), Fulfilment.reservationTimeout("PT5M"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fulfilment.reservationTimeout("30 minutes"));
        assertTrue(e.getMessage().contains("RESERVATION_TIMEOUT must be an ISO-8601 duration such as PT30M, but was '30 minutes'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Fulfilment.reservationTimeout("PT0S"));
    }
}
