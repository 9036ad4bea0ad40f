package io.nexus.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.bus.EventPublisher;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandRoutes;
import io.nexus.core.command.SimpleCommandBus;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventSerializer;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.serialization.JacksonEventSerializer;
import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.upcast.Upcaster;
import io.nexus.core.upcast.UpcasterChain;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One configured Nexus application: the write side wired from its ports. Everything not given is the
 * embedded default (in-memory event and snapshot stores, Jackson, no validation, allow-all policy), so
 * {@code Nexus.builder().eventTypes(...).aggregate(...).build()} runs with nothing installed; adapters
 * replace a port by configuration without touching application code.
 *
 * <pre>{@code
 * Nexus nexus = Nexus.builder()
 *         .eventTypes(EventTypes.builder().register(OrderPlaced.class).register(LineAdded.class).build())
 *         .aggregate(AggregateDefinition.of(Order.class, Order::new), routes -> routes
 *                 .create(PlaceOrder.class, PlaceOrder::orderId, Order::place)
 *                 .update(AddLine.class, AddLine::orderId, Order::addLine))
 *         .build();
 * CommandResult result = nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
 * }</pre>
 *
 * Building validates everything it can: upcaster chains, handler coverage, duplicate routes. Thread-safe.
 * {@link #close()} stops the background snapshot writer.
 */
public final class Nexus implements AutoCloseable {

    private final EventStore eventStore;
    private final SnapshotStore snapshotStore;
    private final EventCodec codec;
    private final Clock clock;
    private final NexusMetrics metrics;
    private final CommandBus commandBus;
    private final Map<Class<?>, AggregateRepository<?>> repositories;
    private final ExecutorService ownedExecutor;
    private final EventValidator validator;

    private Nexus(Builder b, EventCodec codec, Map<Class<?>, AggregateRepository<?>> repositories, CommandBus bus,
                  ExecutorService ownedExecutor) {
        this.eventStore = b.eventStore;
        this.snapshotStore = b.snapshotStore;
        this.codec = codec;
        this.clock = b.clock;
        this.metrics = b.metrics;
        this.repositories = Map.copyOf(repositories);
        this.commandBus = bus;
        this.ownedExecutor = ownedExecutor;
        this.validator = b.validator;
    }

    /** The validator every new event of this application passes (schema governance), for components that append events themselves. */
    public EventValidator validator() {
        return validator;
    }

    public static Builder builder() {
        return new Builder();
    }

    public CommandBus commands() {
        return commandBus;
    }

    public EventStore eventStore() {
        return eventStore;
    }

    public SnapshotStore snapshotStore() {
        return snapshotStore;
    }

    /** Encodes and decodes (and upcasts) events of this application. */
    public EventCodec codec() {
        return codec;
    }

    public Clock clock() {
        return clock;
    }

    /** The metrics facade shared by the components of this application. */
    public NexusMetrics metrics() {
        return metrics;
    }

    /**
     * The repository of an aggregate class registered with {@link Builder#aggregate}.
     *
     * @throws IllegalArgumentException if the class was not registered
     */
    @SuppressWarnings("unchecked")
    public <A extends Aggregate> AggregateRepository<A> repository(Class<A> type) {
        AggregateRepository<?> repository = repositories.get(type);
        if (repository == null) {
            throw new IllegalArgumentException("aggregate " + type.getName() + " is not registered with this Nexus");
        }
        return (AggregateRepository<A>) repository;
    }

    /**
     * Closes the command bus (a later {@code commands().send(...)} fails with
     * {@link io.nexus.core.command.CommandBusClosedException}), waits up to 10 s for pending background
     * snapshots, then stops the snapshot writer Nexus created.
     */
    @Override
    public void close() {
        if (commandBus instanceof SimpleCommandBus simple) {
            simple.close();
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

    /** Configures a {@link Nexus}. */
    public static final class Builder {
        private EventStore eventStore;
        private SnapshotStore snapshotStore;
        private EventTypes eventTypes;
        private EventSerializer serializer = new JacksonEventSerializer();
        private final List<Upcaster> upcasters = new ArrayList<>();
        private EventValidator validator = EventValidator.acceptAll();
        private PolicyEngine policy = PolicyEngine.allowAll();
        private EventPublisher publisher = EventPublisher.none();
        private Clock clock = Clock.systemUTC();
        private NexusMetrics metrics = NexusMetrics.of(null);
        private RetryPolicy conflictRetry = RetryPolicy.none();
        private java.util.concurrent.Executor snapshotExecutor;
        private SimpleCommandBus.Sleeper sleeper;
        private long aggregateCacheSize;
        private final Map<Class<?>, Registration<?>> aggregates = new LinkedHashMap<>();
        private io.nexus.core.checkpoint.CheckpointStore checkpointStore;
        private io.nexus.core.deadletter.DeadLetterQueue deadLetterQueue;
        private io.nexus.core.temporal.AuditLog auditLog;
        private io.nexus.core.scheduler.Scheduler timers;
        private io.nexus.core.readmodel.ReadModelStores readModels;

        private record Registration<A extends Aggregate>(AggregateDefinition<A> definition, CommandRoutes<A> routes) {
        }

        private Builder() {
        }

        /** The event store; an {@link InMemoryEventStore} on this builder's clock by default. */
        public Builder eventStore(EventStore value) {
            this.eventStore = Objects.requireNonNull(value, "eventStore");
            return this;
        }

        /** The snapshot store; an {@link InMemorySnapshotStore} by default. */
        public Builder snapshotStore(SnapshotStore value) {
            this.snapshotStore = Objects.requireNonNull(value, "snapshotStore");
            return this;
        }

        /** Where every consumer keeps its positions; in memory by default. */
        public Builder checkpointStore(io.nexus.core.checkpoint.CheckpointStore value) {
            this.checkpointStore = Objects.requireNonNull(value, "checkpointStore");
            return this;
        }

        /** Where consumers put the events they gave up on; in memory by default. */
        public Builder deadLetterQueue(io.nexus.core.deadletter.DeadLetterQueue value) {
            this.deadLetterQueue = Objects.requireNonNull(value, "deadLetterQueue");
            return this;
        }

        /** Where audited operations are recorded; in memory by default. */
        public Builder auditLog(io.nexus.core.temporal.AuditLog value) {
            this.auditLog = Objects.requireNonNull(value, "auditLog");
            return this;
        }

        /** Durable timers (saga timeouts); in memory by default. */
        public Builder timers(io.nexus.core.scheduler.Scheduler value) {
            this.timers = Objects.requireNonNull(value, "timers");
            return this;
        }

        /** Key-value read-model stores by name; in memory by default. */
        public Builder readModels(io.nexus.core.readmodel.ReadModelStores value) {
            this.readModels = Objects.requireNonNull(value, "readModels");
            return this;
        }

        /** Sets every port {@code value}'s engine family implements. */
        public Builder engines(NexusEngines value) {
            Objects.requireNonNull(value, "engines").configure(this);
            return this;
        }

        /** Registers an application module's parts. */
        public Builder module(NexusModule value) {
            Objects.requireNonNull(value, "module").configure(this);
            return this;
        }

        /** The registered event types. Required. */
        public Builder eventTypes(EventTypes value) {
            this.eventTypes = Objects.requireNonNull(value, "eventTypes");
            return this;
        }

        /** The serializer for payloads and snapshot states; Jackson by default. */
        public Builder serializer(EventSerializer value) {
            this.serializer = Objects.requireNonNull(value, "serializer");
            return this;
        }

        /** Adds an upcaster; the chain is validated by {@link #build()}. */
        public Builder upcaster(Upcaster value) {
            this.upcasters.add(Objects.requireNonNull(value, "upcaster"));
            return this;
        }

        /** Checks every new event before it is appended (schema validation). */
        public Builder validator(EventValidator value) {
            this.validator = Objects.requireNonNull(value, "validator");
            return this;
        }

        /** Authorizes every new event before it is appended. */
        public Builder policyEngine(PolicyEngine value) {
            this.policy = Objects.requireNonNull(value, "policyEngine");
            return this;
        }

        /** Receives the events of every successful append. */
        public Builder publisher(EventPublisher value) {
            this.publisher = Objects.requireNonNull(value, "publisher");
            return this;
        }

        /** The application clock (event timestamps, snapshot ages, command contexts). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Where to record metrics; nothing is recorded without one. */
        public Builder meterRegistry(MeterRegistry value) {
            this.metrics = NexusMetrics.of(Objects.requireNonNull(value, "meterRegistry"));
            return this;
        }

        /** How concurrency conflicts are retried by the command bus; not at all by default. */
        public Builder conflictRetry(RetryPolicy value) {
            this.conflictRetry = Objects.requireNonNull(value, "conflictRetry");
            return this;
        }

        /**
         * Where snapshots are serialized and written. By default a single background thread that Nexus
         * owns and {@link Nexus#close()} stops; pass {@code Runnable::run} to write them synchronously (tests).
         */
        public Builder snapshotExecutor(java.util.concurrent.Executor value) {
            this.snapshotExecutor = Objects.requireNonNull(value, "snapshotExecutor");
            return this;
        }

        /** How the command bus waits between retries (tests pass one that advances a controllable clock). */
        public Builder sleeper(SimpleCommandBus.Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
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
         * Validates the configuration and builds.
         *
         * @throws IllegalStateException                        if no event types were given, or a handler refers to an unregistered event
         * @throws io.nexus.core.upcast.UpcasterChainException if the upcasters leave a gap
         */
        public Nexus build() {
            if (eventTypes == null) {
                throw new IllegalStateException("eventTypes is required: register the application's event classes");
            }
            if (eventStore == null) {
                eventStore = InMemoryEventStore.builder().clock(clock).build();
            }
            if (snapshotStore == null) {
                snapshotStore = new InMemorySnapshotStore();
            }
            EventCodec codec = new EventCodec(eventTypes, serializer, UpcasterChain.of(eventTypes, upcasters));
            ExecutorService owned = null;
            java.util.concurrent.Executor executor = snapshotExecutor;
            if (executor == null) {
                owned = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "nexus-snapshots");
                    t.setDaemon(true);
                    return t;
                });
                executor = owned;
            }
            SimpleCommandBus.Builder bus = SimpleCommandBus.builder().clock(clock).metrics(metrics).conflictRetry(conflictRetry);
            if (sleeper != null) {
                bus.sleeper(sleeper);
            }
            Map<Class<?>, AggregateRepository<?>> repositories = new LinkedHashMap<>();
            for (Registration<?> registration : aggregates.values()) {
                repositories.put(registration.definition().type(), register(registration, codec, executor, bus));
            }
            return new Nexus(this, codec, repositories, bus.build(), owned);
        }

        private <A extends Aggregate> AggregateRepository<A> register(Registration<A> registration, EventCodec codec,
                                                                      java.util.concurrent.Executor executor,
                                                                      SimpleCommandBus.Builder bus) {
            AggregateRepository<A> repository = AggregateRepository.builder(registration.definition(), eventStore, codec)
                    .snapshotStore(snapshotStore).validator(validator).policy(policy).publisher(publisher)
                    .metrics(metrics).clock(clock).snapshotExecutor(executor).cache(aggregateCacheSize).build();
            bus.routes(repository, registration.routes());
            return repository;
        }
    }
}
