package io.nexus.core.internal;

import org.jspecify.annotations.Nullable;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.bus.BusConsumer;
import io.nexus.core.observation.NexusMeters;
import io.nexus.core.observation.NexusObservation;
import io.nexus.core.bus.BusConsumers;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.bus.EventBus;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.router.EventRouter;

import java.util.ArrayList;
import java.util.List;

/**
 * The two components of an application's event bus: its consumer groups (subscribed on start, closed in
 * reverse, then the bus itself) and the one router that feeds the bus from the event store's global log.
 * The consumers start first, so the router's first events find them subscribed. Not part of the API.
 */
public final class EventBusComponents {

    private EventBusComponents() {
    }

    /** The consumer groups of {@code bus}; closing closes the bus too. */
    public static final class Consumers implements NexusComponent, Lifecycle.Wrapper {
        private final EventBus bus;
        private final List<BusConsumers.Registration> registrations;
        // Read by operators on any thread while start() and close() change it.
        private final List<ConsumerGroup> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<String[]> gauges = new ArrayList<>();
        private NexusMetrics metrics = NexusMetrics.of(null);

        public Consumers(EventBus bus, BusConsumers consumers) {
            this.bus = bus;
            this.registrations = consumers.registrations();
        }

        /** The running consumer groups (health, dead letters), in registration order; empty before start. */
        public List<ConsumerGroup> groups() {
            return List.copyOf(subscriptions);
        }

        @Override
        public Object unwrap() {
            return bus;
        }

        @Override
        public String name() {
            return "event-bus";
        }

        @Override
        public void start(NexusContext context) {
            ObservationRegistry observations = context.observationRegistry();
            metrics = NexusMetrics.of(context.meterRegistry());
            for (BusConsumers.Registration r : registrations) {
                ConsumerMeters meters = new ConsumerMeters(r.group(), metrics, context.clock());
                ConsumerGroup group = bus.subscribe(r.group(), r.path(), observed(r.group(), r.consumer(), observations, meters));
                subscriptions.add(group);
                String[] tags = {"group", r.group(), "path", r.path().name().toLowerCase(java.util.Locale.ROOT)};
                gauges.add(tags);
                metrics.gauge(NexusMeters.BUS_CONSUMER_LAG_SECONDS, meters, ConsumerMeters::lagSeconds, tags);
                metrics.gauge(NexusMeters.BUS_CONSUMER_DEADLETTERS_WAITING, group, g -> g.health().deadLetters(), tags);
                // A bus that cannot count says so for the group's whole life, so the gauge is either there or not.
                if (group.lagEvents().isPresent()) {
                    metrics.gauge(NexusMeters.BUS_CONSUMER_LAG_EVENTS, group, g -> g.lagEvents().orElse(0), tags);
                }
            }
        }

        @Override
        public void close() {
            RuntimeException failure = null;
            for (int i = subscriptions.size() - 1; i >= 0; i--) {
                try {
                    subscriptions.get(i).close();
                } catch (RuntimeException e) {
                    failure = add(failure, e);
                }
            }
            subscriptions.clear();
            for (String[] tags : gauges) {
                metrics.removeGauge(NexusMeters.BUS_CONSUMER_LAG_SECONDS, tags);
                metrics.removeGauge(NexusMeters.BUS_CONSUMER_DEADLETTERS_WAITING, tags);
                metrics.removeGauge(NexusMeters.BUS_CONSUMER_LAG_EVENTS, tags);
            }
            gauges.clear();
            try {
                bus.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
            if (failure != null) {
                throw failure;
            }
        }

        /** {@code consumer} observed, measured and with the event's MDC keys, whatever the bus. */
        private static BusConsumer observed(String group, BusConsumer consumer, ObservationRegistry observations,
                                            ConsumerMeters meters) {
            return event -> {
                long started = System.nanoTime();
                String outcome = "failed";
                try {
                    NexusObservation.observe(NexusObservation.BUS_CONSUME, group, event, observations, () -> consumer.onEvent(event));
                    outcome = "handled";
                } finally {
                    meters.handled(event, System.nanoTime() - started, outcome);
                }
            };
        }

        /** What one consumer group's gauges read: how old the last event it handled was when it handled it. */
        private static final class ConsumerMeters {
            private final String group;
            private final NexusMetrics metrics;
            private final java.time.Clock clock;
            private volatile double lagSeconds;

            ConsumerMeters(String group, NexusMetrics metrics, java.time.Clock clock) {
                this.group = group;
                this.metrics = metrics;
                this.clock = clock;
            }

            void handled(io.nexus.core.event.EventEnvelope event, long nanos, String outcome) {
                metrics.timer(NexusMeters.BUS_CONSUMER_HANDLING, nanos, "group", group, "outcome", outcome);
                lagSeconds = Math.max(0, java.time.Duration.between(event.timestamp(), clock.instant()).toNanos() / 1e9);
            }

            double lagSeconds() {
                return lagSeconds;
            }
        }

        private static RuntimeException add(@Nullable RuntimeException first, RuntimeException next) {
            if (first == null) {
                return next;
            }
            first.addSuppressed(next);
            return first;
        }
    }

    /** The router from the application's event store to {@code bus}, on the application's checkpoints and meters. */
    public static final class Router implements NexusComponent, Lifecycle.Wrapper {
        private final EventBus bus;
        private final String routerName;
        private @Nullable EventRouter router;
        private NexusMetrics metrics = NexusMetrics.of(null);

        public Router(EventBus bus, BusConsumers consumers) {
            this.bus = bus;
            this.routerName = consumers.routerName();
        }

        @Override
        public @Nullable Object unwrap() {
            return router;
        }

        @Override
        public String name() {
            return "event-router";
        }

        @Override
        public void start(NexusContext context) {
            EventRouter.Builder builder = EventRouter.builder(context.eventStore(), context.eventStore(), bus)
                    .name(routerName)
                    .checkpoints(context.checkpoints())
                    .meterRegistry(context.meterRegistry())
                    .observationRegistry(context.observationRegistry());
            // exclusive: with a shared bus every instance's router would publish each event once more
            context.consumerLease().ifPresent(builder::lease);
            router = builder.build().start();
            metrics = NexusMetrics.of(context.meterRegistry());
            metrics.gauge(NexusMeters.ROUTER_LAG_EVENTS, router, EventRouter::lag, "router", router.checkpointConsumer());
        }

        @Override
        public void close() {
            if (router != null) {
                metrics.removeGauge(NexusMeters.ROUTER_LAG_EVENTS, "router", router.checkpointConsumer());
                router.close();
            }
        }
    }
}
