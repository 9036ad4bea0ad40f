package io.nexus.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandResult;
import io.nexus.core.command.CommandRoutes;
import io.nexus.core.command.SimpleCommandBus;
import io.nexus.core.deadletter.DeadLetterOperations;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.bus.BusConsumers;
import io.nexus.core.bus.EventBus;
import io.nexus.core.internal.ApplicationDeadLetters;
import io.nexus.core.internal.EventBusComponents;
import io.nexus.core.internal.Lifecycle;
import io.nexus.core.internal.ProjectionComponent;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionOptions;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.policy.GovernedSchemaRegistry;
import io.nexus.core.policy.Policies;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.scheduler.InMemoryScheduler;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.core.schema.SchemaRegistryEventValidator;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventSerializer;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.serialization.JacksonEventSerializer;
import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.temporal.AuditLog;
import io.nexus.core.temporal.InMemoryAuditLog;
import io.nexus.core.tracking.LogTracker;
import io.nexus.core.upcast.Upcaster;
import io.nexus.core.upcast.UpcasterChain;
import org.jspecify.annotations.Nullable;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One configured Nexus application: its ports, its write side and its long-running components. Every
 * port not given is the embedded default (in-memory event, snapshot, checkpoint, lease, dead-letter, audit,
 * timer and read-model stores, Jackson, no validation, allow-all policy behind the audited decision point), so
 * {@code Nexus.builder().eventTypes(...).aggregate(...).build()} runs with nothing installed; an engine
 * family ({@link Builder#engines}) replaces the ports it implements without touching application code.
 *
 * <pre>{@code
 * try (Nexus nexus = Nexus.builder()
 *         .eventTypes(EventTypes.builder().register(OrderPlaced.class).register(LineAdded.class).build())
 *         .aggregate(AggregateDefinition.of(Order.class, Order::new), routes -> routes
 *                 .create(PlaceOrder.class, PlaceOrder::orderId, Order::place)
 *                 .update(AddLine.class, AddLine::orderId, Order::addLine))
 *         .component(new MyPoller())
 *         .build()) {
 *     nexus.start();
 *     CommandResult result = nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
 * }
 * }</pre>
 *
 * <p>Nexus is the {@link NexusContext} of its components: {@link #start()} starts them in registration
 * order, {@link #close()} closes them in reverse order and then stops what Nexus itself runs. Building
 * validates everything it can: upcaster chains, handler coverage, duplicate routes, ports set twice.
 * Commands can be sent before {@link #start()} (the write side needs no component); nothing works
 * after {@link #close()}. Thread-safe.
 */
public final class Nexus implements NexusContext, AutoCloseable {

    private final EventStore eventStore;
    private final SnapshotStore snapshotStore;
    private final CheckpointStore checkpoints;
    private final LeaseStore leases;
    private final String instanceId;
    private final @Nullable ConsumerLease consumerLease;
    private final DeadLetterQueue deadLetters;
    private final AuditLog auditLog;
    private final Scheduler timers;
    private final ReadModelStores readModels;
    private final EventCodec codec;
    private final Clock clock;
    private final MeterRegistry meterRegistry;
    private final ObservationRegistry observationRegistry;
    private final EventValidator validator;
    private final PolicyEngine policy;
    private final @Nullable SchemaRegistry schemaRegistry;
    private final CommandBus commandBus;
    private final Map<Class<?>, AggregateRepository<?>> repositories;
    private final @Nullable ExecutorService ownedExecutor;
    private final @Nullable NotificationHub notifications;
    private final @Nullable TaskScheduler ownedNotificationScheduler;
    private final @Nullable TaskScheduler ownedLeaseScheduler;
    private final Lifecycle lifecycle;
    private final DeadLetterOperations deadLetterOperations;
    private final Object state = new Object();
    private boolean started;
    private volatile boolean closed;

    // build() sets every port and setting before it calls this constructor: the requireNonNull calls state that
    private Nexus(Builder b, EventCodec codec, Map<Class<?>, AggregateRepository<?>> repositories, CommandBus bus,
                  @Nullable ExecutorService ownedExecutor) {
        this.eventStore = Objects.requireNonNull(b.eventStore, "eventStore");
        this.snapshotStore = Objects.requireNonNull(b.snapshotStore, "snapshotStore");
        this.checkpoints = Objects.requireNonNull(b.checkpointStore, "checkpointStore");
        this.leases = Objects.requireNonNull(b.leaseStore, "leaseStore");
        this.instanceId = Objects.requireNonNull(b.instanceId, "instanceId");
        // the default in-memory store arbitrates within this instance only: a lease would exclude nobody
        // One thread renews every consumer's lease, so that a long batch never holds a renewal up.
        this.ownedLeaseScheduler = b.leaseStoreGiven ? TaskScheduler.singleThread("nexus-leases") : null;
        this.consumerLease = ownedLeaseScheduler == null ? null
                : new ConsumerLease(leases, instanceId, b.leaseDuration, ownedLeaseScheduler);
        this.deadLetters = Objects.requireNonNull(b.deadLetterQueue, "deadLetterQueue");
        this.auditLog = Objects.requireNonNull(b.auditLog, "auditLog");
        this.timers = Objects.requireNonNull(b.timers, "timers");
        this.readModels = io.nexus.core.internal.MeasuredReadModelStores.of(Objects.requireNonNull(b.readModels, "readModels"), NexusMetrics.of(b.meterRegistry));
        this.codec = codec;
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.meterRegistry = b.meterRegistry != null ? b.meterRegistry : NexusMetrics.noRegistry();
        this.observationRegistry = b.observationRegistry != null ? b.observationRegistry : ObservationRegistry.NOOP;
        this.validator = Objects.requireNonNull(b.validator, "validator");
        this.policy = Objects.requireNonNull(b.policy, "policy");
        this.schemaRegistry = b.schemaRegistry == null ? null : GovernedSchemaRegistry.of(b.schemaRegistry, policy);
        this.repositories = Map.copyOf(repositories);
        this.commandBus = new OpenCommandBus(bus);
        this.ownedExecutor = ownedExecutor;
        if (b.notificationHub != null) {
            this.notifications = b.notificationHub;
            this.ownedNotificationScheduler = null;
        } else if (b.notificationOptions != null) {
            this.ownedNotificationScheduler = TaskScheduler.singleThread("nexus-notifications");
            NotificationHub.Builder hub = NotificationHub.builder(ownedNotificationScheduler).clock(clock)
                    .observationRegistry(observationRegistry);
            b.notificationOptions.accept(hub);
            this.notifications = hub.build();
        } else {
            this.notifications = null;
            this.ownedNotificationScheduler = null;
        }
        try {
            List<NexusComponent> components = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (Function<Nexus, NexusComponent> factory : b.components) {
                NexusComponent component = Objects.requireNonNull(factory.apply(this), "component");
                String name = component.name();
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("component " + component.getClass().getName()
                            + " has a blank name; give every component a stable, non-blank name");
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("component name '" + name + "' is registered twice; give each component its own name");
                }
                components.add(component);
            }
            this.lifecycle = new Lifecycle(components);
            this.deadLetterOperations = new ApplicationDeadLetters(this::projections, this::consumerGroups, policy);
        } catch (RuntimeException | Error e) {
            if (ownedNotificationScheduler != null) {
                ownedNotificationScheduler.close();
            }
            if (ownedLeaseScheduler != null) {
                ownedLeaseScheduler.close();
            }
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the registered components in registration order, each with this Nexus as its context,
     * and returns once all are running. When one fails to start, the ones started before it are closed,
     * then this Nexus is closed, and the failure is thrown.
     *
     * @return this Nexus
     * @throws IllegalStateException if already started, or closed
     * @throws RuntimeException      the failure of the component that could not start
     */
    public Nexus start() {
        synchronized (state) {
            requireOpen();
            if (started) {
                throw new IllegalStateException("Nexus is already started; start() is called once, after build()");
            }
            started = true;
        }
        try {
            lifecycle.start(this);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        return this;
    }

    /** Whether {@link #start()} succeeded and {@link #close()} was not called since. */
    public boolean isRunning() {
        synchronized (state) {
            return started && !closed;
        }
    }

    /** The registered components, in registration (start) order. */
    public List<NexusComponent> components() {
        return lifecycle.components();
    }

    @Override
    public <T> Optional<T> component(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return lifecycle.find(type);
    }

    /**
     * The processor of the projection named {@code name} (registered with {@link Builder#projection}):
     * its health, dead letters and rebuilds.
     *
     * @throws IllegalArgumentException if no projection has that name
     */
    public ProjectionProcessor projection(String name) {
        Objects.requireNonNull(name, "name");
        for (NexusComponent component : lifecycle.components()) {
            if (component instanceof ProjectionComponent projection && projection.name().equals(name)) {
                return projection.processor();
            }
        }
        throw new IllegalArgumentException("projection '" + name + "' is not registered with this Nexus; register it with "
                + "Nexus.builder().projection(...)");
    }

    private List<io.nexus.core.bus.ConsumerGroup> consumerGroups() {
        List<io.nexus.core.bus.ConsumerGroup> groups = new ArrayList<>();
        for (NexusComponent component : lifecycle.components()) {
            if (component instanceof EventBusComponents.Consumers consumers) {
                groups.addAll(consumers.groups());
            }
        }
        return groups;
    }

    /** The processors of every projection registered with {@link Builder#projection}, in registration order. */
    public List<ProjectionProcessor> projections() {
        List<ProjectionProcessor> processors = new ArrayList<>();
        for (NexusComponent component : lifecycle.components()) {
            if (component instanceof ProjectionComponent projection) {
                processors.add(projection.processor());
            }
        }
        return List.copyOf(processors);
    }

    /**
     * The operator's handle on every dead letter of this application: its projections' and its event bus's
     * consumer groups' (list, parked events, retry, discard), each retry and discard asked of the policy on
     * behalf of a principal and audited like every other decision.
     */
    public DeadLetterOperations deadLetterOperations() {
        return deadLetterOperations;
    }

    /**
     * The notification hub every projection that asked for notifications tells of the events it applies.
     *
     * @throws IllegalStateException if none was configured ({@link Builder#notifications()})
     */
    public NotificationHub notifications() {
        if (notifications == null) {
            throw new IllegalStateException("this Nexus has no notification hub; add .notifications() to its builder");
        }
        return notifications;
    }

    /** The command bus; sending through it fails with {@link IllegalStateException} once Nexus is closed. */
    @Override
    public CommandBus commands() {
        return commandBus;
    }

    @Override
    public EventStore eventStore() {
        return eventStore;
    }

    @Override
    public SnapshotStore snapshotStore() {
        return snapshotStore;
    }

    @Override
    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    @Override
    public LeaseStore leases() {
        return leases;
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    /**
     * Present when a lease store was given ({@link Builder#leaseStore}, or by an engine family): every
     * projection, the event router and every saga then run in one instance of the application at a time.
     */
    @Override
    public Optional<ConsumerLease> consumerLease() {
        return Optional.ofNullable(consumerLease);
    }

    @Override
    public DeadLetterQueue deadLetters() {
        return deadLetters;
    }

    @Override
    public Scheduler timers() {
        return timers;
    }

    @Override
    public AuditLog auditLog() {
        return auditLog;
    }

    @Override
    public ReadModelStores readModels() {
        return readModels;
    }

    /** Encodes and decodes (and upcasts) events of this application. */
    @Override
    public EventCodec codec() {
        return codec;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    /** The registry given to {@link Builder#meterRegistry}, or one that records nothing. */
    @Override
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** The registry given to {@link Builder#observationRegistry}, or {@link ObservationRegistry#NOOP}. */
    @Override
    public ObservationRegistry observationRegistry() {
        return observationRegistry;
    }

    /** The validator every new event of this application passes (schema governance), for components that append events themselves. */
    @Override
    public EventValidator validator() {
        return validator;
    }

    /**
     * The application's policy decision point ({@link PolicyDecisionPoint}): the engine given to the builder (with
     * {@code schema-required} ahead of it when a schema registry is configured), recording its denials in the
     * audit log.
     */
    @Override
    public PolicyEngine policy() {
        return policy;
    }

    /**
     * The schema registry given to {@link Builder#schemaRegistry}, with registrations and mode changes going
     * through the policy first.
     *
     * @throws IllegalStateException if none was configured
     */
    public GovernedSchemaRegistry schemaRegistry() {
        if (schemaRegistry == null) {
            throw new IllegalStateException("this Nexus has no schema registry; add .schemaRegistry(registry) to its builder");
        }
        return (GovernedSchemaRegistry) schemaRegistry;
    }

    /**
     * @throws IllegalStateException if Nexus is closed
     */
    @Override
    public LogTracker.Builder logTracker(String consumer) {
        requireOpen();
        LogTracker.Builder builder = LogTracker.builder(consumer, eventStore, eventStore, checkpoints).meterRegistry(meterRegistry());
        if (consumerLease != null) {
            builder.lease(consumerLease);
        }
        return builder;
    }

    /**
     * The repository of an aggregate class registered with {@link Builder#aggregate}.
     *
     * @throws IllegalArgumentException if the class was not registered
     * @throws IllegalStateException    if Nexus is closed
     */
    @SuppressWarnings("unchecked")
    public <A extends Aggregate> AggregateRepository<A> repository(Class<A> type) {
        requireOpen();
        AggregateRepository<?> repository = repositories.get(type);
        if (repository == null) {
            throw new IllegalArgumentException("aggregate " + type.getName() + " is not registered with this Nexus");
        }
        return (AggregateRepository<A>) repository;
    }

    /**
     * Closes the started components in reverse registration order, then waits up to 10 s for pending
     * background snapshots and stops the snapshot writer Nexus created. The ports (stores, clients) stay
     * open: their owner closes them. Closing twice is harmless.
     */
    @Override
    public void close() {
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
        }
        lifecycle.close();
        if (ownedNotificationScheduler != null) {
            ownedNotificationScheduler.close();
        }
        if (ownedLeaseScheduler != null) {
            ownedLeaseScheduler.close();
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
            try {
                ownedExecutor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("Nexus is closed; build a new Nexus to go on");
        }
    }

    /** The command bus that refuses commands once Nexus is closed. */
    private final class OpenCommandBus implements CommandBus {
        private final CommandBus delegate;

        OpenCommandBus(CommandBus delegate) {
            this.delegate = delegate;
        }

        @Override
        public CommandResult send(Object command, CommandMetadata metadata) {
            if (closed) {
                throw new IllegalStateException("Nexus is closed; command " + (command == null ? "null" : command.getClass().getSimpleName())
                        + " was not sent. Build a new Nexus to go on");
            }
            return delegate.send(command, metadata);
        }
    }

    /**
     * Configures a {@link Nexus}. Each single-valued setting (a port, the clock, the codec's parts, the
     * policy) can be set once: setting it again, directly or through an {@link #engines engine family}
     * or a {@link #module module}, is an {@link IllegalStateException} naming both settings. Not thread-safe.
     */
    public static final class Builder {
        private @Nullable EventStore eventStore;
        private @Nullable SnapshotStore snapshotStore;
        private @Nullable CheckpointStore checkpointStore;
        private @Nullable LeaseStore leaseStore;
        private boolean leaseStoreGiven;
        private @Nullable String instanceId;
        private Duration leaseDuration = ConsumerLease.DEFAULT_DURATION;
        private @Nullable DeadLetterQueue deadLetterQueue;
        private @Nullable AuditLog auditLog;
        private @Nullable Scheduler timers;
        private @Nullable ReadModelStores readModels;
        private @Nullable EventTypes eventTypes;
        private @Nullable EventSerializer serializer;
        private final List<Upcaster> upcasters = new ArrayList<>();
        private @Nullable EventValidator validator;
        private @Nullable PolicyEngine policy;
        private @Nullable SchemaRegistry schemaRegistry;
        private boolean allowUnregisteredEventTypes;
        private boolean auditAllowedDecisions;
        private final Set<String> auditAllowedActions = new HashSet<>();
        private @Nullable Clock clock;
        private @Nullable MeterRegistry meterRegistry;
        private @Nullable ObservationRegistry observationRegistry;
        private @Nullable RetryPolicy conflictRetry;
        private @Nullable Executor snapshotExecutor;
        private SimpleCommandBus.@Nullable Sleeper sleeper;
        private long aggregateCacheSize;
        private final Map<Class<?>, Registration<?>> aggregates = new LinkedHashMap<>();
        private final List<Function<Nexus, NexusComponent>> components = new ArrayList<>();
        private final List<String> projectionsWantingNotifications = new ArrayList<>();
        private @Nullable Consumer<NotificationHub.Builder> notificationOptions;
        private @Nullable NotificationHub notificationHub;
        private @Nullable Object eventBus;
        private final Map<String, String> setBy = new HashMap<>();
        private String origin = "the application";

        private record Registration<A extends Aggregate>(AggregateDefinition<A> definition, CommandRoutes<A> routes) {
        }

        private Builder() {
        }

        /** Refuses a second value for {@code setting}, naming who set the first one. */
        private <T> T once(String setting, @Nullable Object current, T value) {
            Objects.requireNonNull(value, setting);
            if (current != null) {
                throw new IllegalStateException("'" + setting + "' was already set to " + describe(current) + " by "
                        + setBy.get(setting) + ", and " + origin + " sets it again to " + describe(value)
                        + "; set each port and setting once (an engine family sets all of its ports: leave those out)");
            }
            setBy.put(setting, origin);
            return value;
        }

        /** Host name, process id and a random suffix: unique per instance, and readable in the lease store. */
        private static String defaultInstanceId() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                host = System.getenv("COMPUTERNAME");
            }
            if (host == null || host.isBlank()) {
                try {
                    host = java.net.InetAddress.getLocalHost().getHostName();
                } catch (java.io.IOException | RuntimeException e) {
                    host = "unknown-host";
                }
            }
            String suffix = Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1, 36);
            return host + "-" + ProcessHandle.current().pid() + "-" + suffix.substring(0, Math.min(6, suffix.length()));
        }

        private static String describe(Object value) {
            String name = value.getClass().getSimpleName();
            int lambda = name.indexOf("$$Lambda");
            return lambda >= 0 ? "a lambda of " + name.substring(0, lambda) : name.isEmpty() ? value.getClass().getName() : name;
        }

        /** Runs {@code configure} with {@code who} named as the origin of what it sets. */
        private Builder as(String who, Runnable configure) {
            String previous = origin;
            origin = previous.equals("the application") ? who : who + " (through " + previous + ")";
            try {
                configure.run();
            } finally {
                origin = previous;
            }
            return this;
        }

        /** The event store; an {@link InMemoryEventStore} on this builder's clock by default. */
        public Builder eventStore(EventStore value) {
            this.eventStore = once("eventStore", eventStore, value);
            return this;
        }

        /** The snapshot store; an {@link InMemorySnapshotStore} by default. */
        public Builder snapshotStore(SnapshotStore value) {
            this.snapshotStore = once("snapshotStore", snapshotStore, value);
            return this;
        }

        /** Where every consumer keeps its positions; an {@link InMemoryCheckpointStore} on the clock by default. */
        public Builder checkpointStore(CheckpointStore value) {
            this.checkpointStore = once("checkpointStore", checkpointStore, value);
            return this;
        }

        /**
         * Which process runs each exclusive consumer (projections, the router, sagas) when several run the
         * application; an {@link InMemoryLeaseStore} on the clock by default, which arbitrates within this process only.
         */
        public Builder leaseStore(LeaseStore value) {
            this.leaseStore = once("leaseStore", leaseStore, value);
            this.leaseStoreGiven = true;
            return this;
        }

        /**
         * This instance's id, the owner of its consumers' leases: give every instance of the application its own
         * (two instances with one id both think they hold a lease). By default the host name, the process id and
         * a random suffix, so that two Nexus instances in one process differ too.
         *
         * @throws IllegalArgumentException if {@code value} is blank
         */
        public Builder instanceId(String value) {
            LeaseStore.requireText(value, "owner");
            this.instanceId = once("instanceId", instanceId, value);
            return this;
        }

        /**
         * How long an exclusive consumer's lease lasts without renewal (see {@link ConsumerLease#duration()}): the
         * longest a dead instance's consumers wait for another instance, before up to half of it more for the next
         * attempt; 15 s by default. Only used when a lease store is given.
         *
         * @throws IllegalArgumentException if {@code value} is shorter than 3 ms
         */
        public Builder leaseDuration(Duration value) {
            this.leaseDuration = ConsumerLease.requireDuration(value, "leaseDuration");
            return this;
        }

        /** Where consumers put the events they gave up on; an {@link InMemoryDeadLetterQueue} by default. */
        public Builder deadLetterQueue(DeadLetterQueue value) {
            this.deadLetterQueue = once("deadLetterQueue", deadLetterQueue, value);
            return this;
        }

        /** Where audited operations are recorded; an {@link InMemoryAuditLog} by default. */
        public Builder auditLog(AuditLog value) {
            this.auditLog = once("auditLog", auditLog, value);
            return this;
        }

        /** Durable timers (saga timeouts); an {@link InMemoryScheduler} by default. */
        public Builder timers(Scheduler value) {
            this.timers = once("timers", timers, value);
            return this;
        }

        /** Key-value read-model stores by name; {@link InMemoryReadModelStores} by default. */
        public Builder readModels(ReadModelStores value) {
            this.readModels = once("readModels", readModels, value);
            return this;
        }

        /**
         * Sets every port {@code value}'s engine family implements; a port it sets cannot be set again
         * (nor by another family).
         */
        public Builder engines(NexusEngines value) {
            Objects.requireNonNull(value, "engines");
            return as("engines " + describe(value), () -> value.configure(this));
        }

        /** Registers an application module's parts (event types, aggregates, projections, components). */
        public Builder module(NexusModule value) {
            Objects.requireNonNull(value, "module");
            return as("module " + describe(value), () -> value.configure(this));
        }

        /** The registered event types. Required. */
        public Builder eventTypes(EventTypes value) {
            this.eventTypes = once("eventTypes", eventTypes, value);
            return this;
        }

        /** The serializer for payloads and snapshot states; Jackson by default. */
        public Builder serializer(EventSerializer value) {
            this.serializer = once("serializer", serializer, value);
            return this;
        }

        /** Adds an upcaster; the chain is validated by {@link #build()}. */
        public Builder upcaster(Upcaster value) {
            this.upcasters.add(Objects.requireNonNull(value, "upcaster"));
            return this;
        }

        /** Checks every new event before it is appended (schema validation); accepts all by default. */
        public Builder validator(EventValidator value) {
            this.validator = once("validator", validator, value);
            return this;
        }

        /**
         * The policy asked on every path that changes or reads history (appends, saga events, schema changes,
         * temporal queries, dead-letter retries and discards, projection rebuilds), such as
         * {@code Policies.builtIn().appendOnly().eventOwner(...).and(myRule)}; allows all by default. Nexus asks it
         * through a {@link PolicyDecisionPoint} that records every denial in the audit log.
         */
        public Builder policyEngine(PolicyEngine value) {
            this.policy = once("policyEngine", policy, value);
            return this;
        }

        /** Same as {@link #policyEngine(PolicyEngine)}. */
        public Builder policy(PolicyEngine value) {
            return policyEngine(value);
        }

        /**
         * The schema registry of the application's event types. Governance follows: unless told otherwise, the
         * validator checks every new event against its registered schema ({@link SchemaRegistryEventValidator},
         * when no validator is set) and the policy refuses event types the registry does not know (rule
         * {@code schema-required}, asked before the configured policy; see {@link #allowUnregisteredEventTypes()}).
         * Registrations and mode changes through {@link Nexus#schemaRegistry()} go through the policy.
         */
        public Builder schemaRegistry(SchemaRegistry value) {
            this.schemaRegistry = once("schemaRegistry", schemaRegistry, value);
            return this;
        }

        /**
         * Lets events whose type the schema registry does not know be appended: no {@code schema-required} rule is
         * added, and the default validator lets such events pass (registered ones are still validated).
         */
        public Builder allowUnregisteredEventTypes() {
            this.allowUnregisteredEventTypes = true;
            return this;
        }

        /** Records allowed policy decisions in the audit log too (by default only denials and engine failures). */
        public Builder auditAllowedDecisions() {
            this.auditAllowedDecisions = true;
            return this;
        }

        /**
         * Records allowed policy decisions on {@code actions} in the audit log too, say the operator's
         * ({@code PolicyActions.DEAD_LETTER_RETRY}, {@code DEAD_LETTER_DISCARD}, {@code PROJECTION_REBUILD}), so that
         * every operator action leaves a record while commands' allowances do not. Adds to earlier calls.
         */
        public Builder auditAllowedDecisions(String... actions) {
            for (String action : actions) {
                auditAllowedActions.add(Objects.requireNonNull(action, "action"));
            }
            return this;
        }

        /** The application clock (event timestamps, snapshot ages, command contexts, components); UTC system clock by default. */
        public Builder clock(Clock value) {
            this.clock = once("clock", clock, value);
            return this;
        }

        /** Where Nexus and its components record meters; nothing is recorded without one. */
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = once("meterRegistry", meterRegistry, value);
            return this;
        }

        /**
         * Where Nexus and its components observe their work: commands (load, decide, append), the router's
         * publish, bus consumers, projections, sagas and the adapters' remote calls. With Micrometer Tracing's
         * handlers registered on it (OpenTelemetry or Brave bridge) these are spans, and the trace context
         * travels in every event's metadata, so one trace shows a request and everything it caused. Nothing is
         * observed without one. See docs/observability.md.
         */
        public Builder observationRegistry(ObservationRegistry value) {
            this.observationRegistry = once("observationRegistry", observationRegistry, value);
            return this;
        }

        /** How concurrency conflicts are retried by the command bus; not at all by default. */
        public Builder conflictRetry(RetryPolicy value) {
            this.conflictRetry = once("conflictRetry", conflictRetry, value);
            return this;
        }

        /**
         * Where snapshots are serialized and written. By default a single background thread that Nexus
         * owns and {@link Nexus#close()} stops; pass {@code Runnable::run} to write them synchronously (tests).
         */
        public Builder snapshotExecutor(Executor value) {
            this.snapshotExecutor = once("snapshotExecutor", snapshotExecutor, value);
            return this;
        }

        /** How the command bus waits between retries (tests pass one that advances a controllable clock). */
        public Builder sleeper(SimpleCommandBus.Sleeper value) {
            this.sleeper = once("sleeper", sleeper, value);
            return this;
        }

        /**
         * Caches up to {@code maximumSize} recently saved aggregates per aggregate type, so a command on a
         * hot aggregate skips the replay (0, the default, disables the cache). See
         * {@link AggregateRepository.Builder#cache(long)}.
         */
        public Builder aggregateCache(long maximumSize) {
            if (maximumSize < 0) {
                throw new IllegalArgumentException("maximumSize must be >= 0, but was " + maximumSize);
            }
            this.aggregateCacheSize = maximumSize;
            return this;
        }

        /** Registers an aggregate type and the commands it handles. */
        public <A extends Aggregate> Builder aggregate(AggregateDefinition<A> definition, Consumer<CommandRoutes<A>> routes) {
            Objects.requireNonNull(definition, "definition");
            CommandRoutes<A> collected = new CommandRoutes<>();
            routes.accept(collected);
            if (aggregates.putIfAbsent(definition.type(), new Registration<>(definition, collected)) != null) {
                throw new IllegalArgumentException("aggregate " + definition.type().getName() + " is registered twice");
            }
            return this;
        }

        /**
         * Registers a long-running component: {@link Nexus#start()} starts it (after the ones registered
         * before it) with the application as its {@link NexusContext}; {@link Nexus#close()} closes it.
         */
        public Builder component(NexusComponent value) {
            Objects.requireNonNull(value, "component");
            components.add(nexus -> value);
            return this;
        }

        /**
         * Registers a component made from the application once it is built (so that it can take its ports
         * in its constructor); started and closed like {@link #component(NexusComponent)}.
         */
        public Builder component(Function<? super NexusContext, ? extends NexusComponent> factory) {
            Objects.requireNonNull(factory, "factory");
            components.add(nexus -> factory.apply(nexus));
            return this;
        }

        /**
         * Runs {@code projection} as a component, with the processor's defaults: asynchronous, 5 attempts
         * per event, then a dead letter. Checkpoints, dead letters, clock, meters and codec come from the
         * application.
         */
        public Builder projection(Projection projection) {
            return projection(projection, options -> { });
        }

        /** Runs {@code projection} as a component with {@code options} ({@code options -> options.mode(INLINE).notifications()}). */
        public Builder projection(Projection projection, Consumer<ProjectionOptions> options) {
            Objects.requireNonNull(projection, "projection");
            ProjectionOptions collected = options(projection.name(), options);
            components.add(nexus -> ProjectionComponent.create(projection, collected, nexus, nexus.notifications));
            return this;
        }

        /**
         * Runs a projection that declares its handlers by event class; its event type names come from the
         * application's event types.
         *
         * @throws io.nexus.core.serialization.UnknownEventTypeException from {@link #build()}, naming a handled
         *                                                               class the event types do not register
         */
        public Builder projection(TypedProjection projection) {
            return projection(projection, options -> { });
        }

        /** Runs a projection with handlers by event class, with {@code options}. */
        public Builder projection(TypedProjection projection, Consumer<ProjectionOptions> options) {
            Objects.requireNonNull(projection, "projection");
            ProjectionOptions collected = options(projection.name(), options);
            components.add(nexus -> ProjectionComponent.create(projection.bind(nexus.codec.types()), collected, nexus, nexus.notifications));
            return this;
        }

        /**
         * Runs the projection {@code factory} makes from the built application (to give it a read-model
         * store of {@code context.readModels()}, say), with {@code options}.
         */
        public Builder projection(Function<? super NexusContext, ? extends TypedProjection> factory, Consumer<ProjectionOptions> options) {
            Objects.requireNonNull(factory, "factory");
            ProjectionOptions collected = options("(made by a factory)", options);
            components.add(nexus -> {
                TypedProjection projection = Objects.requireNonNull(factory.apply(nexus), "the projection factory returned null");
                return ProjectionComponent.create(projection.bind(nexus.codec.types()), collected, nexus, nexus.notifications);
            });
            return this;
        }

        private ProjectionOptions options(String projection, Consumer<ProjectionOptions> options) {
            Objects.requireNonNull(options, "options");
            ProjectionOptions collected = new ProjectionOptions();
            options.accept(collected);
            if (collected.wantsNotifications()) {
                projectionsWantingNotifications.add(projection);
            }
            return collected;
        }

        /** A notification hub with default settings (100 notifications per second per client), on the application clock. */
        public Builder notifications() {
            return notifications(hub -> { });
        }

        /**
         * A notification hub configured by {@code options} ({@code hub -> hub.ratePerClient(50)}), on the application
         * clock and a thread Nexus owns. Projections registered with {@link ProjectionOptions#notifications()} tell
         * it of every event they apply; clients reach it through {@link Nexus#notifications()}.
         */
        public Builder notifications(Consumer<NotificationHub.Builder> options) {
            this.notificationOptions = once("notifications", notificationOptions != null ? notificationOptions : notificationHub, options);
            return this;
        }

        /** This notification hub (its owner closes its scheduler), instead of one Nexus builds. */
        public Builder notifications(NotificationHub hub) {
            this.notificationHub = once("notifications", notificationOptions != null ? notificationOptions : notificationHub, hub);
            return this;
        }

        /** {@code bus}, fed by one router from the event store, with no consumer of this application's. */
        public Builder eventBus(EventBus bus) {
            return eventBus(bus, consumers -> { });
        }

        /**
         * The event bus: one router (a component) publishes every stored event to it from the event store's
         * global log, on the application's checkpoints, so no event is lost or skipped across restarts; the
         * consumer groups given in {@code consumers} are subscribed when the application starts and closed
         * (then the bus) when it closes. The router is the only way events reach the bus.
         */
        public Builder eventBus(EventBus bus, Consumer<BusConsumers> consumers) {
            Objects.requireNonNull(bus, "eventBus");
            return eventBus(context -> bus, bus, consumers);
        }

        /**
         * The event bus built from the application: {@code factory} receives the application's context when
         * it is built, so the bus inherits its dead-letter queue, checkpoints, clock and meters, e.g.
         * {@code context -> KinesisEventBus.builder(kinesis).stream("orders").deadLetters(context.deadLetters())
         * .checkpoints(context.checkpoints()).build()}. Otherwise as {@link #eventBus(EventBus, Consumer)}.
         */
        public Builder eventBus(Function<? super NexusContext, ? extends EventBus> factory, Consumer<BusConsumers> consumers) {
            Objects.requireNonNull(factory, "factory");
            return eventBus(factory, factory, consumers);
        }

        private Builder eventBus(Function<? super NexusContext, ? extends EventBus> factory, Object described,
                                 Consumer<BusConsumers> consumers) {
            this.eventBus = once("eventBus", eventBus, described);
            Objects.requireNonNull(consumers, "consumers");
            BusConsumers collected = new BusConsumers();
            consumers.accept(collected);
            EventBus[] built = new EventBus[1];
            Function<Nexus, EventBus> bus = nexus -> {
                if (built[0] == null) {
                    built[0] = Objects.requireNonNull(factory.apply(nexus), "the event bus factory returned null");
                }
                return built[0];
            };
            components.add(nexus -> new EventBusComponents.Consumers(bus.apply(nexus), collected));
            components.add(nexus -> new EventBusComponents.Router(bus.apply(nexus), collected));
            return this;
        }

        /**
         * Validates the configuration and builds. Nothing runs until {@link Nexus#start()}, except the
         * snapshot writer.
         *
         * @throws IllegalStateException                        if no event types were given, or a handler refers to an unregistered event
         * @throws IllegalArgumentException                     if two components share a name
         * @throws io.nexus.core.upcast.UpcasterChainException if the upcasters leave a gap
         */
        public Nexus build() {
            if (eventTypes == null) {
                throw new IllegalStateException("eventTypes is required: register the application's event classes");
            }
            if (!projectionsWantingNotifications.isEmpty() && notificationOptions == null && notificationHub == null) {
                throw new IllegalStateException("projection(s) " + projectionsWantingNotifications + " ask for notifications, "
                        + "but no notification hub is configured; add .notifications() to the builder");
            }
            clock = clock != null ? clock : Clock.systemUTC();
            serializer = serializer != null ? serializer : new JacksonEventSerializer();
            if (validator == null) {
                validator = schemaRegistry == null ? EventValidator.acceptAll() : registryValidator(schemaRegistry, allowUnregisteredEventTypes);
            }
            eventStore = eventStore != null ? eventStore : InMemoryEventStore.builder().clock(clock).build();
            snapshotStore = snapshotStore != null ? snapshotStore : new InMemorySnapshotStore();
            checkpointStore = checkpointStore != null ? checkpointStore : new InMemoryCheckpointStore(clock);
            leaseStore = leaseStore != null ? leaseStore : new InMemoryLeaseStore(clock);
            instanceId = instanceId != null ? instanceId : defaultInstanceId();
            deadLetterQueue = deadLetterQueue != null ? deadLetterQueue : new InMemoryDeadLetterQueue();
            auditLog = auditLog != null ? auditLog : new InMemoryAuditLog();
            timers = timers != null ? timers : new InMemoryScheduler();
            policy = decisionPoint(policy != null ? policy : PolicyEngine.allowAll());
            readModels = readModels != null ? readModels : new InMemoryReadModelStores();
            EventCodec codec = new EventCodec(eventTypes, serializer, UpcasterChain.of(eventTypes, upcasters));
            ExecutorService owned = null;
            Executor executor = snapshotExecutor;
            if (executor == null) {
                owned = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "nexus-snapshots");
                    t.setDaemon(true);
                    return t;
                });
                executor = owned;
            }
            try {
                SimpleCommandBus.Builder bus = SimpleCommandBus.builder().clock(clock)
                        .conflictRetry(conflictRetry != null ? conflictRetry : RetryPolicy.none());
                if (sleeper != null) {
                    bus.sleeper(sleeper);
                }
                if (meterRegistry != null) {
                    bus.meterRegistry(meterRegistry);
                }
                if (observationRegistry != null) {
                    bus.observationRegistry(observationRegistry);
                }
                Map<Class<?>, AggregateRepository<?>> repositories = new LinkedHashMap<>();
                for (Registration<?> registration : aggregates.values()) {
                    repositories.put(registration.definition().type(), register(registration, codec, executor, bus));
                }
                return new Nexus(this, codec, repositories, bus.build(), owned);
            } catch (RuntimeException | Error e) {
                if (owned != null) {
                    owned.shutdownNow();
                }
                throw e;
            }
        }

        /** Validates against the registry; with unregistered event types allowed, an event without a schema passes unvalidated. */
        private static EventValidator registryValidator(SchemaRegistry registry, boolean allowUnregistered) {
            EventValidator validator = SchemaRegistryEventValidator.builder(registry).build();
            if (!allowUnregistered) {
                return validator;
            }
            return (streamId, event) -> {
                try {
                    validator.validate(streamId, event);
                } catch (io.nexus.core.schema.UnknownSchemaException unregistered) {
                    // allowed by allowUnregisteredEventTypes()
                }
            };
        }

        private PolicyEngine decisionPoint(PolicyEngine engine) {
            if (engine instanceof PolicyDecisionPoint point) {
                return point;
            }
            boolean hasSchemaRule = engine instanceof Policies policies && policies.has("schema-required");
            if (schemaRegistry != null && !allowUnregisteredEventTypes && !hasSchemaRule) {
                engine = Policies.builtIn().schemaRequired(schemaRegistry).and("application", engine);
            }
            // build() sets the audit log and the clock before it asks for the decision point
            return PolicyDecisionPoint.builder(engine).auditLog(Objects.requireNonNull(auditLog, "auditLog"))
                    .clock(Objects.requireNonNull(clock, "clock")).auditAllowed(auditAllowedDecisions)
                    .auditAllowed(auditAllowedActions).build();
        }

        private <A extends Aggregate> AggregateRepository<A> register(Registration<A> registration, EventCodec codec,
                                                                      Executor executor, SimpleCommandBus.Builder bus) {
            // called by build() once every port and setting is set
            AggregateRepository.Builder<A> repository = AggregateRepository.builder(registration.definition(),
                            Objects.requireNonNull(eventStore, "eventStore"), codec)
                    .snapshotStore(Objects.requireNonNull(snapshotStore, "snapshotStore"))
                    .validator(Objects.requireNonNull(validator, "validator")).policy(Objects.requireNonNull(policy, "policy"))
                    .clock(Objects.requireNonNull(clock, "clock")).snapshotExecutor(executor).cache(aggregateCacheSize);
            if (meterRegistry != null) {
                repository.meterRegistry(meterRegistry);
            }
            AggregateRepository<A> built = repository.build();
            bus.routes(built, registration.routes());
            return built;
        }
    }
}
