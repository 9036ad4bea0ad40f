package io.nexus.examples.order.fulfilment;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.serialization.EventType;

/** The shipment of one order (aggregate id {@code shipment-<orderId>}). Shipping twice ships once. */
public final class Shipment extends Aggregate {

    /** Hands the order to the carrier. */
    public record ShipOrder(String orderId) {
        public String shipmentId() {
            return "shipment-" + orderId;
        }
    }

    @EventType("OrderShipped")
    public record OrderShipped(String orderId) { }

    private boolean shipped;

    public void ship(ShipOrder command) {
        if (!shipped) {
            apply(new OrderShipped(command.orderId()));
        }
    }

    @EventSourcingHandler
    private void on(OrderShipped e) {
        shipped = true;
    }
}
