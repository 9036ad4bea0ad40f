package io.nexus.examples.order.fulfilment;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.serialization.EventType;

/**
 * The stock held for one order (aggregate id {@code reservation-<orderId>}). Reserving and releasing
 * are idempotent, as saga steps and compensations must be: a repeat changes nothing.
 */
public final class InventoryReservation extends Aggregate {

    /** Holds stock for an order. */
    public record ReserveInventory(String orderId) {
        public String reservationId() {
            return "reservation-" + orderId;
        }
    }

    /** Gives an order's stock back. */
    public record ReleaseInventory(String orderId) {
        public String reservationId() {
            return "reservation-" + orderId;
        }
    }

    /** Stock is held for the order. */
    @EventType("InventoryReserved")
    public record InventoryReserved(String orderId) { }

    /** The order's stock was given back. */
    @EventType("InventoryReleased")
    public record InventoryReleased(String orderId) { }

    private boolean held;
    private boolean released;

    public void reserve(ReserveInventory command) {
        if (!held && !released) {
            apply(new InventoryReserved(command.orderId()));
        }
    }

    public void release(ReleaseInventory command) {
        if (held) {
            apply(new InventoryReleased(command.orderId()));
        }
    }

    /** Whether stock is held now. */
    public boolean held() {
        return held;
    }

    /** Whether the stock was given back. */
    public boolean released() {
        return released;
    }

    @EventSourcingHandler
    private void on(InventoryReserved e) {
        held = true;
    }

    @EventSourcingHandler
    private void on(InventoryReleased e) {
        held = false;
        released = true;
    }
}
