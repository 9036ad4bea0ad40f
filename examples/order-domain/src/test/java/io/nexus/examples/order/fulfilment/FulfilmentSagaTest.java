package io.nexus.examples.order.fulfilment;

import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.fulfilment.InventoryReservation.InventoryReserved;
import io.nexus.examples.order.fulfilment.InventoryReservation.ReleaseInventory;
import io.nexus.examples.order.fulfilment.InventoryReservation.ReserveInventory;
import io.nexus.examples.order.fulfilment.Payment.ChargePayment;
import io.nexus.examples.order.fulfilment.Payment.PaymentCharged;
import io.nexus.examples.order.fulfilment.Payment.PaymentDeclined;
import io.nexus.examples.order.fulfilment.Shipment.ShipOrder;
import io.nexus.saga.SagaState;
import io.nexus.testkit.saga.SagaFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fulfilment saga alone, on the saga fixture: the other services are played by the test. */
class FulfilmentSagaTest {

    private final SagaFixture<OrderConfirmed> saga = SagaFixture.forSaga(FulfilmentSaga.definition(), FulfilmentModule.eventTypes());

    /** docs/sagas.md's fixture test: a payment that never comes is compensated once the step times out. */
    @Test
    void aPaymentThatNeverComesIsCompensated() {
        // tag::fixture[]
        SagaFixture<OrderConfirmed> saga = SagaFixture.forSaga(FulfilmentSaga.definition(), FulfilmentModule.eventTypes());
        saga.given(new OrderConfirmed("o-1"))
            .expectCommands(new ReserveInventory("o-1"))
            .when(new InventoryReserved("o-1"))
            .expectCommands(new ChargePayment("o-1"))
            .whenTimeElapses(Duration.ofMinutes(30))
            .expectCommands(new ReleaseInventory("o-1"), new CancelOrder("o-1"))
            .expectCompensations(new ReleaseInventory("o-1"), new CancelOrder("o-1"))
            .expectState("o-1", SagaState.COMPENSATED);
        // end::fixture[]
    }

    @Test
    void reservesChargesAndShips() {
        Instant confirmedAt = saga.clock().instant();
        saga.given(new OrderConfirmed("o-1"))
                .expectCommands(new ReserveInventory("o-1"))
                .when(new InventoryReserved("o-1"))
                .expectCommands(new ChargePayment("o-1"))
                .expectPendingTimeout("o-1", "charge-payment", confirmedAt.plus(Duration.ofMinutes(30)))
                .when(new PaymentCharged("o-1"))
                .expectCommands(new ShipOrder("o-1"))
                .expectNoPendingTimeouts("o-1")
                .expectCompensations()
                .expectState("o-1", SagaState.COMPLETED);
    }

    @Test
    void aDeclinedPaymentReleasesTheInventoryThenCancelsTheOrder() {
        saga.given(new OrderConfirmed("o-1"), new InventoryReserved("o-1"))
                .when(new PaymentDeclined("o-1", "card expired"))
                .expectCommands(new ReleaseInventory("o-1"), new CancelOrder("o-1"))
                .expectState("o-1", SagaState.COMPENSATED);
        assertEquals("step 'charge-payment' failed: card expired", saga.status("o-1").failure().orElseThrow());
    }

    @Test
    void aReservationNotPaidWithinThirtyMinutesIsReleasedAndTheOrderCancelled() {
        saga.given(new OrderConfirmed("o-1"), new InventoryReserved("o-1"))
                .whenTimeElapses(Duration.ofMinutes(29).plusSeconds(59))
                .expectNoCommands()
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectCommands(new ReleaseInventory("o-1"), new CancelOrder("o-1"))
                .expectState("o-1", SagaState.COMPENSATED)
                .when(new PaymentCharged("o-1"))
                .expectNoCommands();
    }

    @Test
    void theReservationTimeoutIsConfigurable() {
        SagaFixture<OrderConfirmed> quick = SagaFixture.forSaga(FulfilmentSaga.definition(Duration.ofMinutes(5)), FulfilmentModule.eventTypes());
        quick.given(new OrderConfirmed("o-1"), new InventoryReserved("o-1"))
                .whenTimeElapses(Duration.ofMinutes(5))
                .expectCompensations(new ReleaseInventory("o-1"), new CancelOrder("o-1"))
                .expectState("o-1", SagaState.COMPENSATED);
    }

    @Test
    void aFailingReleaseIsRetriedBeforeTheOrderIsCancelled() {
        saga.refuse(ReleaseInventory.class, 1, "warehouse offline")
                .given(new OrderConfirmed("o-1"), new InventoryReserved("o-1"))
                .when(new PaymentDeclined("o-1", "no funds"))
                .expectNoCommands()
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectCommands(new ReleaseInventory("o-1"), new CancelOrder("o-1"))
                .expectState("o-1", SagaState.COMPENSATED);
    }
}
