package io.nexus.examples.order.fulfilment;

import io.nexus.core.bus.BusConsumer;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.CommandResult;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.examples.order.projection.OrderSummaryProjection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The payment provider and the warehouse of the demo, simulated inside the app so that a confirmed
 * order can be fulfilled (or fail and be compensated) without outside systems.
 *
 * <ul>
 *   <li>Payment provider: the fulfilment saga asks it to charge ({@code PaymentRequested} on the event
 *       bus). In {@link PaymentMode#MANUAL} (the default) it waits for someone to answer through the API
 *       ({@code POST /orders/{id}/payment}, the page's Pay and Decline buttons) with {@link #charge} or
 *       {@link #decline}; in {@link PaymentMode#APPROVE} and {@link PaymentMode#DECLINE} it answers every
 *       request at once.</li>
 *   <li>Warehouse: wraps the saga's command bus ({@link #warehouse}); a reservation of an order holding a
 *       product marked out of stock ({@link #outOfStock}) is refused, which fails the saga's
 *       {@code reserve-inventory} step and cancels the order.</li>
 * </ul>
 *
 * Register it as a component (it takes the command bus and read models from the application) and as a
 * bus consumer. Thread-safe.
 */
public final class FulfilmentSimulator implements NexusComponent, BusConsumer {

    /** The bus consumer group the payment provider reads as. */
    public static final String GROUP = "payment-provider";

    /** How the simulated payment provider answers a payment request. */
    public enum PaymentMode {
        /** Waits for {@link #charge} or {@link #decline} (the API, the page). */
        MANUAL,
        /** Charges every request at once. */
        APPROVE,
        /** Declines every request at once. */
        DECLINE
    }

    private static final Logger log = LoggerFactory.getLogger(FulfilmentSimulator.class);

    private final Set<String> outOfStock = new ConcurrentSkipListSet<>();
    private volatile PaymentMode mode = PaymentMode.MANUAL;
    private volatile CommandBus commands;
    private volatile ReadModelStore<OrderSummaryProjection.Row> orders;

    @Override
    public String name() {
        return "fulfilment-simulator";
    }

    @Override
    public void start(NexusContext context) {
        this.commands = context.commands();
        this.orders = context.readModels().store(OrderSummaryProjection.NAME, OrderSummaryProjection.Row.class);
    }

    @Override
    public void close() {
        // Nothing of its own runs.
    }

    public PaymentMode paymentMode() {
        return mode;
    }

    public void paymentMode(PaymentMode value) {
        this.mode = Objects.requireNonNull(value, "paymentMode");
    }

    /** The products the warehouse cannot reserve, by sku. */
    public Set<String> outOfStock() {
        return Set.copyOf(new TreeSet<>(outOfStock));
    }

    /** Replaces the products the warehouse cannot reserve. */
    public void outOfStock(Set<String> skus) {
        outOfStock.clear();
        skus.forEach(sku -> outOfStock.add(sku.toLowerCase(Locale.ROOT)));
    }

    /**
     * The provider charged the order's payment.
     *
     * @throws CommandRejectedException if no payment was requested for the order, or it was already answered
     */
    public CommandResult charge(String orderId) {
        return commands().send(new Payment.ConfirmPayment(orderId));
    }

    /**
     * The provider declined the order's payment for {@code reason}.
     *
     * @throws CommandRejectedException if no payment was requested for the order, or it was already answered
     */
    public CommandResult decline(String orderId, String reason) {
        return commands().send(new Payment.DeclinePayment(orderId, reason));
    }

    /** Answers payment requests in the automatic modes. */
    @Override
    public void onEvent(EventEnvelope event) {
        PaymentMode now = mode;
        if (now == PaymentMode.MANUAL || !event.eventType().equals("PaymentRequested")) {
            return;
        }
        String orderId = event.streamId().substring("payment-".length());
        // The answer is caused by the request (so it keeps the request's correlation id), and its command id is derived
        // from the request's event id, so a redelivered request is answered by the same command.
        CommandMetadata metadata = CommandMetadata.withCommandId(UUID.nameUUIDFromBytes(event.eventId().toString()
                .getBytes(StandardCharsets.UTF_8))).causedBy(event);
        try {
            if (now == PaymentMode.APPROVE) {
                commands().send(new Payment.ConfirmPayment(orderId), metadata);
            } else {
                commands().send(new Payment.DeclinePayment(orderId, "card declined (simulated provider in DECLINE mode)"), metadata);
            }
        } catch (CommandRejectedException e) {
            // Delivery is at-least-once: a request answered before is answered.
            log.debug("Payment of order '{}' was answered before: {}", orderId, e.getMessage());
        }
    }

    /** {@code delegate} with the warehouse in front: reservations of out-of-stock products are refused. */
    public CommandBus warehouse(CommandBus delegate) {
        Objects.requireNonNull(delegate, "delegate");
        return new CommandBus() {
            @Override
            public CommandResult send(Object command, CommandMetadata metadata) {
                if (command instanceof InventoryReservation.ReserveInventory reserve) {
                    List<String> missing = missing(reserve.orderId());
                    if (!missing.isEmpty()) {
                        throw new CommandRejectedException("Warehouse cannot reserve order '" + reserve.orderId()
                                + "': out of stock " + missing + "; restock or remove those products.");
                    }
                }
                return delegate.send(command, metadata);
            }
        };
    }

    private List<String> missing(String orderId) {
        ReadModelStore<OrderSummaryProjection.Row> store = orders;
        if (store == null || outOfStock.isEmpty()) {
            return List.of();
        }
        return store.get(orderId).map(row -> row.value().lineAmounts().keySet().stream()
                .filter(sku -> outOfStock.contains(sku.toLowerCase(Locale.ROOT))).sorted().toList()).orElse(List.of());
    }

    private CommandBus commands() {
        CommandBus bus = commands;
        if (bus == null) {
            throw new IllegalStateException("FulfilmentSimulator is not started; register it as a component and start Nexus");
        }
        return bus;
    }
}
