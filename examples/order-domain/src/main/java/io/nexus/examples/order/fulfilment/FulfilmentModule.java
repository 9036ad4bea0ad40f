package io.nexus.examples.order.fulfilment;

import io.nexus.core.Nexus;
import io.nexus.core.NexusModule;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.schema.JsonSchemaEventValidator;
import io.nexus.core.serialization.EventTypeInfo;
import io.nexus.core.serialization.EventTypes;
import io.nexus.examples.order.OrderModule;

import io.nexus.core.policy.Policies;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.ReadSchemas;
import io.nexus.core.schema.SchemaRegistry;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Order domain plus what fulfilment needs: the inventory, payment and shipment aggregates, their
 * event types and JSON Schemas (in {@code io/nexus/examples/order/fulfilment/schemas/} on the classpath).
 *
 * <pre>{@code
 * try (Nexus nexus = Nexus.builder().module(new FulfilmentModule()).build();
 *      Fulfilment fulfilment = Fulfilment.start(nexus, FulfilmentSaga.DEFAULT_RESERVATION_TIMEOUT)) {
 *     ...
 * }
 * }</pre>
 */
public final class FulfilmentModule implements NexusModule {

    private static final List<Class<?>> EVENTS = List.of(
            InventoryReservation.InventoryReserved.class, InventoryReservation.InventoryReleased.class,
            Payment.PaymentRequested.class, Payment.PaymentCharged.class, Payment.PaymentDeclined.class,
            Shipment.OrderShipped.class);

    private final SchemaRegistry registry;

    /** The module with an in-memory schema registry of all its events. */
    public FulfilmentModule() {
        this(InMemorySchemaRegistry.create());
    }

    /**
     * The module on {@code registry}: when it configures a builder it registers the schema of every Order and
     * fulfilment event there (idempotent, each subject under its {@link #compatibility() mode}), validates new
     * events against it and refuses event types it does not hold.
     */
    public FulfilmentModule(SchemaRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The Order event types and the fulfilment ones. */
    public static EventTypes eventTypes() {
        return EventTypes.builder().registerAll(OrderModule.eventTypes()).registerAll(EVENTS).build();
    }

    /** The classpath resource holding the schema of an Order or fulfilment event type at {@code version}. */
    public static String schemaResource(String eventType, int version) {
        return OrderModule.eventTypes().contains(eventType) ? OrderModule.schemaResource(eventType, version)
                : "io/nexus/examples/order/fulfilment/schemas/" + eventType + "-v" + version + ".json";
    }

    /** The compatibility mode of each subject: the Order events' ({@link OrderModule#compatibility()}); BACKWARD for the rest. */
    public static Map<String, CompatibilityMode> compatibility() {
        return OrderModule.compatibility();
    }

    /** A schema registry holding the schema of every Order and fulfilment event, each subject under its mode. */
    public static InMemorySchemaRegistry schemaRegistry() {
        return OrderModule.schemaRegistry(eventTypes(), FulfilmentModule::schemaResource, compatibility());
    }

    /** Registers the schema of every Order and fulfilment event in {@code registry}, as {@link OrderModule#registerSchemas}. */
    public static void registerSchemas(SchemaRegistry registry) {
        OrderModule.registerSchemas(registry, eventTypes(), FulfilmentModule::schemaResource, compatibility());
    }

    /** A validator holding the schema of every Order and fulfilment event; unknown event types are refused. */
    public static JsonSchemaEventValidator validator() {
        JsonSchemaEventValidator.Builder builder = JsonSchemaEventValidator.builder().requireSchema(true);
        for (EventTypeInfo type : eventTypes().all()) {
            builder.classpath(type.name(), type.version(), schemaResource(type.name(), type.version()));
        }
        return builder.build();
    }

    /** The Order domain's policies ({@link OrderModule#policies}) with each fulfilment event owned by its aggregate. */
    public static Policies policies(ReadSchemas registry) {
        return OrderModule.policies(registry)
                .eventOwner("InventoryReservation", "InventoryReserved", "InventoryReleased")
                .eventOwner("Payment", "PaymentRequested", "PaymentCharged", "PaymentDeclined")
                .eventOwner("Shipment", "OrderShipped");
    }

    /**
     * Registers the Order domain and the fulfilment aggregates on {@code builder}, with the schema registry of all
     * their events (validated against it, unregistered types refused) and their policies.
     */
    @Override
    public void configure(Nexus.Builder builder) {
        registerSchemas(registry);
        builder.eventTypes(eventTypes())
                .schemaRegistry(registry)
                .policy(policies(registry))
                .auditAllowedDecisions(OrderModule.AUDITED_ACTIONS.toArray(String[]::new))
                .aggregate(OrderModule.definition(), OrderModule::routes)
                .aggregate(AggregateDefinition.of(InventoryReservation.class, InventoryReservation::new), routes -> routes
                        .createOrUpdate(InventoryReservation.ReserveInventory.class, InventoryReservation.ReserveInventory::reservationId,
                                (reservation, command, context) -> reservation.reserve(command))
                        .update(InventoryReservation.ReleaseInventory.class, InventoryReservation.ReleaseInventory::reservationId,
                                (reservation, command, context) -> reservation.release(command)))
                .aggregate(AggregateDefinition.of(Payment.class, Payment::new), routes -> routes
                        .createOrUpdate(Payment.ChargePayment.class, Payment.ChargePayment::paymentId,
                                (payment, command, context) -> payment.charge(command))
                        .update(Payment.ConfirmPayment.class, Payment.ConfirmPayment::paymentId,
                                (payment, command, context) -> payment.confirm(command))
                        .update(Payment.DeclinePayment.class, Payment.DeclinePayment::paymentId,
                                (payment, command, context) -> payment.decline(command)))
                .aggregate(AggregateDefinition.of(Shipment.class, Shipment::new), routes -> routes
                        .createOrUpdate(Shipment.ShipOrder.class, Shipment.ShipOrder::shipmentId,
                                (shipment, command, context) -> shipment.ship(command)));
    }
}
