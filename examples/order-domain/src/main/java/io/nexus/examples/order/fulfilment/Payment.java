package io.nexus.examples.order.fulfilment;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.InvalidCommandException;
import io.nexus.core.serialization.EventType;

/**
 * The payment of one order (aggregate id {@code payment-<orderId>}). {@link ChargePayment} asks the
 * payment provider to charge; the provider answers later with {@link ConfirmPayment} or
 * {@link DeclinePayment}, which record {@link PaymentCharged} or {@link PaymentDeclined}.
 */
public final class Payment extends Aggregate {

    /** Asks the provider to charge the order. */
    public record ChargePayment(String orderId) {
        public String paymentId() {
            return "payment-" + orderId;
        }
    }

    /** The provider charged the order. */
    public record ConfirmPayment(String orderId) {
        public String paymentId() {
            return "payment-" + orderId;
        }
    }

    /** The provider refused to charge the order. */
    public record DeclinePayment(String orderId, String reason) {
        public String paymentId() {
            return "payment-" + orderId;
        }
    }

    @EventType("PaymentRequested")
    public record PaymentRequested(String orderId) { }

    @EventType("PaymentCharged")
    public record PaymentCharged(String orderId) { }

    @EventType("PaymentDeclined")
    public record PaymentDeclined(String orderId, String reason) { }

    private boolean requested;
    private boolean settled;

    public void charge(ChargePayment command) {
        if (!requested) {
            apply(new PaymentRequested(command.orderId()));
        }
    }

    public void confirm(ConfirmPayment command) {
        requireOpen("confirm");
        apply(new PaymentCharged(command.orderId()));
    }

    public void decline(DeclinePayment command) {
        if (command.reason() == null || command.reason().isBlank()) {
            throw new InvalidCommandException("Declining payment '" + id() + "' needs a reason, but it was '" + command.reason()
                    + "'; pass the provider's reason.");
        }
        requireOpen("decline");
        apply(new PaymentDeclined(command.orderId(), command.reason()));
    }

    private void requireOpen(String action) {
        if (!requested || settled) {
            throw new CommandRejectedException("Payment '" + id() + "' cannot " + action + ": expected a requested, unsettled payment but it is "
                    + (settled ? "settled" : "not requested") + "; answer only payments that were asked for, once.");
        }
    }

    @EventSourcingHandler
    private void on(PaymentRequested e) {
        requested = true;
    }

    @EventSourcingHandler
    private void on(PaymentCharged e) {
        settled = true;
    }

    @EventSourcingHandler
    private void on(PaymentDeclined e) {
        settled = true;
    }
}
