package io.nexus.examples.order;

import io.nexus.core.Nexus;
import io.nexus.core.NexusModule;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.command.CommandRoutes;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.schema.JsonSchemaEventValidator;
import io.nexus.core.serialization.EventTypeInfo;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.snapshot.SnapshotTrigger;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.LineAdded;
import io.nexus.examples.order.domain.LineRemoved;
import io.nexus.examples.order.domain.Order;
import io.nexus.examples.order.domain.OrderCancelled;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.domain.OrderPlaced;
import io.nexus.examples.order.domain.OrderState;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.RemoveLine;

import io.nexus.core.policy.Policies;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Order domain as one {@link NexusModule}, so the app and its tests wire it the same way: the event
 * types, the schema validator, the aggregate definition (snapshots every {@value #SNAPSHOT_EVERY_EVENTS}
 * events) and the command routes.
 *
 * <pre>{@code
 * try (Nexus nexus = Nexus.builder().module(new OrderModule()).build()) {
 *     nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
 * }
 * }</pre>
 */
public final class OrderModule implements NexusModule {

    /** A snapshot is taken once this many events were added since the last one. */
    public static final int SNAPSHOT_EVERY_EVENTS = 50;

    /** Bump when {@link OrderState} changes shape: older snapshots are then ignored and rebuilt from events. */
    public static final int STATE_SCHEMA_VERSION = 1;

    private final EventValidator validator;

    /** The module with the validator of the Order schemas ({@link #validator()}). */
    public OrderModule() {
        this(validator());
    }

    /** The module with another validator of new events (a stricter one, or a shared instance in tests). */
    public OrderModule(EventValidator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    /** The Order events, each under its {@code @EventType} name. */
    public static EventTypes eventTypes() {
        return EventTypes.builder()
                .register(OrderPlaced.class)
                .register(LineAdded.class)
                .register(LineRemoved.class)
                .register(OrderConfirmed.class)
                .register(OrderCancelled.class)
                .build();
    }

    /** The Order aggregate, snapshotted every {@value #SNAPSHOT_EVERY_EVENTS} events. */
    public static AggregateDefinition<Order> definition() {
        return AggregateDefinition.builder(Order.class, Order::new)
                .snapshots(OrderState.class, STATE_SCHEMA_VERSION, SnapshotTrigger.everyEvents(SNAPSHOT_EVERY_EVENTS))
                .build();
    }

    /** Routes each Order command to its aggregate method. */
    public static void routes(CommandRoutes<Order> routes) {
        routes.create(PlaceOrder.class, PlaceOrder::orderId, Order::place)
                .update(AddLine.class, AddLine::orderId, Order::addLine)
                .update(RemoveLine.class, RemoveLine::orderId, Order::removeLine)
                .update(ConfirmOrder.class, ConfirmOrder::orderId, Order::confirm)
                .update(CancelOrder.class, CancelOrder::orderId, Order::cancel);
    }

    /**
     * A validator holding the JSON Schema of every event type at its current version, read from
     * {@code schemas/<EventType>-v<version>.json} on the classpath. Unknown event types are refused.
     *
     * @throws io.nexus.core.schema.InvalidSchemaException if a schema file is missing or not a valid schema
     */
    public static JsonSchemaEventValidator validator() {
        JsonSchemaEventValidator.Builder builder = JsonSchemaEventValidator.builder().requireSchema(true);
        for (EventTypeInfo type : eventTypes().all()) {
            builder.classpath(type.name(), type.version(), schemaResource(type.name(), type.version()));
        }
        return builder.build();
    }

    /** The classpath resource holding the schema of {@code eventType} at {@code version}. */
    public static String schemaResource(String eventType, int version) {
        return "schemas/" + eventType + "-v" + version + ".json";
    }

    /**
     * The Order domain's governance: history is append-only, Order events are appended by Orders only,
     * payloads stay under 16 KiB, and no event carries contact details (customers are referred to by id).
     */
    public static Policies policies() {
        List<String> orderEvents = eventTypes().all().stream().map(EventTypeInfo::name).toList();
        return Policies.builtIn().appendOnly()
                .eventOwner(definition().name(), orderEvents.toArray(String[]::new))
                .payloadLimit(16 * 1024)
                .personalData(Set.of("email", "phone", "address"), Set.of());
    }

    /** Registers the Order domain (event types, validator, aggregate, routes and its policies) on {@code builder}. */
    // tag::configure[]
    @Override
    public void configure(Nexus.Builder builder) {
        builder.eventTypes(eventTypes())
                .validator(validator)
                .policy(policies())
                .aggregate(definition(), OrderModule::routes);
    }
    // end::configure[]
}
