package io.nexus.examples.order.domain;

import java.util.Locale;

/** Where an order is in its life: open → confirmed → (optionally) cancelled, or open → cancelled. */
public enum OrderStatus {
    /** Placed; lines can be added and removed. */
    OPEN,
    /** Confirmed by the customer; lines are final, the order can still be cancelled. */
    CONFIRMED,
    /** Cancelled; final. */
    CANCELLED;

    /** The status as a word for messages ("confirmed"). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
