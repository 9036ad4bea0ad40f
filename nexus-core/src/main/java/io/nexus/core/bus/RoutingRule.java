package io.nexus.core.bus;

import java.util.Objects;
import java.util.Set;

/**
 * Chooses the {@link BusPath} of each event by its event type name. Must be a pure function of the
 * name (the same type always takes the same path, so per-aggregate order holds within a path) and
 * thread-safe.
 */
@FunctionalInterface
public interface RoutingRule {

    /** The path for events of {@code eventType}; never {@code null}. */
    BusPath pathOf(String eventType);

    /** Every event on the primary path. */
    static RoutingRule allPrimary() {
        return eventType -> BusPath.PRIMARY;
    }

    /** The named event types on the secondary path, every other type on the primary path. */
    static RoutingRule secondaryFor(Set<String> secondaryTypes) {
        Set<String> copy = Set.copyOf(Objects.requireNonNull(secondaryTypes, "secondaryTypes"));
        return eventType -> copy.contains(eventType) ? BusPath.SECONDARY : BusPath.PRIMARY;
    }
}
