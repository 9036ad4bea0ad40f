package io.nexus.core.schema;

import java.util.List;

/**
 * A breaking step between two registered schema versions of an event type that has no upcaster: stored events
 * of {@code fromVersion} cannot be read as {@code toVersion}.
 *
 * @param eventType       the event type (subject)
 * @param fromVersion     the older version
 * @param toVersion       {@code fromVersion + 1}
 * @param breakingChanges why the step needs one: each way the newer schema cannot read the older data
 */
public record MissingUpcaster(String eventType, int fromVersion, int toVersion, List<Incompatibility> breakingChanges) {

    public MissingUpcaster {
        breakingChanges = List.copyOf(breakingChanges);
    }

    @Override
    public String toString() {
        return "'" + eventType + "' v" + fromVersion + " -> v" + toVersion + " needs an upcaster: " + breakingChanges;
    }
}
