package io.nexus.core.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexus.core.serialization.EventTypeInfo;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.upcast.Upcaster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Evolving event schemas: the link between a {@link SchemaRegistry} and the upcasters of an application.
 *
 * <p>A compatible change is registered as the next version with {@link RegisterSchemas#register}. A breaking
 * change (one the subject's mode refuses) starts a new major version of the event type: it is registered with
 * {@link #registerBreakingChange}, which demands an upcaster from the previous version, so that stored events
 * are read in the new shape. {@link #missingUpcasters} tells, for a whole application, which breaking steps
 * between registered versions have no upcaster yet. Stateless and thread-safe.
 */
public final class SchemaEvolution {

    private SchemaEvolution() {
    }

    /**
     * Every step {@code v -> v+1} of every event type in {@code types} (up to its current version) whose
     * registered schemas are not backward compatible and for which {@code upcasters} has no upcaster. Steps whose
     * versions are not both registered are skipped; see {@link #missingSchemas}.
     *
     * @throws SchemaRegistryUnavailableException if the registry cannot be reached
     */
    public static List<MissingUpcaster> missingUpcasters(ReadSchemas registry, EventTypes types,
                                                         Collection<? extends Upcaster> upcasters) {
        Objects.requireNonNull(registry, "registry");
        List<MissingUpcaster> missing = new ArrayList<>();
        for (EventTypeInfo type : types.all()) {
            List<Integer> registered;
            try {
                registered = registry.versions(type.name());
            } catch (UnknownSubjectException e) {
                continue;
            }
            for (int v = 1; v < type.version(); v++) {
                int from = v;
                if (!registered.contains(from) || !registered.contains(from + 1)) {
                    continue;
                }
                boolean hasUpcaster = upcasters.stream()
                        .anyMatch(u -> u.eventType().equals(type.name()) && u.fromVersion() == from);
                if (hasUpcaster) {
                    continue;
                }
                List<Incompatibility> breaking = breakingChanges(registry.version(type.name(), from),
                        registry.version(type.name(), from + 1));
                if (!breaking.isEmpty()) {
                    missing.add(new MissingUpcaster(type.name(), from, from + 1, breaking));
                }
            }
        }
        return missing;
    }

    /**
     * Event types of {@code types} whose current version has no registered schema, as "name vN".
     *
     * @throws SchemaRegistryUnavailableException if the registry cannot be reached
     */
    public static List<String> missingSchemas(ReadSchemas registry, EventTypes types) {
        List<String> missing = new ArrayList<>();
        for (EventTypeInfo type : types.all()) {
            boolean present;
            try {
                present = registry.versions(type.name()).contains(type.version());
            } catch (UnknownSubjectException e) {
                present = false;
            }
            if (!present) {
                missing.add(type.name() + " v" + type.version());
            }
        }
        return missing;
    }

    /**
     * Registers a schema the subject's mode refuses as the next (major) version of {@code subject}, provided
     * {@code upcasters} holds the upcaster from the latest version to it. The subject's mode is set to NONE for
     * the registration and restored afterwards, also on failure: a subject that had a mode of its own gets it
     * back, one that inherited the registry's default inherits it again. Run it as a deployment step, not concurrently
     * with other registrations of the same subject.
     *
     * <p>Transitive modes compare later versions with every version, including those before the break; subjects
     * with breaking changes should use BACKWARD, FORWARD or FULL.
     *
     * @throws MissingUpcasterException if the upcaster from the latest version is missing
     * @throws UnknownSubjectException  if the subject has no version yet (a first version is never breaking)
     */
    public static SchemaVersion registerBreakingChange(SchemaRegistry registry, String subject, String schema,
                                                       Collection<? extends Upcaster> upcasters) {
        SchemaVersion latest = registry.latest(subject);
        Incompatibility why = new Incompatibility(latest.version(), "BACKWARD", "", "BREAKING_CHANGE",
                "registered as a breaking change");
        boolean hasUpcaster = upcasters.stream()
                .anyMatch(u -> u.eventType().equals(subject) && u.fromVersion() == latest.version());
        if (!hasUpcaster) {
            List<Incompatibility> breaking = breakingChanges(latest, schema);
            throw new MissingUpcasterException(List.of(new MissingUpcaster(subject, latest.version(), latest.version() + 1,
                    breaking.isEmpty() ? List.of(why) : breaking)));
        }
        java.util.Optional<CompatibilityMode> own = registry.ownCompatibility(subject);
        registry.setCompatibility(subject, CompatibilityMode.NONE);
        try {
            return registry.register(subject, schema);
        } finally {
            // A subject that inherited the default inherits it again, rather than keeping a copy of today's default.
            if (own.isPresent()) {
                registry.setCompatibility(subject, own.get());
            } else {
                registry.clearCompatibility(subject);
            }
        }
    }

    private static List<Incompatibility> breakingChanges(SchemaVersion older, SchemaVersion newer) {
        return breakingChanges(older, newer.schema());
    }

    private static List<Incompatibility> breakingChanges(SchemaVersion older, String newer) {
        JsonNode writer = JsonSchemas.parse(older.subject(), older.schema());
        JsonNode reader = JsonSchemas.parse(older.subject(), newer);
        List<Incompatibility> out = new ArrayList<>();
        for (JsonSchemaCompatibility.Difference d : JsonSchemaCompatibility.diff(writer, reader)) {
            if (!d.compatible()) {
                out.add(new Incompatibility(older.version(), "BACKWARD", d.pointer(), d.type(), d.message()));
            }
        }
        return out;
    }
}
