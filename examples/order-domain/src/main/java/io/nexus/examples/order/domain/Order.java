package io.nexus.examples.order.domain;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateAlreadyExistsException;
import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.aggregate.Snapshottable;
import io.nexus.core.command.InvalidCommandException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A customer's order: placed, filled with lines while open, then confirmed or cancelled.
 *
 * <p>Rules: lines change only while the order is open; quantities are 1..{@value
 * OrderRules#MAX_QUANTITY} per product and prices 0..{@value OrderRules#MAX_UNIT_PRICE_CENTS} cents,
 * so totals are never negative; a product is added again only at the same price; an empty order
 * cannot be confirmed; an order is confirmed at most once and cancelled at most once; a cancelled order
 * cannot be confirmed, a confirmed one can still be cancelled. A command that breaks a rule throws
 * {@link OrderRejectedException}; one with a malformed id or product code throws
 * {@link InvalidCommandException}; placing an existing order throws
 * {@link AggregateAlreadyExistsException} and any other command on an order never placed
 * {@link AggregateNotFoundException} (the command bus checks both before the aggregate sees the
 * command). Either way nothing is recorded.
 *
 * <p>Command methods decide and record events; only the {@link EventSourcingHandler} methods change
 * the state, so replaying the stored events (or a snapshot and the events after it) rebuilds it.
 * Not thread-safe, like every aggregate instance.
 */
public final class Order extends Aggregate implements Snapshottable<OrderState> {

    /** {@code null} until the order is placed. */
    private OrderState state;

    public Order() {
    }

    // ---- commands ------------------------------------------------------------------------------

    /** Handles {@link PlaceOrder}. */
    public void place(PlaceOrder command) {
        if (!OrderRules.isValidOrderId(id())) {
            throw new InvalidCommandException("Order id '" + id() + "' is malformed: expected letters, digits or . _ : - "
                    + "(starting with a letter or digit, at most 64 characters); choose another id.");
        }
        String customer = command.customerId();
        if (customer == null || customer.isBlank() || customer.length() > OrderRules.MAX_CUSTOMER_ID_LENGTH) {
            throw new InvalidCommandException("Order '" + id() + "' needs a customer id of 1.." + OrderRules.MAX_CUSTOMER_ID_LENGTH
                    + " characters, but it was " + (customer == null ? "missing" : "'" + customer + "'") + "; send the customer's id.");
        }
        if (state != null) {
            throw new AggregateAlreadyExistsException("Order", id(), version());
        }
        apply(new OrderPlaced(id(), customer));
    }

    /** Handles {@link AddLine}. */
    public void addLine(AddLine command) {
        String sku = requireSku(command.sku());
        requirePlaced();
        requireOpen("take a line for '" + sku + "'");
        if (command.quantity() < 1 || command.quantity() > OrderRules.MAX_QUANTITY) {
            throw reject(OrderRule.QUANTITY_OUT_OF_RANGE, "Order '" + id() + "' cannot take a line for '" + sku
                    + "': quantity must be 1.." + OrderRules.MAX_QUANTITY + " but was " + command.quantity() + "; send a quantity in that range.");
        }
        if (command.unitPriceCents() < 0 || command.unitPriceCents() > OrderRules.MAX_UNIT_PRICE_CENTS) {
            throw reject(OrderRule.UNIT_PRICE_OUT_OF_RANGE, "Order '" + id() + "' cannot take a line for '" + sku
                    + "': unit price must be 0.." + OrderRules.MAX_UNIT_PRICE_CENTS + " cents but was " + command.unitPriceCents()
                    + "; send a price in that range.");
        }
        OrderLine existing = state.line(sku).orElse(null);
        if (existing == null && state.lines().size() >= OrderRules.MAX_LINES) {
            throw reject(OrderRule.TOO_MANY_LINES, "Order '" + id() + "' cannot take a line for '" + sku + "': it has "
                    + state.lines().size() + " lines, the most allowed is " + OrderRules.MAX_LINES
                    + "; remove a line or place another order.");
        }
        if (existing != null) {
            if (existing.unitPriceCents() != command.unitPriceCents()) {
                throw reject(OrderRule.PRICE_MISMATCH, "Order '" + id() + "' already has '" + sku + "' at "
                        + existing.unitPriceCents() + " cents per unit, but the line to add says " + command.unitPriceCents()
                        + "; remove the line first to change its price.");
            }
            long combined = (long) existing.quantity() + command.quantity();
            if (combined > OrderRules.MAX_QUANTITY) {
                throw reject(OrderRule.QUANTITY_OUT_OF_RANGE, "Order '" + id() + "' has " + existing.quantity() + " of '" + sku
                        + "'; adding " + command.quantity() + " would make " + combined + ", but the most allowed is "
                        + OrderRules.MAX_QUANTITY + "; add fewer units.");
            }
        }
        apply(new LineAdded(id(), sku, command.quantity(), command.unitPriceCents()));
    }

    /** Handles {@link RemoveLine}. */
    public void removeLine(RemoveLine command) {
        String sku = requireSku(command.sku());
        requirePlaced();
        requireOpen("remove the line of '" + sku + "'");
        if (state.line(sku).isEmpty()) {
            throw reject(OrderRule.NO_SUCH_LINE, "Order '" + id() + "' has no line for '" + sku + "'; expected one of "
                    + skus() + ". Check the product code.");
        }
        apply(new LineRemoved(id(), sku));
    }

    /** Handles {@link ConfirmOrder}. */
    public void confirm(ConfirmOrder command) {
        requirePlaced();
        switch (state.status()) {
            case CONFIRMED:
                throw reject(OrderRule.ALREADY_CONFIRMED, "Order '" + id() + "' is already confirmed; expected an open order. "
                        + "Nothing to do.");
            case CANCELLED:
                throw reject(OrderRule.ORDER_CANCELLED, "Order '" + id() + "' cannot be confirmed: expected an open order but it is "
                        + "cancelled; place a new order.");
            default:
                break;
        }
        if (state.lines().isEmpty()) {
            throw reject(OrderRule.EMPTY_ORDER, "Order '" + id() + "' cannot be confirmed: expected at least one line but it has none; "
                    + "add a line first.");
        }
        apply(new OrderConfirmed(id()));
    }

    /** Handles {@link CancelOrder}. */
    public void cancel(CancelOrder command) {
        requirePlaced();
        if (state.status() == OrderStatus.CANCELLED) {
            throw reject(OrderRule.ALREADY_CANCELLED, "Order '" + id() + "' is already cancelled; expected an open or confirmed order. "
                    + "Nothing to do.");
        }
        apply(new OrderCancelled(id()));
    }

    // ---- state ---------------------------------------------------------------------------------

    /** The whole state, {@code null} before the order is placed. */
    public OrderState state() {
        return state;
    }

    /** The status, {@code null} before the order is placed. */
    public OrderStatus status() {
        return state == null ? null : state.status();
    }

    /** The lines, in the order their products were first added. */
    public List<OrderLine> lines() {
        return state == null ? List.of() : state.lines();
    }

    /** The total in cents; 0 before the order is placed. */
    public long totalCents() {
        return state == null ? 0 : state.totalCents();
    }

    @Override
    public OrderState snapshotState() {
        return state;
    }

    @Override
    public void restoreSnapshotState(OrderState snapshot) {
        this.state = snapshot;
    }

    // ---- event handlers ------------------------------------------------------------------------

    @EventSourcingHandler
    private void on(OrderPlaced event) {
        state = OrderState.placed(event.orderId(), event.customerId());
    }

    @EventSourcingHandler
    private void on(LineAdded event) {
        state = state.withLineAdded(event.sku(), event.quantity(), event.unitPriceCents());
    }

    @EventSourcingHandler
    private void on(LineRemoved event) {
        state = state.withLineRemoved(event.sku());
    }

    @EventSourcingHandler
    private void on(OrderConfirmed event) {
        state = state.withStatus(OrderStatus.CONFIRMED);
    }

    @EventSourcingHandler
    private void on(OrderCancelled event) {
        state = state.withStatus(OrderStatus.CANCELLED);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void requirePlaced() {
        if (state == null) {
            throw new AggregateNotFoundException("Order", id());
        }
    }

    private void requireOpen(String action) {
        if (state.status() != OrderStatus.OPEN) {
            throw reject(OrderRule.ORDER_NOT_OPEN, "Order '" + id() + "' cannot " + action + ": expected an open order but it is "
                    + state.status().label() + "; lines are final once an order is confirmed or cancelled, so place a new order.");
        }
    }

    private String requireSku(String sku) {
        if (!OrderRules.isValidSku(sku)) {
            throw new InvalidCommandException("Order '" + id() + "' got a malformed product code " + (sku == null ? "(missing)" : "'" + sku + "'")
                    + ": expected letters, digits or . _ - (starting with a letter or digit, at most 64 characters); fix the sku.");
        }
        return sku;
    }

    private String skus() {
        return state.lines().stream().map(OrderLine::sku).collect(Collectors.joining(", ", "[", "]"));
    }

    private OrderRejectedException reject(OrderRule rule, String message) {
        return new OrderRejectedException(id(), rule, message);
    }
}
