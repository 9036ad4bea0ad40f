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
import io.nexus.core.policy.PolicyActions;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.ReadSchemas;
import io.nexus.core.schema.SchemaFiles;
import io.nexus.core.schema.SchemaRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The Order domain as one {@link NexusModule}, so the app and its tests wire it the same way: the event
 * types, the schema registry holding their schemas (every new event is validated against it, and an event type
 * it does not hold is refused), the domain's policies, the aggregate definition (snapshots every
 * {@value #SNAPSHOT_EVERY_EVENTS} events) and the command routes.
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

    /**
     * The policy decisions recorded in the audit log when they allow, besides every denial: what operators do
     * (dead-letter retries and discards, rebuilds, schema changes), rare and worth a trace, while commands'
     * allowances are not recorded.
     */
    public static final List<String> AUDITED_ACTIONS = List.of(PolicyActions.DEAD_LETTER_RETRY, PolicyActions.DEAD_LETTER_DISCARD,
            PolicyActions.PROJECTION_REBUILD, PolicyActions.SCHEMA_REGISTER, PolicyActions.SCHEMA_MODE_CHANGE);

    private final EventValidator validator;

    /** The module; new events are validated against the schema registry ({@link #schemaRegistry()}). */
    public OrderModule() {
        this.validator = null;
    }

    /** The module with another validator of new events (a stricter one, or a shared instance in tests); the registry still governs. */
    public OrderModule(EventValidator validator) {
        this.validator = java.util.Objects.requireNonNull(validator, "validator");
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

    /**
     * The compatibility mode of each Order event's schema subject: {@link CompatibilityMode#FULL}, because other
     * contexts (billing, fulfilment, search) read these events, so old and new readers must both understand every
     * version. The build's schema check judges every change under these modes, as the registry does.
     */
    public static Map<String, CompatibilityMode> compatibility() {
        Map<String, CompatibilityMode> modes = new HashMap<>();
        eventTypes().all().forEach(type -> modes.put(type.name(), CompatibilityMode.FULL));
        return Map.copyOf(modes);
    }

    /** A schema registry holding every version of every Order event's schema, each subject under its {@link #compatibility() mode}. */
    public static InMemorySchemaRegistry schemaRegistry() {
        return schemaRegistry(eventTypes(), OrderModule::schemaResource, compatibility());
    }

    /**
     * A schema registry holding, for each of {@code types}, the schema of every version up to its current one (read
     * from the classpath resource {@code resourceOf} names), each subject set to its mode in {@code modes} (BACKWARD
     * otherwise) before its versions are registered.
     *
     * @throws SchemaFiles.SchemaFileException if a resource is missing or its version does not line up
     * @throws InvalidSchemaException          if a resource is not a valid JSON Schema
     * @throws io.nexus.core.schema.IncompatibleSchemaException if a version breaks its subject's mode
     */
    public static InMemorySchemaRegistry schemaRegistry(EventTypes types, BiFunction<String, Integer, String> resourceOf,
                                                        Map<String, CompatibilityMode> modes) {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        registerSchemas(registry, types, resourceOf, modes);
        return registry;
    }

    /**
     * Registers in {@code registry}, for each of {@code types}, the schema of every version up to its current one
     * (read from the classpath resource {@code resourceOf} names), each subject in its mode in {@code modes}
     * before its later versions are judged. Idempotent, so it runs at every start: versions already registered
     * are found, not added. Version 1 goes first because a registry such as Glue has no mode for a subject that
     * does not exist yet.
     *
     * @throws SchemaFiles.SchemaFileException if a resource is missing, or the registry holds other versions
     * @throws InvalidSchemaException          if a resource is not a valid JSON Schema (or one the registry takes)
     * @throws io.nexus.core.schema.IncompatibleSchemaException if a version breaks its subject's mode
     * @throws io.nexus.core.schema.SchemaRegistryException     if the registry refuses otherwise or cannot be reached
     */
    public static void registerSchemas(SchemaRegistry registry, EventTypes types, BiFunction<String, Integer, String> resourceOf,
                                       Map<String, CompatibilityMode> modes) {
        Map<String, String> first = new TreeMap<>();
        Map<String, String> documents = new TreeMap<>();
        for (EventTypeInfo type : types.all()) {
            for (int version = 1; version <= type.version(); version++) {
                String name = type.name() + ".v" + version + ".json";
                documents.put(name, read(resourceOf.apply(type.name(), version)));
                if (version == 1) {
                    first.put(name, documents.get(name));
                }
            }
        }
        SchemaFiles.registerAll(registry, first);
        for (EventTypeInfo type : types.all()) {
            CompatibilityMode mode = modes.get(type.name());
            if (mode != null && registry.compatibility(type.name()) != mode) {
                registry.setCompatibility(type.name(), mode);
            }
        }
        SchemaFiles.registerAll(registry, documents);
    }

    private static String read(String resource) {
        try (InputStream in = OrderModule.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new SchemaFiles.SchemaFileException("Schema resource '" + resource + "' is not on the classpath; add it", null);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SchemaFiles.SchemaFileException("Cannot read schema resource '" + resource + "': " + e.getMessage(), e);
        }
    }

    /** The classpath resource holding the schema of {@code eventType} at {@code version}. */
    public static String schemaResource(String eventType, int version) {
        return "schemas/" + eventType + "-v" + version + ".json";
    }

    /**
     * The Order domain's governance, built-in rules enabled by name: history is append-only, only event types
     * whose schema version {@code registry} holds are appended, Order events are appended by Orders only, payloads
     * stay under 16 KiB ({@code OrderPlaced}, two ids, under 1 KiB), and no event carries contact details
     * (customers are referred to by id).
     */
    // tag::order-policies[]
    public static Policies policies(ReadSchemas registry) {
        String[] orderEvents = eventTypes().all().stream().map(EventTypeInfo::name).toArray(String[]::new);
        return Policies.builtIn()
                .appendOnly()                                               // append-only
                .schemaRequired(registry)                                   // schema-required
                .eventOwner(definition().name(), orderEvents)               // event-ownership
                .payloadLimit(16 * 1024).payloadLimit("OrderPlaced", 1024)  // payload-limit
                .personalData(Set.of("email", "phone", "address"), Set.of()); // personal-data
    }
    // end::order-policies[]

    /**
     * Registers the Order domain on {@code builder}: event types, the schema registry (new events validated against
     * it, unregistered types refused), its policies with operator actions audited, the aggregate and its routes.
     */
    // tag::configure[]
    @Override
    public void configure(Nexus.Builder builder) {
        InMemorySchemaRegistry registry = schemaRegistry();
        builder.eventTypes(eventTypes())
                .schemaRegistry(registry)
                .policy(policies(registry))
                .auditAllowedDecisions(AUDITED_ACTIONS.toArray(String[]::new))
                .aggregate(definition(), OrderModule::routes);
        if (validator != null) {
            builder.validator(validator);
        }
    }
    // end::configure[]
}
