package io.nexus.examples.order.fulfilment;

import io.nexus.core.projection.TypedProjection;

/**
 * Follows the fulfilment aggregates' events (reservation, payment, shipment) only to tell the
 * notification hub about them, so that a WebSocket client watching an order sees its fulfilment move
 * (aggregate ids {@code reservation-<orderId>}, {@code payment-<orderId>}, {@code shipment-<orderId>}).
 * It keeps no state: the saga's status is read from the saga itself.
 */
public final class FulfilmentProgress extends TypedProjection {

    /** The projection's name, which notifications carry. */
    public static final String NAME = "fulfilment-progress";

    public FulfilmentProgress() {
        super(NAME);
        on(InventoryReservation.InventoryReserved.class, (event, envelope) -> { });
        on(InventoryReservation.InventoryReleased.class, (event, envelope) -> { });
        on(Payment.PaymentRequested.class, (event, envelope) -> { });
        on(Payment.PaymentCharged.class, (event, envelope) -> { });
        on(Payment.PaymentDeclined.class, (event, envelope) -> { });
        on(Shipment.OrderShipped.class, (event, envelope) -> { });
    }
}
