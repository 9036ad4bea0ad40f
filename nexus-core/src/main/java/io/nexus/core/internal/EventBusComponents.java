package io.nexus.core.internal;

import io.nexus.core.bus.BusConsumers;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.bus.EventBus;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.router.EventRouter;
import io.nexus.core.store.Subscription;

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
        private final List<ConsumerGroup> subscriptions = new ArrayList<>();

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
            for (BusConsumers.Registration r : registrations) {
                subscriptions.add(bus.subscribe(r.group(), r.path(), r.consumer()));
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
            try {
                bus.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
            if (failure != null) {
                throw failure;
            }
        }

        private static RuntimeException add(RuntimeException first, RuntimeException next) {
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
        private EventRouter router;

        public Router(EventBus bus, BusConsumers consumers) {
            this.bus = bus;
            this.routerName = consumers.routerName();
        }

        @Override
        public Object unwrap() {
            return router;
        }

        @Override
        public String name() {
            return "event-router";
        }

        @Override
        public void start(NexusContext context) {
            router = EventRouter.builder(context.eventStore(), context.eventStore(), bus)
                    .name(routerName)
                    .checkpoints(context.checkpoints())
                    .meterRegistry(context.meterRegistry())
                    .build()
                    .start();
        }

        @Override
        public void close() {
            if (router != null) {
                router.close();
            }
        }
    }
}
