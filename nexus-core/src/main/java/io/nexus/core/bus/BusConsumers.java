package io.nexus.core.bus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The consumer groups an application subscribes to its event bus, given in
 * {@code Nexus.builder().eventBus(bus, consumers -> consumers.consumer("billing", BusPath.PRIMARY, billing::on))}.
 * The application subscribes them in this order when it starts and closes them in reverse when it
 * closes. Not thread-safe (used while building).
 */
public final class BusConsumers {

    /**
     * One subscription to make.
     *
     * @param group    the consumer group
     * @param path     the path it consumes
     * @param consumer the handler
     */
    public record Registration(String group, BusPath path, BusConsumer consumer) {
    }

    private final List<Registration> registrations = new ArrayList<>();
    private final Set<String> keys = new HashSet<>();
    private String routerName = "default";

    /** An empty list; used by the application's builder. */
    public BusConsumers() {
    }

    /**
     * Subscribes {@code consumer} as group {@code group} to {@code path} when the application starts.
     *
     * @throws IllegalArgumentException if {@code group} is blank, or already consumes {@code path}
     */
    public BusConsumers consumer(String group, BusPath path, BusConsumer consumer) {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("group must not be blank, but was '" + group + "'");
        }
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(consumer, "consumer");
        if (!keys.add(group + "/" + path)) {
            throw new IllegalArgumentException("group '" + group + "' already consumes the " + path + " path; give each consumer its own group");
        }
        registrations.add(new Registration(group, path, consumer));
        return this;
    }

    /**
     * The name of the router that feeds the bus from the event store; part of its checkpoint name
     * ({@code "event-router/<name>"}). {@code "default"} unless two applications share a checkpoint store.
     */
    public BusConsumers routerName(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("routerName must not be blank, but was '" + value + "'");
        }
        this.routerName = value;
        return this;
    }

    /** The subscriptions, in registration order. */
    public List<Registration> registrations() {
        return List.copyOf(registrations);
    }

    /** The router's name. */
    public String routerName() {
        return routerName;
    }
}
