package io.nexus.examples.order.fulfilment;

import io.nexus.core.saga.SagaDefinition;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.fulfilment.InventoryReservation.InventoryReserved;
import io.nexus.examples.order.fulfilment.InventoryReservation.ReleaseInventory;
import io.nexus.examples.order.fulfilment.InventoryReservation.ReserveInventory;
import io.nexus.examples.order.fulfilment.Payment.ChargePayment;
import io.nexus.examples.order.fulfilment.Payment.PaymentCharged;
import io.nexus.examples.order.fulfilment.Payment.PaymentDeclined;
import io.nexus.examples.order.fulfilment.Shipment.ShipOrder;

import java.time.Duration;
import java.util.Objects;

/**
 * Order fulfilment: once an order is confirmed, reserve its inventory, charge the payment, ship it.
 * The reservation holds for a limited time (30 minutes by default): if the payment is declined, or not
 * charged within that time, the saga releases the inventory and cancels the order.
 *
 * <pre>
 * OrderConfirmed ─▶ order            (compensation: CancelOrder)
 *                ─▶ reserve-inventory ReserveInventory ⇢ InventoryReserved     (compensation: ReleaseInventory)
 *                ─▶ charge-payment    ChargePayment    ⇢ PaymentCharged | PaymentDeclined, within the reservation timeout
 *                ─▶ ship              ShipOrder
 * </pre>
 *
 * The saga id is the order id.
 */
public final class FulfilmentSaga {

    /** The saga's stored name. */
    public static final String NAME = "order-fulfilment";

    /** How long a reservation waits for the payment unless configured otherwise. */
    public static final Duration DEFAULT_RESERVATION_TIMEOUT = Duration.ofMinutes(30);

    private FulfilmentSaga() {
    }

    /** The saga with the default 30-minute reservation timeout. */
    public static SagaDefinition<OrderConfirmed> definition() {
        return definition(DEFAULT_RESERVATION_TIMEOUT);
    }

    /**
     * The saga whose reservation waits at most {@code reservationTimeout} for the payment.
     *
     * @throws IllegalArgumentException if the timeout is not positive
     */
    // tag::definition[]
    public static SagaDefinition<OrderConfirmed> definition(Duration reservationTimeout) {
        Objects.requireNonNull(reservationTimeout, "reservationTimeout");
        return SagaDefinition.startedBy(NAME, OrderConfirmed.class, OrderConfirmed::orderId) // name, start event, saga id
                .step("order", step -> step
                        .compensatedBy(confirmed -> new CancelOrder(confirmed.orderId())))   // no action: undoes what the start did
                .step("reserve-inventory", step -> step
                        .sends(confirmed -> new ReserveInventory(confirmed.orderId()))
                        .compensatedBy(confirmed -> new ReleaseInventory(confirmed.orderId()))
                        .succeedsOn(InventoryReserved.class, InventoryReserved::orderId))
                .step("charge-payment", step -> step
                        .sends(confirmed -> new ChargePayment(confirmed.orderId()))
                        .timeout(reservationTimeout)
                        .succeedsOn(PaymentCharged.class, PaymentCharged::orderId)
                        .failsOn(PaymentDeclined.class, PaymentDeclined::orderId, PaymentDeclined::reason))
                .step("ship", step -> step
                        .sends(confirmed -> new ShipOrder(confirmed.orderId())))
                .build();
    }
    // end::definition[]
}
